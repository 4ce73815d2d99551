import { Inject, Injectable } from '@nestjs/common';
import { DomainError, CONFIG, CLOCK, type AppConfig, type Clock } from '@jointcert/common';
import type { RegisterRequest, RegisterResult } from '@jointcert/contracts';
import { AccountRepository, CertificateRepository, RegistryDatabase } from '@jointcert/registry-db';
import { accountView } from '../accounts/account.view';
import { IdentityHasher } from '../accounts/identity-hash';
import { AuditLog, knowing } from '../audit/audit-log';
import { SignatureProof } from '../proof/signature-proof';
import { SessionIssuer } from '../sessions/session-issuer';
import { accountUnknown } from '../shared/errors';
import { certificateView, newCertificate } from './certificate.view';

/**
 * Register a certificate (POST /v1/certificates).
 *
 * Proof of possession first (challenge consumed, rate limit, verifier). Then
 * ONE transaction:
 *  - sign-up (no caller): new account (email optional, reminder days from
 *    REMINDER_DAYS, the identity hash when a VID was verified) + the
 *    certificate + a session; the sign-up answers with tokens;
 *  - with a caller: the certificate joins the caller's account. A verified
 *    identity must be the account's (FORBIDDEN, reason IDENTITY_MISMATCH,
 *    when the account already holds another person's hash).
 * The partial unique index on active fingerprints decides races: the loser
 * gets CERT_ALREADY_REGISTERED (409) and its whole transaction, account
 * included, rolls back. A certificate that is deleted/replaced/revoked has no
 * active row and can be registered anew (a new row).
 * Audit: the success row commits with the change; a failure is recorded after.
 */
@Injectable()
export class RegisterCertificate {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly proof: SignatureProof,
    private readonly accounts: AccountRepository,
    private readonly certificates: CertificateRepository,
    private readonly sessions: SessionIssuer,
    private readonly identity: IdentityHasher,
    private readonly audit: AuditLog,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(request: RegisterRequest): Promise<RegisterResult> {
    const signUp = request.caller === undefined;
    return this.audit.audited('register', request.client, () => this.register(request, signUp), (facts) => ({
      accountId: request.caller?.accountId ?? null,
      details: { fingerprint: facts.fingerprint ?? null, signUp },
    }));
  }

  private async register(request: RegisterRequest, signUp: boolean): Promise<RegisterResult> {
    const verified = await this.proof.prove({ challengeId: request.challengeId, signedData: request.signedData, identity: request.identity, purpose: 'register' });
    const identityHash = verified.identityVerified && request.identity ? this.identity.hash(request.identity.idn) : null;
    const signer = verified.certificate;
    const auditDetails = { fingerprint: signer.fingerprintSha256, signUp, identityVerified: verified.identityVerified };

    return knowing({ fingerprint: signer.fingerprintSha256 }, () =>
      this.db.transaction(async (tx) => {
        const now = this.clock.now();
        if (request.caller) {
          const account = await this.accounts.findById(request.caller.accountId, tx);
          if (!account) throw accountUnknown();
          if (identityHash !== null) {
            if (account.identityHash !== null && account.identityHash !== identityHash) {
              throw new DomainError('FORBIDDEN', "the certificate's holder is not this account's holder", { reason: 'IDENTITY_MISMATCH' });
            }
            if (account.identityHash === null) await this.accounts.setIdentityHashIfUnset(account.id, identityHash, tx);
          }
          const certificate = await this.certificates.registerActive(newCertificate(account.id, signer), tx);
          await this.audit.success({ action: 'register', client: request.client, accountId: account.id, certificateId: certificate.id, details: auditDetails }, tx);
          return { certificate: certificateView(certificate, now) };
        }
        const account = await this.accounts.create({ email: request.email ?? null, reminderDays: [...this.config.REMINDER_DAYS], identityHash }, tx);
        const certificate = await this.certificates.registerActive(newCertificate(account.id, signer), tx);
        const view = accountView(account);
        const { tokens, sessionId } = await this.sessions.open(tx, { accountId: account.id, certificateId: certificate.id, client: request.client }, view);
        await this.audit.success(
          { action: 'register', client: request.client, accountId: account.id, certificateId: certificate.id, details: { ...auditDetails, sessionId } },
          tx,
        );
        return { certificate: certificateView(certificate, now), account: view, session: tokens };
      }),
    );
  }
}
