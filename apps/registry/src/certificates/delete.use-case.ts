import { Inject, Injectable } from '@nestjs/common';
import { SessionRevocations, CLOCK, LOGGER, type Logger, type Clock } from '@jointcert/common';
import type { CertificateRequest } from '@jointcert/contracts';
import { CertificateRepository, RegistryDatabase, SessionRepository } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';
import { certificateNotFound } from '../shared/errors';

/**
 * Delete a certificate (DELETE /v1/certificates/{id}): the row is kept with
 * status `deleted` (audit, history), never usable to log in again unless
 * registered anew, and no longer listed. Every session opened with it (and
 * rotated from those) is revoked, in Postgres and in SessionRevocations so
 * the gateway refuses their access tokens at once. Deleting an already
 * deleted certificate succeeds without another change (a retried request).
 */
@Injectable()
export class DeleteCertificate {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly certificates: CertificateRepository,
    private readonly sessions: SessionRepository,
    private readonly revocations: SessionRevocations,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(request: CertificateRequest): Promise<{ ok: true }> {
    const { accountId } = request.caller;
    const revoked = await this.audit.audited('delete', request.client, () => this.deleteAndRevoke(request), () => ({ accountId, details: { requestedCertificateId: request.certificateId } }));
    try {
      await this.revocations.revoke(revoked);
    } catch (err) {
      // The deletion is committed (and its sessions revoked in Postgres): answer success, but say loudly
      // that the gateway's fast check may accept those sessions' access tokens until they expire.
      this.logger.error({ err, sessionIds: revoked }, 'session revocations could not be recorded in Redis');
    }
    return { ok: true };
  }

  private deleteAndRevoke(request: CertificateRequest): Promise<string[]> {
    const { accountId } = request.caller;
    return this.db.transaction(async (tx) => {
      const certificate = await this.certificates.lockForAccount(request.certificateId, accountId, tx);
      if (!certificate) throw certificateNotFound();
      if (certificate.status === 'deleted') return [];
      await this.certificates.markDeleted(certificate.id, tx);
      const sessionIds = await this.sessions.revokeByCertificate(certificate.id, new Date(this.clock.now()), tx);
      await this.audit.success(
        {
          action: 'delete',
          client: request.client,
          accountId,
          certificateId: certificate.id,
          details: { fingerprint: certificate.fingerprintSha256, previousStatus: certificate.status, revokedSessions: sessionIds.length },
        },
        tx,
      );
      return sessionIds;
    });
  }
}
