import { Inject, Injectable } from '@nestjs/common';
import type { CertificateView } from '@jointcert/contracts';
import { CertificateRepository } from '@jointcert/registry-db';
import { CLOCK, type Clock } from '../registry.tokens';
import { certificateNotFound } from '../shared/errors';
import { certificateView } from './certificate.view';

/** Reads of the caller's certificates, with daysLeft from the injected clock. */
@Injectable()
export class CertificateQueries {
  constructor(
    private readonly certificates: CertificateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(accountId: string): Promise<CertificateView[]> {
    const rows = await this.certificates.listForAccount(accountId);
    const now = this.clock.now();
    return rows.map((c) => certificateView(c, now));
  }

  /** NOT_FOUND for an unknown id and for another account's certificate alike. */
  async get(accountId: string, certificateId: string): Promise<CertificateView> {
    const row = await this.certificates.findForAccount(certificateId, accountId);
    if (!row) throw certificateNotFound();
    return certificateView(row, this.clock.now());
  }
}
