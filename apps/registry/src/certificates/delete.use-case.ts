import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SessionRevocations, CLOCK, LOGGER, type Logger, type Clock } from '@jointcert/common';
import type { CertificateRequest } from '@jointcert/contracts';
import { CertificateRepository, SessionRepository } from '@jointcert/registry-db';
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
    private readonly dataSource: DataSource,
    private readonly certificates: CertificateRepository,
    private readonly sessions: SessionRepository,
    private readonly revocations: SessionRevocations,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(request: CertificateRequest): Promise<{ ok: true }> {
    const { accountId } = request.caller;
    let revoked: string[];
    try {
      revoked = await this.deleteAndRevoke(request);
    } catch (err) {
      await this.audit.failure({ action: 'delete', client: request.client, accountId, details: { requestedCertificateId: request.certificateId } }, err);
      throw err;
    }
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
    return this.dataSource.transaction(async (manager) => {
      const certificate = await this.certificates.lockForAccount(request.certificateId, accountId, manager);
      if (!certificate) throw certificateNotFound();
      if (certificate.status === 'deleted') return [];
      await this.certificates.markDeleted(certificate.id, manager);
      const sessionIds = await this.sessions.revokeByCertificate(certificate.id, new Date(this.clock.now()), manager);
      await this.audit.success(
        {
          action: 'delete',
          client: request.client,
          accountId,
          certificateId: certificate.id,
          details: { fingerprint: certificate.fingerprintSha256, previousStatus: certificate.status, revokedSessions: sessionIds.length },
        },
        manager,
      );
      return sessionIds;
    });
  }
}
