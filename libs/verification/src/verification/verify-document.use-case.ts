/**
 * verifyDocument: a validation report for a signed document (CMS SignedData,
 * attached or detached), in the spirit of EU DSS's simple report. A signature
 * that does not verify is a report with verdict "invalid", not an error: only
 * undecodable input (bad base64, not CMS at all) is MALFORMED_INPUT.
 *
 * Per signer, the verdict is the worst of:
 *   - CMS checks (signature, messageDigest, contentType, algorithms, signer
 *     found): a failure → invalid (SIGNATURE_INVALID:<reason>);
 *   - path validation to the trust anchors at the injected clock's time:
 *     untrusted or broken chain → invalid (CHAIN_UNTRUSTED:<reason>); leaf key
 *     usage → invalid (POLICY_NOT_ACCEPTED:<reason>); only expired / not yet
 *     valid → indeterminate (CERT_EXPIRED:<reason>): without a trusted time of
 *     signing we cannot tell whether it was signed while valid;
 *   - revocation (soft-fail semantics): revoked → invalid
 *     (CERT_REVOKED:<reason>), unknown → indeterminate
 *     (REVOCATION_UNKNOWN:<reason>), never valid.
 * Detached content not supplied → indeterminate (CONTENT_MISSING); content
 * mismatch or no signer → invalid. Reasons read `<class>:<typed libs/pki
 * reason>` with the class named like the challenge flow's problem codes, or
 * plain CONTENT_MISSING. The report's
 * verdict is the worst over the message and all signers. Documents are not
 * refused by ACCEPTED_CERT_TYPES (that is a login policy); the signer's type
 * is reported.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@jointcert/common';
import { DOCUMENT_CONTENT_MAX_BYTES, SIGNED_DATA_MAX_BYTES, type ReportCheck, type SignerReport, type ValidationReport, type Verdict, type VerifyDocumentRequest } from '@jointcert/contracts';
import {
  certificatePolicyOids,
  classifyCertificate,
  isoString,
  type CmsReason,
  type CmsSignerResult,
  type CmsVerification,
  type PathResult,
  validatePath,
  type ValidationPolicy,
  verifySignedData,
} from '@jointcert/pki';
import { RevocationService } from '../revocation/revocation.service';
import { ValidationPolicies } from '../trust/validation-policies';
import { CONFIG, type Clock, CLOCK } from '@jointcert/common';
import { classifyPathFailure } from './failures';
import { decodeField, notCms } from './input';
import { algorithmName, iso, pathChecksOf, revocationViewOf, summaryOf } from './views';
import { allowedDigestsFor } from './algorithm-rules';

const RANK: Readonly<Record<Verdict, number>> = { valid: 0, indeterminate: 1, invalid: 2 };

function worst(a: Verdict, b: Verdict): Verdict {
  return RANK[b] > RANK[a] ? b : a;
}

/** Check names for CMS reason codes. */
const CMS_CHECK: Readonly<Record<CmsReason['code'], string>> = {
  MALFORMED: 'cms.structure',
  NO_SIGNERS: 'cms.signers',
  MULTIPLE_SIGNERS: 'cms.signers',
  CONTENT_MISSING: 'cms.content',
  CONTENT_MISMATCH: 'cms.content',
  SIGNER_NOT_FOUND: 'cms.signerCertificate',
  SIGNATURE_INVALID: 'cms.signature',
  DIGEST_MISMATCH: 'cms.messageDigest',
  CONTENT_TYPE_MISMATCH: 'cms.contentType',
  ALGORITHM_NOT_ALLOWED: 'cms.algorithm',
  UNSUPPORTED_ALGORITHM: 'cms.algorithm',
  ALGORITHM_MISMATCH: 'cms.algorithm',
  PATH_INVALID: 'path',
};

