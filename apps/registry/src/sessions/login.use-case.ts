import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@jointcert/common';
import type { LoginRequest, SessionTokens } from '@jointcert/contracts';
import { AccountRepository, CertificateRepository } from '@jointcert/registry-db';
import { accountView } from '../accounts/account.view';
import { AuditLog } from '../audit/audit-log';
import { SignatureProof, type ProofTrace } from '../proof/signature-proof';
import { accountUnknown } from '../shared/errors';
import { SessionIssuer } from './session-issuer';

/**
 * Log in (POST /v1/sessions): proof of possession (purpose 'login'), then
 * the ACTIVE registration of the signer's certificate. A valid certificate
 * that is not registered (never, or deleted/replaced) is CERT_NOT_REGISTERED
 * (401): the frontend offers registration. The certificate row is
 * share-locked while the session is made, so a concurrent delete either comes
 * first (no active row: refused) or after (and revokes the new session). The
 * session and its audit row commit together.
 */
@Injectable()
export class LogIn {
  constructor(
    private readonly dataSource: DataSource,
    private readonly proof: SignatureProof,
    private readonly accounts: AccountRepository,
    private readonly certificates: CertificateRepository,
    private readonly sessions: SessionIssuer,
    private readonly audit: AuditLog,
  ) {}

  async execute(request: LoginRequest): Promise<SessionTokens> {
    const trace: ProofTrace = {};
    let accountId: string | null = null;
    let certificateId: string | null = null;
    try {
      const verified = await this.proof.prove({ challengeId: request.challengeId, signedData: request.signedData, purpose: 'login' }, trace);
      const fingerprint = verified.certificate.fingerprintSha256;
      return await this.dataSource.transaction(async (manager) => {
        const certificate = await this.certificates.lockActiveByFingerprint(fingerprint, manager);
        if (!certificate) throw new DomainError('CERT_NOT_REGISTERED', 'this certificate is not registered; register it first');
        accountId = certificate.accountId;
        certificateId = certificate.id;
        const account = await this.accounts.findById(certificate.accountId, manager);
        if (!account) throw accountUnknown();
        const { tokens, sessionId } = await this.sessions.open(manager, { accountId: account.id, certificateId: certificate.id, client: request.client }, accountView(account));
        await this.audit.success({ action: 'login', client: request.client, accountId: account.id, certificateId: certificate.id, details: { fingerprint, sessionId } }, manager);
        return tokens;
      });
    } catch (err) {
      await this.audit.failure({ action: 'login', client: request.client, accountId, certificateId, details: { fingerprint: trace.fingerprint ?? null } }, err);
      throw err;
    }
  }
}
