import { hash } from 'node:crypto';
import { DomainError, type SessionRevocations, verifyAccessToken, type AppConfig, type Logger } from '@jointcert/common';
import type { Caller } from '@jointcert/contracts';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
/** Verified tokens remembered (about 200 bytes each); when full, the memo starts again. */
const VERIFIED_MAX = 10_000;

interface Verified {
  accountId: string;
  sessionId: string;
  /** The token's `exp` claim (s): it is accepted while now < exp, as verifyAccessToken does. */
  exp: number;
}

/**
 * Turns an `Authorization: Bearer <jwt>` header into the Caller: the token's
 * signature, algorithm, issuer, audience and expiry are checked locally
 * (verifyAccessToken), then its session against the revocation set (one Redis
 * EXISTS). Any failure is 401 UNAUTHENTICATED with a `reason`; a Redis that
 * cannot answer is 503 (fail closed: a logged-out session must not come back).
 *
 * A client sends the same access token with every request for its lifetime,
 * and only the expiry check depends on the time: a token that verified is
 * remembered with its `exp`, found again by its SHA-256 (the lookup compares
 * digests, never the token, so it reveals nothing about a valid token's
 * bytes), and accepted again while it has not expired. The revocation check
 * runs on every request. Tokens without `exp`, or with `nbf` (whose
 * acceptance also depends on the time), are verified each time.
 */
export class Authenticator {
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly config: Pick<AppConfig, 'ACCESS_TOKEN_SECRET'>,
    private readonly revocations: SessionRevocations,
    private readonly logger: Logger,
  ) {}

  async authenticate(header: string | undefined, nowMs = Date.now()): Promise<Caller> {
    if (header === undefined || header === '') {
      throw new DomainError('UNAUTHENTICATED', 'this route needs an access token: send Authorization: Bearer <accessToken>', { reason: 'TOKEN_MISSING' });
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw new DomainError('UNAUTHENTICATED', 'the Authorization header must be Bearer <accessToken>', { reason: 'TOKEN_INVALID' });
    }
    const caller = this.verify(token, nowMs);
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

  private verify(token: string, nowMs: number): Caller {
    const digest = hash('sha256', token, 'base64');
    const known = this.verified.get(digest);
    if (known !== undefined && Math.floor(nowMs / 1000) < known.exp) return { accountId: known.accountId, sessionId: known.sessionId };
    // unknown, or expired: the full verification (an expired token gets its TOKEN_EXPIRED from it)
    if (known !== undefined) this.verified.delete(digest);
    const caller = verifyAccessToken(this.config, token, nowMs);
    const exp = expiryOf(token);
    if (exp !== undefined) {
      if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
      this.verified.set(digest, { ...caller, exp });
    }
    return caller;
  }
}

/** The `exp` of a token that verified, if it has one and no `nbf`. */
function expiryOf(token: string): number | undefined {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp?: unknown; nbf?: unknown };
  return typeof payload.exp === 'number' && payload.nbf === undefined ? payload.exp : undefined;
}
