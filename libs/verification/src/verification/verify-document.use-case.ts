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
import { DOCUMENT_CONTENT_MAX_BYTES, SIGNED_DATA_MAX_BYTES, type ReportCheck, type RevocationCheckView, type SignerReport, type ValidationReport, type Verdict, type VerifyDocumentRequest } from '@jointcert/contracts';
import {
  type Certificate,
  type CertificateRevocation,
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
import { algorithmName, LastIso, pathChecksOf, pathSummariesOf, revocationViewOf, signerFactsOf, summaryOf } from './views';
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

  // the same instant and signing time for many requests in a row: their ISO text kept once
  private readonly validationTime = new LastIso();
  private readonly signingTime = new LastIso();

  /**
   * The report. It is built in this call when nothing waits — a repeat
   * signer's revocation answered from memory (RevocationChecker#checkPathNowOrLater)
   * — and only a signer whose revocation must be asked for waits; either way
   * one promise, which rejects with what the build throws.
   */
  execute(req: VerifyDocumentRequest): Promise<ValidationReport> {
    try {
      const report = this.report(req);
      return report instanceof Promise ? report : Promise.resolve(report);
    } catch (e) {
      // what the build threw, as the async function's rejection it used to be
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(e);
    }
  }

  /** The report, as a value when nothing waits (see execute); throws what execute rejects with. For a caller that takes either (the message handler). */
  report(req: VerifyDocumentRequest): ValidationReport | Promise<ValidationReport> {
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

    const signers: Array<SignerReport | Promise<SignerReport>> = [];
    let waiting = false;
    for (const s of r.signers) {
      const x = this.signerReport(s, r, policy, at);
      if (x instanceof Promise) waiting = true;
      signers.push(x);
    }
    if (!waiting) return this.whole(r, at, signers as SignerReport[]);
    return Promise.all(signers.map((x) => Promise.resolve(x))).then((all) => this.whole(r, at, all));
  }

  private whole(r: CmsVerification<PathResult>, at: number, signers: SignerReport[]): ValidationReport {
    let verdict: Verdict = 'valid';
    const reasons: string[] = [];
    for (const m of r.reasons) {
      if (m.signer !== undefined) continue;
      verdict = worst(verdict, m.code === 'CONTENT_MISSING' ? 'indeterminate' : 'invalid');
      const reason = m.code === 'CONTENT_MISSING' ? 'CONTENT_MISSING' : `SIGNATURE_INVALID:${m.code}`;
      if (!reasons.includes(reason)) reasons.push(reason);
    }
    if (r.signers.length === 0) verdict = 'invalid';
    for (const s of signers) {
      verdict = worst(verdict, s.verdict);
      for (const x of s.reasons) if (!reasons.includes(x)) reasons.push(x);
    }
    const first = r.signers[0];
    return {
      verdict,
      reasons,
      validationTime: this.validationTime.of(at)!,
      contentType: r.contentType || null,
      contentDigest: first?.contentDigest ?? null,
      contentLength: r.content?.length ?? null,
      signers,
    };
  }

  /** A signer's report; a promise only when its revocation must be asked for (not known in memory). */
  private signerReport(s: CmsSignerResult<PathResult>, r: CmsVerification<PathResult>, policy: ValidationPolicy, at: number): SignerReport | Promise<SignerReport> {
    const draft = new SignerDraft();
    let cmsOk = true;
    for (const x of s.reasons) {
      if (x.code === 'PATH_INVALID') continue;
      cmsOk = false;
      draft.cms.push({ check: CMS_CHECK[x.code], ok: false, reason: x.code, detail: x.detail });
      if (x.code === 'CONTENT_MISSING') draft.fail('indeterminate', 'CONTENT_MISSING');
      else draft.fail('invalid', `SIGNATURE_INVALID:${x.code}`);
    }
    if (cmsOk) {
      draft.cmsShared = true;
      if (r.reasons.every((x) => x.signer !== undefined)) draft.cms.push(CMS_SIGNATURE_OK, ...(s.signedAttributes ? [CMS_DIGEST_OK] : []));
    }

    // the path: as validated inside the CMS check, or (when the signature already failed) validated here for the report
    const cert = s.certificate;
    let path = s.path;
    if (!path && cert) path = validatePath(cert, [...r.certificates, ...this.policies.intermediates], policy);
    if (path) {
      draft.path = pathChecksOf(path.checks);
      if (!path.ok) {
        const { cls, check } = classifyPathFailure(path);
        draft.fail(cls === 'CERT_EXPIRED' ? 'indeterminate' : 'invalid', `${cls}:${check?.reason ?? path.reasons[0] ?? 'NO_PATH'}`);
      }
    }

    if (!path?.ok) return this.signer(draft, s, cert, path, []);
    const results = this.revocation.checker.checkPathNowOrLater(path.path, at);
    return Array.isArray(results) ? this.signer(draft, s, cert, path, results) : results.then((all) => this.signer(draft, s, cert, path, all));
  }

  private signer(draft: SignerDraft, s: CmsSignerResult<PathResult>, cert: Certificate | undefined, path: PathResult | undefined, results: readonly CertificateRevocation[]): SignerReport {
    const revocation = results.map(revocationViewOf);
    const checks = draft.checks(revocation); // before the verdict is read: a revoked or unknown certificate fails the signer
    const facts = cert ? signerFactsOf(cert) : undefined;
    return {
      verdict: draft.verdict,
      reasons: draft.reasons,
      certificate: cert ? summaryOf(cert) : null,
      signingTime: this.signingTime.of(s.signingTime),
      digestAlgorithm: s.digest ?? s.digestAlgorithm.oid,
      signatureAlgorithm: algorithmName(s.signatureAlgorithm.oid),
      signedAttributes: s.signedAttributes,
      path: path ? pathSummariesOf(path.path) : cert ? [summaryOf(cert)] : [],
      checks,
      revocation,
      policyOid: facts?.policyOid ?? null,
      type: facts?.type ?? null,
    };
  }
}

