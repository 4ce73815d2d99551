import { Inject, Injectable } from '@nestjs/common';
import { DomainError, SessionRevocations, CLOCK, type Clock } from '@jointcert/common';
import type { RefreshRequest, SessionTokens } from '@jointcert/contracts';
import { AccountRepository, CertificateRepository, RegistryDatabase, SessionRepository } from '@jointcert/registry-db';
import { accountView } from '../accounts/account.view';
import { AuditLog } from '../audit/audit-log';
import { accountUnknown } from '../shared/errors';
import { refreshTokenHash, SessionIssuer } from './session-issuer';

type Outcome =
  | { kind: 'rotated'; tokens: SessionTokens }
  | { kind: 'refused'; reason: 'REFRESH_TOKEN_INVALID' | 'REFRESH_TOKEN_REVOKED' | 'REFRESH_TOKEN_EXPIRED' }
  | { kind: 'reused'; revoked: string[] };

/**
 * Refresh (POST /v1/sessions/refresh): rotate the refresh token.
 *
 * The presented token's row is locked (SELECT … FOR UPDATE), so concurrent
 * refreshes with one token are serialised: the first rotates it (rotated_at,
 * a new row in the same family with a new session id and token, expiry
 * REFRESH_TOKEN_TTL_S from now), every later presentation of it is REUSE — a
 * stolen token or a replay — and revokes the whole family: revoked_at on all
 * its rows, committed, then recorded in SessionRevocations so the gateway
 * refuses the family's access tokens at once; the answer is UNAUTHENTICATED
 * with reason REFRESH_TOKEN_REUSED. Unknown, revoked or expired tokens are
 * UNAUTHENTICATED with their own reason.
 */
@Injectable()
export class RefreshSession {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly sessions: SessionRepository,
    private readonly certificates: CertificateRepository,
    private readonly accounts: AccountRepository,
    private readonly issuer: SessionIssuer,
    private readonly revocations: SessionRevocations,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(request: RefreshRequest): Promise<SessionTokens> {
    const hash = refreshTokenHash(request.refreshToken);
    const outcome = await this.db.transaction(async (tx): Promise<Outcome> => {
      const now = new Date(this.clock.now());
      // Lock order as in delete (certificate, then sessions), so the two serialise without deadlock:
      // a session rotated from a certificate being deleted is either revoked by the delete or refused here.
      const peek = await this.sessions.findByTokenHash(hash, tx);
      if (!peek) return { kind: 'refused', reason: 'REFRESH_TOKEN_INVALID' };
      const certificate = await this.certificates.lockShared(peek.certificateId, tx);
      const row = await this.sessions.findByTokenHashForUpdate(hash, tx);
      if (!row) return { kind: 'refused', reason: 'REFRESH_TOKEN_INVALID' };
      if (row.revokedAt !== null) return { kind: 'refused', reason: 'REFRESH_TOKEN_REVOKED' };
      if (row.rotatedAt !== null) {
        const revoked = await this.sessions.revokeFamily(row.familyId, now, tx);
        await this.audit.failure(
          { action: 'refresh', client: request.client, accountId: row.accountId, certificateId: row.certificateId, details: { sessionId: row.id, familyId: row.familyId, revokedSessions: revoked.length } },
          reused(),
          tx,
        );
        return { kind: 'reused', revoked };
      }
      if (row.expiresAt.getTime() <= now.getTime()) return { kind: 'refused', reason: 'REFRESH_TOKEN_EXPIRED' };
      // sessions live on through a replacement; a deleted, revoked or locked (lost) certificate ends them —
      // the share lock above serialises this with lock/delete (FOR UPDATE), so a rotation either sees the
      // lock here or commits first and its new row is revoked by the lock
      if (!certificate || (certificate.status !== 'active' && certificate.status !== 'replaced') || certificate.lockedAt !== null) {
        return { kind: 'refused', reason: 'REFRESH_TOKEN_REVOKED' };
      }
      const account = await this.accounts.findById(row.accountId, tx);
      if (!account) throw accountUnknown();
      await this.sessions.markRotated(row.id, now, tx);
      const { tokens } = await this.issuer.open(tx, { accountId: row.accountId, certificateId: row.certificateId, familyId: row.familyId, client: request.client }, accountView(account));
      return { kind: 'rotated', tokens };
    });
    switch (outcome.kind) {
      case 'rotated':
        return outcome.tokens;
      case 'reused':
        await this.revocations.revoke(outcome.revoked);
        throw reused();
      case 'refused':
        throw new DomainError('UNAUTHENTICATED', outcome.reason === 'REFRESH_TOKEN_EXPIRED' ? 'the refresh token has expired' : 'the refresh token is not valid', {
          reason: outcome.reason,
        });
    }
  }
}

function reused(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'the refresh token was already used; the session is revoked', { reason: 'REFRESH_TOKEN_REUSED' });
}
