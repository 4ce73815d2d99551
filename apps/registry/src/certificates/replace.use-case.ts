import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, CLOCK, type Clock } from '@jointcert/common';
import type { ReplaceRequest, ReplaceResult } from '@jointcert/contracts';
import { AccountRepository, CertificateRepository } from '@jointcert/registry-db';
import { IdentityHasher } from '../accounts/identity-hash';
import { AuditLog } from '../audit/audit-log';
import { SignatureProof, type ProofTrace } from '../proof/signature-proof';
import { accountUnknown, certificateNotFound } from '../shared/errors';
import { certificateView, newCertificate } from './certificate.view';
import { checkSuccessor } from './successor-rules';

/**
 * Replace a certificate by its successor (POST /v1/certificates/{id}/replace).
 * The NEW certificate signs the challenge (purpose 'replace', identity
 * optional); the rules are in successor-rules.ts. In one transaction, with
 * the old row locked (so a concurrent delete or replace waits and then sees
 * the outcome): old → replaced + replaced_by, new inserted active, audit row.
 */
@Injectable()
export class ReplaceCertificate {
  constructor(
    private readonly dataSource: DataSource,
    private readonly proof: SignatureProof,
    private readonly accounts: AccountRepository,
    private readonly certificates: CertificateRepository,
    private readonly identity: IdentityHasher,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(request: ReplaceRequest): Promise<ReplaceResult> {
    const trace: ProofTrace = {};
    const { accountId } = request.caller;
    try {
      const verified = await this.proof.prove(
        { challengeId: request.challengeId, signedData: request.signedData, identity: request.identity, purpose: 'replace' },
        trace,
      );
      const proofIdentityHash = verified.identityVerified && request.identity ? this.identity.hash(request.identity.idn) : null;
      const next = verified.certificate;

      return await this.dataSource.transaction(async (manager) => {
        const previous = await this.certificates.lockForAccount(request.certificateId, accountId, manager);
        if (!previous || previous.status === 'deleted') throw certificateNotFound();
        const account = await this.accounts.findById(accountId, manager);
        if (!account) throw accountUnknown();
        const check = checkSuccessor({ previous, next, accountIdentityHash: account.identityHash, proofIdentityHash });
        if (!check.ok) {
          throw new DomainError('CERT_NOT_SUCCESSOR', 'the new certificate cannot replace this one', { reason: check.reason });
        }
        if (proofIdentityHash !== null && account.identityHash === null) await this.accounts.setIdentityHashIfUnset(accountId, proofIdentityHash, manager);
        const inserted = await this.certificates.registerActive(newCertificate(accountId, next), manager);
        const replaced = await this.certificates.markReplaced(previous.id, inserted.id, manager);
        await this.audit.success(
          {
            action: 'replace',
            client: request.client,
            accountId,
            certificateId: previous.id,
            details: { fingerprint: previous.fingerprintSha256, newCertificateId: inserted.id, newFingerprint: inserted.fingerprintSha256, sameBy: check.sameBy },
          },
          manager,
        );
        const now = this.clock.now();
        return { previous: certificateView(replaced, now), certificate: certificateView(inserted, now) };
      });
    } catch (err) {
      await this.audit.failure(
        { action: 'replace', client: request.client, accountId, certificateId: null, details: { requestedCertificateId: request.certificateId, newFingerprint: trace.fingerprint ?? null } },
        err,
      );
      throw err;
    }
  }
}
