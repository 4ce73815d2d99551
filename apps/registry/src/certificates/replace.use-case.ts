import { Inject, Injectable } from '@nestjs/common';
import { DomainError, CLOCK, type Clock } from '@jointcert/common';
import type { ReplaceRequest, ReplaceResult } from '@jointcert/contracts';
import { AccountRepository, CertificateRepository, RegistryDatabase } from '@jointcert/registry-db';
import { IdentityHasher } from '../accounts/identity-hash';
import { AuditLog, knowing } from '../audit/audit-log';
import { SignatureProof } from '../proof/signature-proof';
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
    private readonly db: RegistryDatabase,
    private readonly proof: SignatureProof,
    private readonly accounts: AccountRepository,
    private readonly certificates: CertificateRepository,
    private readonly identity: IdentityHasher,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(request: ReplaceRequest): Promise<ReplaceResult> {
    return this.audit.audited('replace', request.client, () => this.replace(request), (facts) => ({
      accountId: request.caller.accountId,
      certificateId: null,
      details: { requestedCertificateId: request.certificateId, newFingerprint: facts.fingerprint ?? null },
    }));
  }

  private async replace(request: ReplaceRequest): Promise<ReplaceResult> {
    const { accountId } = request.caller;
    const verified = await this.proof.prove({ challengeId: request.challengeId, signedData: request.signedData, identity: request.identity, purpose: 'replace' });
    const proofIdentityHash = verified.identityVerified && request.identity ? this.identity.hash(request.identity.idn) : null;
    const next = verified.certificate;

    return knowing({ fingerprint: next.fingerprintSha256 }, () =>
      this.db.transaction(async (tx) => {
        const previous = await this.certificates.lockForAccount(request.certificateId, accountId, tx);
        if (!previous || previous.status === 'deleted') throw certificateNotFound();
        const account = await this.accounts.findById(accountId, tx);
        if (!account) throw accountUnknown();
        const check = checkSuccessor({ previous, next, accountIdentityHash: account.identityHash, proofIdentityHash });
        if (!check.ok) {
          throw new DomainError('CERT_NOT_SUCCESSOR', 'the new certificate cannot replace this one', { reason: check.reason });
        }
        if (proofIdentityHash !== null && account.identityHash === null) await this.accounts.setIdentityHashIfUnset(accountId, proofIdentityHash, tx);
        const inserted = await this.certificates.registerActive(newCertificate(accountId, next), tx);
        const replaced = await this.certificates.markReplaced(previous.id, inserted.id, tx);
        await this.audit.success(
          {
            action: 'replace',
            client: request.client,
            accountId,
            certificateId: previous.id,
            details: { fingerprint: previous.fingerprintSha256, newCertificateId: inserted.id, newFingerprint: inserted.fingerprintSha256, sameBy: check.sameBy },
          },
          tx,
        );
        const now = this.clock.now();
        return { previous: certificateView(replaced, now), certificate: certificateView(inserted, now) };
      }),
    );
  }
}
