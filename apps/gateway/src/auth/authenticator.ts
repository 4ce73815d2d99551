import { DomainError, type SessionRevocations, verifyAccessToken, type AppConfig, type Logger } from '@jointcert/common';
import type { Caller } from '@jointcert/contracts';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * Turns an `Authorization: Bearer <jwt>` header into the Caller: the token's
 * signature, algorithm, issuer, audience and expiry are checked locally
 * (verifyAccessToken), then its session against the revocation set (one Redis
 * EXISTS). Any failure is 401 UNAUTHENTICATED with a `reason`; a Redis that
 * cannot answer is 503 (fail closed: a logged-out session must not come back).
 */
export class Authenticator {
  constructor(
    private readonly config: Pick<AppConfig, 'ACCESS_TOKEN_SECRET'>,
    private readonly revocations: SessionRevocations,
    private readonly logger: Logger,
  ) {}

  async authenticate(header: string | undefined): Promise<Caller> {
    if (header === undefined || header === '') {
      throw new DomainError('UNAUTHENTICATED', 'this route needs an access token: send Authorization: Bearer <accessToken>', { reason: 'TOKEN_MISSING' });
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw new DomainError('UNAUTHENTICATED', 'the Authorization header must be Bearer <accessToken>', { reason: 'TOKEN_INVALID' });
    }
    const caller = verifyAccessToken(this.config, token, Date.now());
    let revoked: boolean;
    try {
      revoked = await this.revocations.isRevoked(caller.sessionId);
    } catch (err) {
      this.logger.warn({ err }, 'session revocation check failed; refusing the request (fail closed)');
      throw new DomainError('SERVICE_UNAVAILABLE', 'a required service is unavailable; try again later');
    }
    if (revoked) throw new DomainError('UNAUTHENTICATED', 'the session has ended; log in again', { reason: 'SESSION_REVOKED' });
    return caller;
  }
}
