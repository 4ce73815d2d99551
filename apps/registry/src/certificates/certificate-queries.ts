import { Inject, Injectable } from '@nestjs/common';
import type { CertificateView } from '@jointcert/contracts';
import { CertificateRepository, CertificateSecurityRepository } from '@jointcert/registry-db';
import { CLOCK, type Clock } from '@jointcert/common';
import { certificateNotFound } from '../shared/errors';
import { certificateView } from './certificate.view';

/** Reads of the caller's certificates, with daysLeft from the injected clock. */
@Injectable()
export class CertificateQueries {
  constructor(
    private readonly certificates: CertificateRepository,
    private readonly security: CertificateSecurityRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(accountId: string): Promise<CertificateView[]> {
    const [rows, usage] = await Promise.all([this.certificates.listForAccount(accountId), this.security.usage(accountId)]);
    const now = this.clock.now();
    return rows.map((c) => ({ ...certificateView(c, now), lastUsedAt: usage.get(c.id)?.lastUsedAt?.toISOString() ?? null }));
  }

  /** NOT_FOUND for an unknown id and for another account's certificate alike. */
  async get(accountId: string, certificateId: string): Promise<CertificateView> {
    const row = await this.certificates.findForAccount(certificateId, accountId);
    if (!row) throw certificateNotFound();
    const usage = await this.security.usage(accountId);
    return { ...certificateView(row, this.clock.now()), lastUsedAt: usage.get(row.id)?.lastUsedAt?.toISOString() ?? null };
  }
}