@Injectable()
export class VerifyDocumentUseCase {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly policies: ValidationPolicies,
    private readonly revocation: RevocationService,
  ) {}

  async execute(req: VerifyDocumentRequest): Promise<ValidationReport> {
    const signed = decodeField(req.signedData, 'signedData', SIGNED_DATA_MAX_BYTES);
    const content = req.content !== undefined ? decodeField(req.content, 'content', DOCUMENT_CONTENT_MAX_BYTES) : undefined;
    const at = this.clock.now();
    const policy = this.policies.at('document', at);
    const r = verifySignedData<PathResult>(signed, {
      at,
      ...(content ? { content } : {}),
      extraCertificates: this.policies.intermediates,
      validatePath: (leaf, intermediates) => validatePath(leaf, intermediates, policy),
      requireSingleSigner: false,
      allowedDigests: allowedDigestsFor(this.config, 'document'),
    });
    const malformed = r.reasons.find((x) => x.code === 'MALFORMED' && x.signer === undefined);
    if (malformed) throw notCms(malformed.cause);

    let verdict: Verdict = 'valid';
    const reasons: string[] = [];
    for (const m of r.reasons.filter((x) => x.signer === undefined)) {
      verdict = worst(verdict, m.code === 'CONTENT_MISSING' ? 'indeterminate' : 'invalid');
      const reason = m.code === 'CONTENT_MISSING' ? 'CONTENT_MISSING' : `SIGNATURE_INVALID:${m.code}`;
      if (!reasons.includes(reason)) reasons.push(reason);
    }
    if (r.signers.length === 0) verdict = 'invalid';
    const signers = await Promise.all(r.signers.map((s) => this.signerReport(s, r, policy, at)));
    for (const s of signers) {
      verdict = worst(verdict, s.verdict);
      for (const x of s.reasons) if (!reasons.includes(x)) reasons.push(x);
    }
    const first = r.signers[0];
    return {
      verdict,
      reasons,
      validationTime: isoString(at),
      contentType: r.contentType || null,
      contentDigest: first?.contentDigest ?? null,
      contentLength: r.content?.length ?? null,
      signers,
    };
  }

  private async signerReport(s: CmsSignerResult<PathResult>, r: CmsVerification<PathResult>, policy: ValidationPolicy, at: number): Promise<SignerReport> {
    let verdict: Verdict = 'valid';
    const reasons: string[] = [];
    const checks: ReportCheck[] = [];
    const fail = (v: Verdict, reason: string): void => {
      verdict = worst(verdict, v);
      if (!reasons.includes(reason)) reasons.push(reason);
    };

    const cmsReasons = s.reasons.filter((x) => x.code !== 'PATH_INVALID');
    if (cmsReasons.length === 0 && r.reasons.every((x) => x.signer !== undefined)) {
      checks.push({ check: 'cms.signature', ok: true });
      if (s.signedAttributes) checks.push({ check: 'cms.messageDigest', ok: true });
    }
    for (const x of cmsReasons) {
      checks.push({ check: CMS_CHECK[x.code], ok: false, reason: x.code, detail: x.detail });
      if (x.code === 'CONTENT_MISSING') fail('indeterminate', 'CONTENT_MISSING');
      else fail('invalid', `SIGNATURE_INVALID:${x.code}`);
    }

    // the path: as validated inside the CMS check, or (when the signature already failed) validated here for the report
    const cert = s.certificate;
    let path = s.path;
    if (!path && cert) path = validatePath(cert, [...r.certificates, ...this.policies.intermediates], policy);
    if (path) {
      for (const c of pathChecksOf(path.checks)) checks.push(c);
      if (!path.ok) {
        const { cls, check } = classifyPathFailure(path);
        fail(cls === 'CERT_EXPIRED' ? 'indeterminate' : 'invalid', `${cls}:${check?.reason ?? path.reasons[0] ?? 'NO_PATH'}`);
      }
    }

    let revocation: SignerReport['revocation'] = [];
    if (path?.ok) {
      const checked = await this.revocation.checkPath(path.path, at, 'soft-fail');
      revocation = checked.results.map(revocationViewOf);
      revocation.forEach((v, i) => {
        if (v.status === 'good') checks.push({ check: 'revocation', cert: i, ok: true });
        else if (v.status === 'revoked') {
          checks.push({ check: 'revocation', cert: i, ok: false, reason: 'REVOKED', detail: `revoked at ${v.revokedAt ?? '?'} (${v.reason ?? 'unspecified'})` });
          fail('invalid', `CERT_REVOKED:${v.reason ?? 'unspecified'}`);
        } else {
          checks.push({ check: 'revocation', cert: i, ok: false, reason: v.unknownReason ?? 'UNKNOWN', ...(v.detail ? { detail: v.detail } : {}) });
          fail('indeterminate', `REVOCATION_UNKNOWN:${v.unknownReason ?? 'UNKNOWN'}`);
        }
      });
    }

    const type = cert ? classifyCertificate(cert) : undefined;
    return {
      verdict,
      reasons,
      certificate: cert ? summaryOf(cert) : null,
      signingTime: iso(s.signingTime),
      digestAlgorithm: s.digest ?? s.digestAlgorithm.oid,
      signatureAlgorithm: algorithmName(s.signatureAlgorithm.oid),
      signedAttributes: s.signedAttributes,
      path: (path?.path ?? (cert ? [cert] : [])).map(summaryOf),
      checks,
      revocation,
      policyOid: cert ? (certificatePolicyOids(cert)[0] ?? null) : null,
      type: type ? `${type.holder}/${type.usage}` : null,
    };
  }
}
