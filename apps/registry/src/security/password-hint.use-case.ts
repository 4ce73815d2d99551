import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, DomainError, type Clock } from '@jointcert/common';
import type { CertificateView, PasswordChangedRequest } from '@jointcert/contracts';
import { CertificateSecurityRepository, RegistryDatabase } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';
import { CertificateQueries } from '../certificates/certificate-queries';
import { certificateNotFound } from '../shared/errors';

/** A reported change time may run ahead of the registry's clock by this much (client clocks drift); it is stored as now. */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * PUT /v1/certificates/{id}/password-changed: the holder's client changed the
 * certificate password (changeKeyPassword, `jointcert npki passwd`) and says
 * so. Only the time is kept — certificates.password_changed_at, never earlier
 * than a time already reported — for the opt-in password reminder; the
 * password never reaches the server. Audited.
 */
@Injectable()
export class PasswordHints {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly security: CertificateSecurityRepository,
    private readonly queries: CertificateQueries,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async report(request: PasswordChangedRequest): Promise<CertificateView> {
    const { accountId } = request.caller;
    const now = this.clock.now();
    const at = request.changedAt === undefined ? now : Date.parse(request.changedAt);
    try {
      if (at > now + FUTURE_SKEW_MS) throw new DomainError('MALFORMED_INPUT', 'changedAt lies in the future', { errors: [{ field: 'changedAt', message: 'must not be in the future' }] });
      await this.db.transaction(async (manager) => {
        if (!(await this.security.recordPasswordChange(request.certificateId, accountId, new Date(Math.min(at, now)), manager))) throw certificateNotFound();
        await this.audit.success(
          { action: 'certificate.password-changed', client: request.client, accountId, certificateId: request.certificateId, details: { changedAt: new Date(Math.min(at, now)).toISOString(), bySession: request.caller.sessionId } },
          manager,
        );
      });
    } catch (err) {
      await this.audit.failure({ action: 'certificate.password-changed', client: request.client, accountId, details: { requestedCertificateId: request.certificateId } }, err);
      throw err;
    }
    return this.queries.get(accountId, request.certificateId);
  }
}
