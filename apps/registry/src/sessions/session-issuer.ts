import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { issueAccessToken, type AppConfig } from '@jointcert/common';
import type { AccountView, ClientInfo, SessionTokens } from '@jointcert/contracts';
import { SessionRepository } from '@jointcert/registry-db';
import { APP_CONFIG, CLOCK, type Clock } from '../registry.tokens';

export const REFRESH_TOKEN_BYTES = 32;

/** Only this is stored: lower-case hex SHA-256 of the refresh token. */
export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface OpenSession {
  accountId: string;
  certificateId: string;
  /** Continue a family (refresh rotation); a new family when absent (login, sign-up). */
  familyId?: string;
  client: ClientInfo;
}

/**
 * Opens a session row and issues its tokens: an access token (HS256, claims
 * sub = account, sid = session row) and a refresh token (32 random bytes,
 * base64url) of which only the SHA-256 is stored. Runs inside the caller's
 * transaction, so the session commits with whatever it belongs to.
 */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async open(manager: EntityManager, input: OpenSession, account: AccountView): Promise<{ sessionId: string; tokens: SessionTokens }> {
    const now = this.clock.now();
    const sessionId = randomUUID();
    const refreshToken = randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
    await this.sessions.create(
      {
        id: sessionId,
        accountId: input.accountId,
        familyId: input.familyId ?? randomUUID(),
        refreshTokenHash: refreshTokenHash(refreshToken),
        certificateId: input.certificateId,
        expiresAt: new Date(now + this.config.REFRESH_TOKEN_TTL_S * 1000),
        ip: input.client.ip,
        userAgent: input.client.userAgent ?? null,
      },
      manager,
    );
    return {
      sessionId,
      tokens: {
        tokenType: 'Bearer',
        accessToken: issueAccessToken(this.config, { accountId: input.accountId, sessionId }, now),
        expiresIn: this.config.ACCESS_TOKEN_TTL_S,
        refreshToken,
        refreshExpiresIn: this.config.REFRESH_TOKEN_TTL_S,
        account,
      },
    };
  }
}
