import { Inject, Injectable } from '@nestjs/common';
import { DomainError, SessionRevocations, CLOCK, LOGGER, type Logger, type Clock } from '@jointcert/common';
import type { CertificateRequest, CertificateView, SecondFactorCertificateRequest } from '@jointcert/contracts';
import { CertificateSecurityRepository, RegistryDatabase, SessionRepository } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';
import { CertificateQueries } from '../certificates/certificate-queries';
import { certificateNotFound } from '../shared/errors';
import { revokeNow } from './revoke-now';
import { SecondFactor } from './second-factor.service';

/**
 * Lost certificates (POST /v1/certificates/{id}/lock and /unlock).
 *
 * Lock, from any session of the account: the certificate is refused at login
 * at once (LOGIN_SQL skips locked rows; login answers CERT_LOCKED), and every
 * session it opened is revoked — in Postgres in the locking transaction, and
 * in SessionRevocations so the gateway refuses their access tokens at once
 * (the caller's own session too, when the lost certificate opened it).
 * Locking again is a success without change. Each lock leaves a pending
 * 'lock' notification for the notifier's confirmation email.
 *
 * Unlock needs a fresh second-factor code when the account has one
 * (SecondFactor.requireFresh); without one, a session opened by ANOTHER
 * certificate of the account that is itself active and not locked (the
 * holder proved possession of a certificate that is not lost).
 */
@Injectable()
export class CertificateLocks {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly security: CertificateSecurityRepository,
    private readonly sessions: SessionRepository,
    private readonly revocations: SessionRevocations,
    private readonly queries: CertificateQueries,
    private readonly audit: AuditLog,
    private readonly secondFactor: SecondFactor,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async lock(request: CertificateRequest): Promise<CertificateView> {
    const { accountId } = request.caller;
    const revoked = await this.audit.audited(
      'certificate.lock',
      request.client,
      () =>
        this.db.transaction(async (tx) => {
          const locked = await this.security.lock(request.certificateId, accountId, new Date(this.clock.now()), tx);
          if (!locked) throw certificateNotFound();
          // the notifier sends the confirmation email (one per lock)
          if (!locked.wasLocked) await this.security.recordLockNotice(request.certificateId, tx);
          const sessionIds = await this.sessions.revokeByCertificate(request.certificateId, new Date(this.clock.now()), tx);
          await this.audit.success(
            {
              action: 'certificate.lock',
              client: request.client,
              accountId,
              certificateId: request.certificateId,
              details: { fingerprint: locked.fingerprintSha256, alreadyLocked: locked.wasLocked, revokedSessions: sessionIds.length, bySession: request.caller.sessionId },
            },
            tx,
          );
          return sessionIds;
        }),
      () => ({ accountId, details: { requestedCertificateId: request.certificateId } }),
    );
    await revokeNow(this.revocations, this.logger, revoked);
    // the caller's session may be one of those just ended: answer from the database, not the session
    return this.queries.get(accountId, request.certificateId);
  }

  async unlock(request: SecondFactorCertificateRequest): Promise<CertificateView> {
    const { accountId } = request.caller;
    await this.audit.audited(
      'certificate.unlock',
      request.client,
      async () => {
        await this.assertMayUnlock(request);
        await this.db.transaction(async (tx) => {
          const result = await this.security.unlock(request.certificateId, accountId, tx);
          if (!result) throw certificateNotFound();
          await this.audit.success(
            {
              action: 'certificate.unlock',
              client: request.client,
              accountId,
              certificateId: request.certificateId,
              details: { fingerprint: result.fingerprintSha256, wasLocked: result.previous !== null, bySession: request.caller.sessionId },
            },
            tx,
          );
        });
      },
      () => ({ accountId, details: { requestedCertificateId: request.certificateId } }),
    );
    return this.queries.get(accountId, request.certificateId);
  }

  private async assertMayUnlock(request: SecondFactorCertificateRequest): Promise<void> {
    // with a second factor enrolled, a fresh code is required (and enough)
    if (await this.secondFactor.requireFresh(request.caller.accountId, request.totpCode, request.client, 'certificate.unlock')) return;
    const opener = await this.security.sessionCertificate(request.caller.sessionId);
    const otherCertificate = opener !== null && opener.certificateId !== request.certificateId && opener.status === 'active' && opener.lockedAt === null;
    if (!otherCertificate) {
      throw new DomainError('FORBIDDEN', 'unlocking needs a session opened by another registered certificate of the account', { reason: 'UNLOCK_NEEDS_OTHER_CERTIFICATE' });
    }
  }
}
