/**
 * verifyChallenge (register / login / replace): is this a signature of the
 * challenge nonce by a certificate this site accepts, now?
 *
 * Steps, cheapest refusal first, each failure a DomainError with the typed
 * libs/pki reason in `extra.reason` (see failures.ts):
 *   1. strict base64 (MALFORMED_INPUT; the shape and sizes are the contract's, checked by @Handles);
 *   2. verifySignedData: exactly one signer, the signed content one of the
 *      challenge's accepted forms (content-binding.ts: the raw nonce, its
 *      text in UTF-8 or EUC-KR, the site's template; a detached signature is
 *      checked against each server-known form), SHA-1 only where
 *      ALLOW_SHA1_FOR names the flow, signer certificate from the message, the
 *      registered certificates the registry passes (`signerCertificates`, for
 *      a CMS without certificates) or the configured
 *      intermediates, path validation to the trust anchors at the injected
 *      clock's time with the purpose's policy (SIGNATURE_INVALID,
 *      CHAIN_UNTRUSTED, CERT_EXPIRED, POLICY_NOT_ACCEPTED, MALFORMED_INPUT);
 *   3. the accepted certificate types (ACCEPTED_CERT_TYPES) on the signer's
 *      first policy OID (POLICY_NOT_ACCEPTED, reason POLICY_NOT_ACCEPTED /
 *      POLICY_UNKNOWN / NO_POLICY);
 *   4. the VID when `identity` is given (VID_MISMATCH; reason NO_IDENTIFY_DATA
 *      when the certificate carries none) — before revocation, so a wrong
 *      identity costs no OCSP/CRL traffic;
 *   5. revocation of every non-anchor certificate of the path under
 *      REVOCATION_POLICY (CERT_REVOKED with revokedAt and reason;
 *      REVOCATION_UNKNOWN under hard-fail; soft-fail accepts and reports the
 *      unknown status in `revocation`).
 * Never logs or returns the idn or R.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, malformedField, CONFIG, CLOCK, type AppConfig, type Clock } from '@jointcert/common';
import {
  ENCRYPTED_RANDOM_MAX_BYTES,
  EXPECTED_CONTENT_MAX_BYTES,
  RANDOM_NUM_BYTES,
  SIGNED_DATA_MAX_BYTES,
  SIGNER_CERTIFICATE_MAX_BYTES,
  SIGNER_CERTIFICATES_MAX,
  type IdentityProof,
  type RevocationCheckView,
  type VerifyChallengeRequest,
  type VerifyChallengeResult,
} from '@jointcert/contracts';
import {
  type Certificate,
  type CmsVerification,
  checkCertificatePolicy,
  parseCertificate,
  type VerifySignedDataOptions,
  identifyDataOf,
  type IdentifyData,
  isPkiError,
  type PathResult,
  validatePath,
  verifySignedData,
  verifyVid,
} from '@jointcert/pki';
import { type PathRevocation, RevocationService } from '../revocation/revocation.service';
import { ValidationPolicies } from '../trust/validation-policies';
import { allowedDigestsFor } from './algorithm-rules';
import { ChallengeContent, ChallengeTemplate } from './content-binding';
import { cmsFailure } from './failures';
import { ServerKmKey } from './server-km-key';
import { decodeField } from './input';
import { iso, revocationViewOf, signerCertificateOf } from './views';

@Injectable()
export class VerifyChallengeUseCase {
  private readonly template: ChallengeTemplate | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly policies: ValidationPolicies,
    private readonly revocation: RevocationService,
    private readonly km: ServerKmKey,
  ) {
    // a bad template stops the verifier at boot, naming the problem
    this.template = config.CHALLENGE_TEMPLATE ? ChallengeTemplate.parse(config.CHALLENGE_TEMPLATE) : undefined;
  }

  async execute(req: VerifyChallengeRequest): Promise<VerifyChallengeResult> {
    const signed = decodeField(req.signedData, 'signedData', SIGNED_DATA_MAX_BYTES);
    const nonce = decodeField(req.expectedContent, 'expectedContent', EXPECTED_CONTENT_MAX_BYTES);
    const randomNum = req.identity ? this.randomNumOf(req.identity) : undefined;

    const at = this.clock.now();
    const policy = this.policies.at(req.purpose, at);
    const content = new ChallengeContent(nonce, { siteName: this.config.SITE_NAME, ...(this.template ? { template: this.template } : {}) });
    const r = this.verifyBound(signed, content, {
      at,
      acceptContent: (c) => content.formOf(c) !== undefined,
      extraCertificates: this.extraCertificates(req.signerCertificates),
      validatePath: (leaf, intermediates) => validatePath(leaf, intermediates, policy),
      requireSingleSigner: true,
      allowedDigests: allowedDigestsFor(this.config, req.purpose),
    });
    const signer = r.signers[0];
    if (!r.ok || !signer?.certificate || !signer.path?.ok) throw cmsFailure(r, at);
    const cert = signer.certificate;

    this.checkAcceptedType(cert);
    const identityVerified = req.identity && randomNum ? this.checkIdentity(cert, req.identity, randomNum) : false;
    const revocation = await this.checkRevocation(signer.path, at);

    return {
      certificate: signerCertificateOf(cert),
      identityVerified,
      signingTime: iso(signer.signingTime),
      revocation,
    };
  }

  /**
   * Attached: one verification, the content checked by `acceptContent`.
   * Detached: the server knows the candidates, so each is tried as the
   * content until one verifies (a wrong candidate fails on its digest or
   * signature, before any path work); when every candidate's digest differs
   * the answer is CONTENT_MISMATCH, not a signature failure.
   */
  private verifyBound(signed: Buffer, content: ChallengeContent, opts: VerifySignedDataOptions<PathResult>): CmsVerification<PathResult> {
    const first = verifySignedData<PathResult>(signed, opts);
    if (!first.detached || !first.reasons.some((x) => x.code === 'CONTENT_MISSING')) return first;
    let last = first;
    let allDigestsDiffer = true;
    for (const c of content.candidates) {
      const r = verifySignedData<PathResult>(signed, { ...opts, content: c.bytes });
      if (r.ok) return r;
      last = r;
      if (!r.reasons.some((x) => x.code === 'DIGEST_MISMATCH')) allDigestsDiffer = false;
    }
    if (!allDigestsDiffer) return last;
    return { ...last, reasons: [{ code: 'CONTENT_MISMATCH', detail: 'the detached signature covers none of the accepted contents (nonce, textToSign in UTF-8 or EUC-KR, template)' }] };
  }

  /** Registered certificates the registry found by issuer and serial (a CMS without certificates), beside the intermediates. */
  private extraCertificates(signerCertificates: readonly string[] | undefined): readonly Certificate[] {
    if (!signerCertificates || signerCertificates.length === 0) return this.policies.intermediates;
    const registered = signerCertificates.slice(0, SIGNER_CERTIFICATES_MAX).map((b64, i) => {
      try {
        return parseCertificate(decodeField(b64, `signerCertificates.${i}`, SIGNER_CERTIFICATE_MAX_BYTES));
      } catch (e) {
        if (e instanceof DomainError) throw e;
        throw malformedField(`signerCertificates.${i}`, 'is not a certificate', { reason: 'MALFORMED_CERTIFICATE' });
      }
    });
    return [...registered, ...this.policies.intermediates];
  }

  /** R in the clear, or decrypted from identity.encryptedRandom with the server KM key (DECRYPTION_FAILED otherwise). */
  private randomNumOf(identity: IdentityProof): Buffer {
    if (identity.encryptedRandom !== undefined) return this.km.decrypt(decodeField(identity.encryptedRandom, 'identity.encryptedRandom', ENCRYPTED_RANDOM_MAX_BYTES));
    return decodeField(identity.randomNum ?? '', 'identity.randomNum', RANDOM_NUM_BYTES);
  }

  private checkAcceptedType(cert: Certificate): void {
    const p = checkCertificatePolicy(cert, this.policies.accepted);
    if (p.ok) return;
    throw new DomainError('POLICY_NOT_ACCEPTED', 'this type of certificate is not accepted here', {
      reason: p.reason,
      policyOid: p.oid,
      certType: p.type ? `${p.type.holder}/${p.type.usage}` : undefined,
      typeLabel: p.type?.label,
      ca: p.type?.ca,
      accepted: this.config.ACCEPTED_CERT_TYPES,
    });
  }

  private checkIdentity(cert: Certificate, identity: IdentityProof, randomNum: Buffer): true {
    let data: IdentifyData;
    try {
      data = identifyDataOf(cert);
    } catch (e) {
      const reason = isPkiError(e, 'NO_IDENTIFY_DATA') ? 'NO_IDENTIFY_DATA' : 'MALFORMED_IDENTIFY_DATA';
      throw new DomainError('VID_MISMATCH', reason === 'NO_IDENTIFY_DATA' ? 'the certificate carries no identity data (VID) to check against' : 'the identity data in the certificate is malformed', { reason });
    }
    const v = verifyVid(data, identity.idn, randomNum);
    if (v.ok) return true;
    if (v.reason === 'IDN_MALFORMED') throw malformedField('identity.idn', 'must be 10 or 13 digits', { reason: v.reason });
    throw new DomainError('VID_MISMATCH', 'the identity does not match the certificate', { reason: v.reason });
  }

  private async checkRevocation(path: PathResult, at: number): Promise<RevocationCheckView[]> {
    const checked: PathRevocation = await this.revocation.checkPath(path.path, at, this.config.REVOCATION_POLICY);
    const views = checked.results.map(revocationViewOf);
    const { verdict } = checked;
    if (verdict.accepted) return views;
    if (verdict.reason === 'REVOKED') {
      const v = views[verdict.revoked[0]!]!;
      throw new DomainError('CERT_REVOKED', `the certificate ${v.subject} was revoked`, {
        reason: v.reason ?? 'unspecified',
        revokedAt: v.revokedAt,
        subject: v.subject,
        serialHex: v.serialHex,
        source: v.source,
        revocation: views,
      });
    }
    const v = views[verdict.unknown[0]!]!;
    throw new DomainError('REVOCATION_UNKNOWN', `the revocation status of ${v.subject} could not be determined`, {
      reason: v.unknownReason,
      reasonDetail: v.detail,
      subject: v.subject,
      serialHex: v.serialHex,
      revocation: views,
    });
  }
}
