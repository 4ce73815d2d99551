import { Inject, Injectable } from '@nestjs/common';
import type { ServiceCaller } from '@jointcert/common';
import { CertificateRepository } from '@jointcert/registry-db';
import { Api, type IdentityProof, type VerifyChallengeRequest, type VerifyChallengeResult } from '@jointcert/contracts';
import { knowing } from '../audit/audit-log';
import { ChallengeStore } from '../challenges/challenge.store';
import { VERIFIER } from '../registry.tokens';
import { CertificateRateLimiter } from './certificate-rate-limiter';
import { notIncluded, signerOf, type SignerRef } from './signer-fingerprint';

export interface ProofRequest {
  challengeId: string;
  signedData: string;
  identity?: IdentityProof;
  purpose: VerifyChallengeRequest['purpose'];
}

/**
 * Proof of possession, the same for register, login and replace:
 *
 *   1. find the signer by a cheap parse of the CMS (no I/O); a login whose
 *      CMS carries no certificate names its signer by issuer and serial,
 *      found among the active registrations (the verifier gets them as
 *      `signerCertificates` and still checks everything);
 *   2. consume the challenge (atomic, single use) and count the attempt
 *      against that certificate, in one Redis round trip (RATE_LIMITED) —
 *      before anything else that can fail, so a failed attempt, for whatever
 *      reason, burns it: when step 1 failed (MALFORMED_INPUT) the challenge is
 *      consumed on its own first, and its own errors come first, as before;
 *   3. ask the verifier (signature over the nonce, chain, validity, policy,
 *      revocation, VID when identity is given). Its DomainErrors pass through
 *      unchanged; an unreachable verifier is SERVICE_UNAVAILABLE (the challenge
 *      stays consumed: there is no "un-consume" that could not be raced).
 *
 * A failure once the signer is known carries its fingerprint (for the audit
 * event: FailureFacts); on success it is the result's certificate's.
 */
@Injectable()
export class SignatureProof {
  constructor(
    private readonly challenges: ChallengeStore,
    private readonly rateLimiter: CertificateRateLimiter,
    @Inject(VERIFIER) private readonly verifier: ServiceCaller,
    private readonly certificates: CertificateRepository,
  ) {}

  async prove(request: ProofRequest): Promise<VerifyChallengeResult> {
    let signer: SignerRef;
    let registered: string[] | undefined;
    let fingerprint: string;
    try {
      signer = signerOf(request.signedData);
      if (signer.fingerprint !== undefined) fingerprint = signer.fingerprint;
      else {
        const rows = request.purpose === 'login' ? await this.certificates.findActiveByIssuerSerial(signer.issuerKey, signer.serialHex) : [];
        if (rows.length === 0) throw notIncluded();
        fingerprint = rows[0]!.fingerprintSha256;
        registered = rows.map((r) => Buffer.from(r.der).toString('base64'));
      }
    } catch (err) {
      await this.challenges.consume(request.challengeId);
      throw err;
    }
    return knowing({ fingerprint }, async () => {
      const window = this.rateLimiter.window(fingerprint);
      const { nonce, count } = await this.challenges.consumeCounting(request.challengeId, window);
      this.rateLimiter.enforce(window, count);
      return this.verifier.send(Api.verifier.verifyChallenge, {
        signedData: request.signedData,
        expectedContent: nonce,
        purpose: request.purpose,
        ...(request.identity ? { identity: request.identity } : {}),
        ...(registered ? { signerCertificates: registered } : {}),
      });
    });
  }
}