/** A signer's verdict, reasons and checks as they are found: the CMS checks, the path's, then (checks()) revocation's. */
class SignerDraft {
  verdict: Verdict = 'valid';
  readonly reasons: string[] = [];
  readonly cms: ReportCheck[] = [];
  /** cms holds only the shared "ok" checks (or none). */
  cmsShared = false;
  path: readonly ReportCheck[] = NO_CHECKS;

  fail(v: Verdict, reason: string): void {
    this.verdict = worst(this.verdict, v);
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }

  /**
   * Every check, in order, with the revocation views' (documents are
   * soft-fail: revoked → invalid, unknown → indeterminate). When every part
   * is shared and frozen — the CMS "ok" checks, a cached path's check views,
   * every certificate good — the list is too (sharedChecks).
   */
  checks(revocation: readonly RevocationCheckView[]): ReportCheck[] {
    if (this.cmsShared && Object.isFrozen(this.path) && revocation.every((v) => v.status === 'good')) return sharedChecks(this.cms.length, this.path, revocation.length);
    const checks = [...this.cms, ...this.path];
    revocation.forEach((v, i) => {
      if (v.status === 'good') checks.push(revocationGood(i));
      else if (v.status === 'revoked') {
        checks.push({ check: 'revocation', cert: i, ok: false, reason: 'REVOKED', detail: `revoked at ${v.revokedAt ?? '?'} (${v.reason ?? 'unspecified'})` });
        this.fail('invalid', `CERT_REVOKED:${v.reason ?? 'unspecified'}`);
      } else {
        checks.push({ check: 'revocation', cert: i, ok: false, reason: v.unknownReason ?? 'UNKNOWN', ...(v.detail ? { detail: v.detail } : {}) });
        this.fail('indeterminate', `REVOCATION_UNKNOWN:${v.unknownReason ?? 'UNKNOWN'}`);
      }
    });
    return checks;
  }
}

const NO_CHECKS: readonly ReportCheck[] = Object.freeze([]);

/** The checks list of `cms` shared "ok" checks (0: none, 1: the signature's, 2: and the messageDigest's), a path's frozen views and `good` good revocations: one frozen list per path views list. */
const sharedCheckLists = new WeakMap<readonly ReportCheck[], Map<number, ReportCheck[]>>();
function sharedChecks(cms: number, path: readonly ReportCheck[], good: number): ReportCheck[] {
  let lists = sharedCheckLists.get(path);
  if (lists === undefined) sharedCheckLists.set(path, (lists = new Map<number, ReportCheck[]>()));
  const key = cms * 1024 + good;
  let list = lists.get(key);
  if (list === undefined) {
    list = Object.freeze([...[CMS_SIGNATURE_OK, CMS_DIGEST_OK].slice(0, cms), ...path, ...Array.from({ length: good }, (_, i) => revocationGood(i))]) as ReportCheck[];
    lists.set(key, list);
  }
  return list;
}

// checks that read the same for every signer, shared frozen
const CMS_SIGNATURE_OK: ReportCheck = Object.freeze({ check: 'cms.signature', ok: true });
const CMS_DIGEST_OK: ReportCheck = Object.freeze({ check: 'cms.messageDigest', ok: true });
const REVOCATION_GOOD: ReportCheck[] = [];
function revocationGood(cert: number): ReportCheck {
  return (REVOCATION_GOOD[cert] ??= Object.freeze({ check: 'revocation', cert, ok: true }));
}

