import { Inject, Injectable } from '@nestjs/common';
import { DomainError, SessionRevocations, CLOCK, LOGGER, type Logger, type Clock } from '@jointcert/common';
import type { CertificateRequest, ClientInfo } from '@jointcert/contracts';
import { CertificateRepository, CertificateSecurityRepository, RegistryDatabase, SessionRepository } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';
import { revokeNow } from '../security/revoke-now';
import { certificateNotFound } from '../shared/errors';

/** Who asks for a deletion: a session (DELETE /v1/certificates/{id}) or a deletion link bound to a last use. */
interface Deletion {
  client: ClientInfo;
  accountId: string;
  certificateId: string;
  /** A deletion link: the last use (ms) it was issued for; the certificate must still be active and unused since. */
  link?: { lastUsedAt: number };
}

export function linkOutdated(reason: 'DELETED' | 'NOT_ACTIVE' | 'USED_AGAIN'): DomainError {
  const detail = {
    DELETED: 'the certificate was already deleted',
    NOT_ACTIVE: 'the certificate is no longer active',
    USED_AGAIN: 'the certificate was used to log in after this link was sent, so the link no longer deletes it',
  }[reason];
  return new DomainError('DELETE_LINK_OUTDATED', detail, { reason });
}

/**
 * Delete a certificate (DELETE /v1/certificates/{id}): the row is kept with
 * status `deleted` (audit, history), never usable to log in again unless
 * registered anew, and no longer listed. Every session opened with it (and
 * rotated from those) is revoked, in Postgres and in SessionRevocations so
 * the gateway refuses their access tokens at once. Deleting an already
 * deleted certificate succeeds without another change (a retried request).
 *
 * By a deletion link (DeleteByLink): the same, except that the certificate
 * must still be active and not used since the link's last use — checked under
 * the row lock, which a login's share lock waits for — else
 * DELETE_LINK_OUTDATED; audited as a delete `via: 'email-link'`.
 */
@Injectable()
export class DeleteCertificate {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly certificates: CertificateRepository,
    private readonly security: CertificateSecurityRepository,
    private readonly sessions: SessionRepository,
    private readonly revocations: SessionRevocations,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  execute(request: CertificateRequest): Promise<{ ok: true }> {
    return this.delete({ client: request.client, accountId: request.caller.accountId, certificateId: request.certificateId });
  }

  async delete(deletion: Deletion): Promise<{ ok: true }> {
    const { accountId } = deletion;
    const revoked = await this.audit.audited('delete', deletion.client, () => this.deleteAndRevoke(deletion), () => ({
      accountId,
      details: { requestedCertificateId: deletion.certificateId, ...via(deletion) },
    }));
    // committed (its sessions revoked in Postgres): a Redis failure here is logged, not answered
    await revokeNow(this.revocations, this.logger, revoked);
    return { ok: true };
  }

  private deleteAndRevoke(deletion: Deletion): Promise<string[]> {
    const { accountId } = deletion;
    return this.db.transaction(async (tx) => {
      const certificate = await this.certificates.lockForAccount(deletion.certificateId, accountId, tx);
      if (!certificate) throw certificateNotFound();
      if (deletion.link) {
        if (certificate.status === 'deleted') throw linkOutdated('DELETED');
        if (certificate.status !== 'active') throw linkOutdated('NOT_ACTIVE');
        const state = await this.security.linkState(certificate.id, accountId, tx);
        if (state?.lastUsedAt.getTime() !== deletion.link.lastUsedAt) throw linkOutdated('USED_AGAIN');
      }
      if (certificate.status === 'deleted') return [];
      await this.certificates.markDeleted(certificate.id, tx);
      const sessionIds = await this.sessions.revokeByCertificate(certificate.id, new Date(this.clock.now()), tx);
      await this.audit.success(
        {
          action: 'delete',
          client: deletion.client,
          accountId,
          certificateId: certificate.id,
          details: { fingerprint: certificate.fingerprintSha256, previousStatus: certificate.status, revokedSessions: sessionIds.length, ...via(deletion) },
        },
        tx,
      );
      return sessionIds;
    });
  }
}

function via(deletion: Deletion): { via?: 'email-link' } {
  return deletion.link ? { via: 'email-link' } : {};
}
