import { Injectable } from '@nestjs/common';
import { currentRequestId, DomainError } from '@jointcert/common';
import type { LoginRequest, SessionTokens } from '@jointcert/contracts';
import { CertificateSecurityRepository, LoginRepository } from '@jointcert/registry-db';
import { accountView } from '../accounts/account.view';
import { AuditLog, knowing, withFacts } from '../audit/audit-log';
import { RequestResults } from '../idempotency/request-results';
import { SignatureProof } from '../proof/signature-proof';
import { accountUnknown, certificateLocked } from '../shared/errors';
import { loginRecord } from './login-replay';
import { SessionIssuer } from './session-issuer';

/**
 * Log in (POST /v1/sessions): proof of possession (purpose 'login'), then
 * the ACTIVE registration of the signer's certificate. A valid certificate
 * that is not registered (never, or deleted/replaced) is CERT_NOT_REGISTERED
 * (401): the frontend offers registration. The certificate row is
 * share-locked while the session is made, so a concurrent delete either comes
 * first (no active row: refused) or after (and revokes the new session). The
 * session and its audit row commit together: one statement
 * (LoginRepository.openSession), one round trip to Postgres, which also
 * records the result for repeats when the message carried an idempotency key
 * (the draft sealed beforehand, see login-replay.ts). Under load that
 * statement carries the other logins waiting beside this one (group commit),
 * each with the outcome it would have had alone.
 */
@Injectable()
export class LogIn {
  constructor(
    private readonly proof: SignatureProof,
    private readonly logins: LoginRepository,
    private readonly sessions: SessionIssuer,
    private readonly audit: AuditLog,
    private readonly results: RequestResults,
    private readonly security: CertificateSecurityRepository,
  ) {}

  execute(request: LoginRequest): Promise<SessionTokens> {
    return this.audit.audited('login', request.client, () => this.logIn(request), (facts) => ({
      accountId: facts.accountId ?? null,
      certificateId: facts.certificateId ?? null,
      details: { fingerprint: facts.fingerprint ?? null },
    }));
  }

  private async logIn(request: LoginRequest): Promise<SessionTokens> {
    const verified = await this.proof.prove({ challengeId: request.challengeId, signedData: request.signedData, purpose: 'login' });
    const fingerprint = verified.certificate.fingerprintSha256;
    return knowing({ fingerprint }, async () => {
      const draft = this.sessions.draft(request.client);
      const record = this.results.sealedForStatement(loginRecord(draft));
      const outcome = await this.logins.openSession({
        fingerprintSha256: fingerprint,
        sessionId: draft.id,
        familyId: draft.familyId,
        refreshTokenHash: draft.refreshTokenHash,
        expiresAt: draft.expiresAt,
        ip: draft.ip,
        userAgent: draft.userAgent,
        requestId: currentRequestId() ?? null,
        record,
      });
      switch (outcome.kind) {
        case 'not-registered':
          if (await this.security.isLockedFingerprint(fingerprint)) throw certificateLocked();
          throw new DomainError('CERT_NOT_REGISTERED', 'this certificate is not registered; register it first');
        case 'account-missing':
          throw withFacts(accountUnknown(), { accountId: outcome.accountId, certificateId: outcome.certificateId });
        case 'opened':
          record?.done();
          return this.sessions.tokens(draft, outcome.account.id, accountView(outcome.account));
      }
    });
  }
}
