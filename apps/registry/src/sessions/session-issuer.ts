import { hash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { issueAccessToken, randomString, CONFIG, CLOCK, type AppConfig, type Clock } from '@jointcert/common';
import type { AccountView, ClientInfo, SessionTokens } from '@jointcert/contracts';
import { SessionRepository, type Tx } from '@jointcert/registry-db';

export const REFRESH_TOKEN_BYTES = 32;

/** Only this is stored: lower-case hex SHA-256 of the refresh token. */
export function refreshTokenHash(token: string): string {
  return hash('sha256', token); // a string is hashed as UTF-8
}

export interface OpenSession {
  accountId: string;
  certificateId: string;
  /** Continue a family (refresh rotation); a new family when absent (login, sign-up). */
  familyId?: string;
  client: ClientInfo;
}

/** A session about to be stored: its ids, refresh token (and hash), expiry — everything but the owner. */
export interface SessionDraft {
  id: string;
  familyId: string;
  refreshToken: string;
  refreshTokenHash: string;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** The clock reading the draft (and its access token) is based on. */
  now: number;
}

/**
 * Opens a session row and issues its tokens: an access token (HS256, claims
 * sub = account, sid = session row) and a refresh token (32 random bytes,
 * base64url) of which only the SHA-256 is stored. Runs inside the caller's
 * transaction, so the session commits with whatever it belongs to. The login
 * stores the draft itself (one statement with its audit row): `draft` + `tokens`.
 */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionRepository,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  draft(client: ClientInfo, familyId?: string): SessionDraft {
    const now = this.clock.now();
    const refreshToken = randomString(REFRESH_TOKEN_BYTES, 'base64url');
    return {
      id: randomUUID(),
      familyId: familyId ?? randomUUID(),
      refreshToken,
      refreshTokenHash: refreshTokenHash(refreshToken),
      expiresAt: new Date(now + this.config.REFRESH_TOKEN_TTL_S * 1000),
      ip: client.ip,
      userAgent: client.userAgent ?? null,
      now,
    };
  }

  /** The tokens for a stored draft owned by `accountId` (the same ones again for the same draft: a login's replay). */
  tokens(draft: Pick<SessionDraft, 'id' | 'refreshToken' | 'now'>, accountId: string, account: AccountView): SessionTokens {
    return {
      tokenType: 'Bearer',
      accessToken: issueAccessToken(this.config, { accountId, sessionId: draft.id }, draft.now),
      expiresIn: this.config.ACCESS_TOKEN_TTL_S,
      refreshToken: draft.refreshToken,
      refreshExpiresIn: this.config.REFRESH_TOKEN_TTL_S,
      account,
    };
  }

  async open(tx: Tx, input: OpenSession, account: AccountView): Promise<{ sessionId: string; tokens: SessionTokens }> {
    const draft = this.draft(input.client, input.familyId);
    await this.sessions.create(
      {
        id: draft.id,
        accountId: input.accountId,
        familyId: draft.familyId,
        refreshTokenHash: draft.refreshTokenHash,
        certificateId: input.certificateId,
        expiresAt: draft.expiresAt,
        ip: draft.ip,
        userAgent: draft.userAgent,
      },
      tx,
    );
    return { sessionId: draft.id, tokens: this.tokens(draft, input.accountId, account) };
  }
}
