import { Inject, Injectable } from '@nestjs/common';
import type { ServiceClient } from '@jointcert/common';
import { CertificateRepository } from '@jointcert/registry-db';
import { Api, type IdentityProof, type VerifyChallengeRequest, type VerifyChallengeResult } from '@jointcert/contracts';
import { ChallengeStore } from '../challenges/challenge.store';
import { VERIFIER } from '../registry.tokens';
import { CertificateRateLimiter } from './certificate-rate-limiter';
import { notIncluded, signerOf } from './signer-fingerprint';

export interface ProofRequest {
  challengeId: string;
  signedData: string;
  identity?: IdentityProof;
  purpose: VerifyChallengeRequest['purpose'];
}

/** What a proof attempt learned, for the audit event of a failure. */
export interface ProofTrace {
  fingerprint?: string;
}

/**
 * Proof of possession, the same for register, login and replace:
 *
 *   1. consume the challenge (atomic, single use) — before anything else, so a
 *      failed attempt, for whatever reason, burns it;
 *   2. find the signer's fingerprint by a cheap parse of the CMS; a login
 *      whose CMS carries no certificate names its signer by issuer and
 *      serial, found among the active registrations (the verifier gets them
 *      as `signerCertificates` and still checks everything);
 *   3. count the attempt against that certificate (RATE_LIMITED);
 *   4. ask the verifier (signature over the nonce, chain, validity, policy,
 *      revocation, VID when identity is given). Its DomainErrors pass through
 *      unchanged; an unreachable verifier is SERVICE_UNAVAILABLE (the challenge
 *      stays consumed: there is no "un-consume" that could not be raced).
 */
@Injectable()
export class SignatureProof {
  constructor(
    private readonly challenges: ChallengeStore,
    private readonly rateLimiter: CertificateRateLimiter,
    @Inject(VERIFIER) private readonly verifier: ServiceClient,
    private readonly certificates: CertificateRepository,
  ) {}

  async prove(request: ProofRequest, trace: ProofTrace): Promise<VerifyChallengeResult> {
    const nonce = await this.challenges.consume(request.challengeId);
    const signer = signerOf(request.signedData);
    let registered: string[] | undefined;
    let fingerprint: string;
    if (signer.fingerprint !== undefined) fingerprint = signer.fingerprint;
    else {
      const rows = request.purpose === 'login' ? await this.certificates.findActiveByIssuerSerial(signer.issuerKey, signer.serialHex) : [];
      if (rows.length === 0) throw notIncluded();
      fingerprint = rows[0]!.fingerprintSha256;
      registered = rows.map((r) => Buffer.from(r.der).toString('base64'));
    }
    trace.fingerprint = fingerprint;
    await this.rateLimiter.hit(fingerprint);
    const result = await this.verifier.send(Api.verifier.verifyChallenge, {
      signedData: request.signedData,
      expectedContent: nonce,
      purpose: request.purpose,
      ...(request.identity ? { identity: request.identity } : {}),
      ...(registered ? { signerCertificates: registered } : {}),
    });
    trace.fingerprint = result.certificate.fingerprintSha256;
    return result;
  }
}
