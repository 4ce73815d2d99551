/**
 * THE CRL engine: every CRL answer in jointcert comes from here (production
 * through revocation/crl-source.ts FetchingCrlSource, and crl/check.ts
 * checkCrl is a thin adapter over it); PKITS 247/247 runs through the
 * production path (path/pkits.spec.ts).
 *
 * Supported subset of RFC 5280 §6.3: complete CRLs and delta CRLs (one delta
 * per complete CRL, §5.2.4 pairing by BaseCRLNumber); distribution points by
 * fullName, nameRelativeToCRLIssuer and cRLIssuer; IssuingDistributionPoint
 * scope (point names, onlyContainsUserCerts/CACerts, onlySomeReasons;
 * onlyContainsAttributeCerts never in scope); indirect CRLs with
 * certificateIssuer entries; reason-partitioned CRLs combined until every
 * reason is covered; CRL signers other than the issuer (separate keys,
 * indirect issuers, key rollover) validated to the same anchor with their own
 * revocation, bounded depth; cRLNumber required and non-critical (§5.2.3);
 * unknown critical CRL or entry extensions make a CRL unusable. Not
 * supported: attribute certificates, CRLs fetched by the engine itself (the
 * source fetches), delta chains beyond one level, freshness policies other
 * than thisUpdate/nextUpdate with a skew.
 *
 * CRL-based revocation for a validated path: RFC 5280 §6.3 for every
 * certificate of `result.path` except the trust anchor, with CRLs the caller
 * already has (fetched, cached, or a conformance corpus). Synchronous and
 * clock-free: the time is `opts.at`.
 *
 * Per certificate (issuer = the next certificate of the path, or the anchor),
 * reasons_mask starts empty and, for each of its distribution points (one
 * nameless point when it has no cRLDistributionPoints) and each complete CRL
 * naming a suitable issuer — newest first (thisUpdate, then cRLNumber) — until
 * every reason is covered or the certificate is found revoked:
 *   (b) scope: the CRL issuer is the certificate issuer, or the point's
 *       cRLIssuer with the CRL marked indirect; the IssuingDistributionPoint
 *       names the point (fullName, nameRelativeToCRLIssuer, or the point's
 *       cRLIssuer when it names no point); onlyContainsUserCerts/CACerts match
 *       basicConstraints; never onlyContainsAttributeCerts;
 *       no unknown critical CRL or entry extension; a cRLNumber, non-critical
 *       (RFC 5280 §5.2.3; else CRL_PROFILE: such a CRL is never evidence);
 *   (d)(e) interim_reasons_mask = the point's reasons ∩ onlySomeReasons; a CRL
 *       that adds no reason is skipped;
 *   (f)(g) signer: the certificate's issuer itself (its working key, so DSA
 *       parameter inheritance applies), else another certificate with the CRL
 *       issuer's name (separate CRL-signing keys, indirect CRLs, key rollover)
 *       from `opts.certificates` or the path: its signature on the CRL is
 *       checked, then its own path is validated by validatePath to the SAME
 *       trust anchor with keyUsage cRLSign, then that path's revocation is
 *       checked the same way (recursion bounded by `maxCrlIssuerDepth`; a
 *       signer whose revocation is being checked further up is not re-entered:
 *       a CRL issuer may be responsible for its own certificate, PKITS 4.14.30);
 *       keyUsage without cRLSign → UNAUTHORIZED_RESPONDER;
 *       thisUpdate ≤ at + skew ≤ nextUpdate + 2·skew, no nextUpdate → STALE;
 *   (a)(c)(h) delta CRLs: the newest usable delta of the same issuer and scope
 *       whose BaseCRLNumber ≤ the complete CRL's number < its cRLNumber,
 *       signed by the same signer and fresh; a delta that cannot be used is
 *       noted and the complete CRL answers alone;
 *   (i)(j)(k) the delta first (removeFromCRL there → not revoked), then the
 *       complete CRL (removeFromCRL in a complete CRL makes it unusable);
 *       certificateHold counts as revoked (reason 'certificateHold').
 * A certificate is good when the reasons it was checked for cover every
 * reason; revoked as soon as a usable CRL lists it; otherwise unknown with the
 * most telling failure: NO_SOURCE (no CRL names its issuer), BAD_SIGNATURE,
 * STALE, UNKNOWN_CRITICAL_EXTENSION, UNAUTHORIZED_RESPONDER, MALFORMED_RESPONSE
 * from a CRL in scope, else SCOPE_MISMATCH (CRLs of the issuer, none in scope,
 * or only some reasons covered).
 *
 * Newest first: when two usable CRLs disagree, the newest answers (an older one
 * may still list a released hold); only complete CRLs of the same scope are
 * compared that way, and each is fully verified before it counts.
 */
import type { Certificate, DistributionPoint, ReasonFlag, SubjectPublicKeyInfo } from '../cert/types';
import { ALL_REVOCATION_REASON_FLAGS } from '../cert/types';
import { hasDsaParameters, type AlgorithmPolicy, type SignatureCheck } from '../crypto/signature';
import { PkiError } from '../errors';
import { validatePath } from '../path/build';
import { createValidationPolicy } from '../path/policy';
import { isCertificateAnchor, type TrustAnchor } from '../path/trust-anchor';
import { isoTime, pathWorkingKeys } from '../path/process';
import type { ProfileRule } from '../path/profile';
import type { PathResult } from '../path/result';
import { intersects, keysOf, relativeToFullName } from './crl/dp-names';
import { crlProfileProblem } from './crl/profile';
import type { Crl, CrlEntryHit } from './crl/types';
import { crlSignerProblem, verifyCrlSignature, verifyCrlSignatureWithKey } from './crl/verify';
import type { RevocationEvidence, RevocationStatus, RevocationUnknownReason } from './types';

export interface CrlPathOptions {
  /** Validation time, epoch ms (CRL freshness, and the CRL issuers' paths). */
  at: number;
  /** Clock skew tolerated on thisUpdate/nextUpdate. */
  maxSkewMs: number;
  algorithms: AlgorithmPolicy;
  /** Candidates for CRL issuer certificates and their paths (indirect CRLs, separate CRL-signing keys, rolled-over keys). */
  certificates?: readonly Certificate[];
  /** The relying party's trust anchors: `result.anchor` must be one of them (a PathResult is data; this ties it to the caller's trust). */
  anchors: readonly TrustAnchor[];
  /** How deep CRL issuer paths are followed (a CRL issuer's CRL issuer ...). Default 3. */
  maxCrlIssuerDepth?: number;
  /** RFC 5280 profile exceptions for the CRL issuers' paths (as the certificate path's policy: ValidationPolicy.profileExceptions). Default none. */
  profileExceptions?: readonly ProfileRule[];
}

/** Bound on CRL issuer path validations in one call (each one a validatePath and a revocation check). */
const MAX_SIGNER_VALIDATIONS = 32;

/** Every reason a CRL can cover (ReasonFlags without 'unused'). */
const ALL_REASONS = ALL_REVOCATION_REASON_FLAGS;

type Fail = { reason: RevocationUnknownReason; detail: string };

/** How telling a failure is when no CRL answered (higher wins). */
const FAIL_RANK: Readonly<Partial<Record<RevocationUnknownReason, number>>> = {
  SCOPE_MISMATCH: 1,
  STALE: 2,
  MALFORMED_RESPONSE: 2,
  UNKNOWN_CRITICAL_EXTENSION: 3,
  CRL_PROFILE: 3,
  UNAUTHORIZED_RESPONDER: 3,
  BAD_SIGNATURE: 4,
};

/** The issuer of a certificate on the path: a certificate of the path, or the anchor. */
interface IssuerRef {
  /** The issuing certificate, or the bare anchor. */
  issuer: Certificate | TrustAnchor;
  /** Its working public key (RFC 5280 §6.1.4 (d)-(f)). */
  key: SubjectPublicKeyInfo;
}

/** A CRL signer whose path and revocation have been checked: its working key. */
type SignerOutcome = { ok: true; key: SubjectPublicKeyInfo; cert: Certificate | TrustAnchor } | { ok: false; fail: Fail };

/**
 * Revocation status of each certificate of a validated path from the given
 * CRLs: index i is `result.path[i]`; the trust anchor (last element when it is
 * a certificate) gets no entry. Never throws for bad CRLs or certificates;
 * throws PkiError('INVALID_ARGUMENT') when `result` is not a successful
 * validation or its anchor is not among `opts.anchors`.
 */
export function checkPathWithCrls(result: PathResult, crls: readonly Crl[], opts: CrlPathOptions): RevocationStatus[] {
  return checkPathWithCrlsOutcome(result, crls, opts).statuses;
}

/** checkPathWithCrls's statuses, and whether they depend on `opts.at` only through the CRLs' freshness. */
export interface CrlPathOutcome {
  statuses: RevocationStatus[];
  /**
   * True when no CRL issuer path was validated (validatePath at `opts.at`):
   * then `at` enters only through the freshness test of each CRL given
   * (`crlFreshAt`), and at any instant where every one of `crls` is fresh the
   * same path, CRLs and options give these same statuses.
   */
  freshnessOnly: boolean;
}

/**
 * The engine's freshness test (`freshness` below): thisUpdate ≤ at + skew and
 * nextUpdate ≥ at − skew, a CRL without nextUpdate never fresh.
 */
export function crlFreshAt(crl: Crl, at: number, maxSkewMs: number): boolean {
  return crl.nextUpdate !== undefined && !(crl.thisUpdate > at + maxSkewMs) && !(crl.nextUpdate < at - maxSkewMs);
}

export function checkPathWithCrlsOutcome(result: PathResult, crls: readonly Crl[], opts: CrlPathOptions): CrlPathOutcome {
  if (!result || !result.ok || !result.anchor || !Array.isArray(result.path) || result.path.length === 0) {
    throw new PkiError('INVALID_ARGUMENT', 'checkPathWithCrls: needs the result of a successful path validation');
  }
  if (!Array.isArray(opts.anchors) || !opts.anchors.includes(result.anchor)) {
    throw new PkiError('INVALID_ARGUMENT', "checkPathWithCrls: the path's trust anchor is not one of opts.anchors");
  }
  if (typeof opts.at !== 'number' || !Number.isFinite(opts.at) || typeof opts.maxSkewMs !== 'number' || !(opts.maxSkewMs >= 0)) {
    throw new PkiError('INVALID_ARGUMENT', 'checkPathWithCrls: at and maxSkewMs must be numbers');
  }
  const checker = new CrlPathChecker(crls, opts, result.anchor);
  const statuses = checker.checkPath(result.path, result.anchor, 0, new Set());
  return { statuses, freshnessOnly: checker.signerValidations === 0 };
}

class CrlPathChecker {
  private readonly byIssuer = new Map<string, Crl[]>();
  private readonly deltasByIssuer = new Map<string, Crl[]>();
  private readonly pool: Certificate[];
  private readonly maxDepth: number;
  /** Per call: statuses already worked out (an intermediate shared by a CRL issuer path), by fingerprint. */
  private readonly statusMemo = new Map<string, RevocationStatus>();
  /** CRL issuer paths validated so far in this call (bounded by MAX_SIGNER_VALIDATIONS). */
  signerValidations = 0;
  /** Per call: CRL issuer certificates already judged, by fingerprint. */
  private readonly signerMemo = new Map<string, SignerOutcome>();

  constructor(
    crls: readonly Crl[],
    private readonly opts: CrlPathOptions,
    private readonly anchor: TrustAnchor,
  ) {
    const sorted = (Array.isArray(crls) ? crls : []).filter(isCrl).sort(newestFirst);
    for (const c of sorted) {
      const m = c.deltaCrlIndicator !== undefined ? this.deltasByIssuer : this.byIssuer;
      const l = m.get(c.issuer.key);
      if (l) l.push(c);
      else m.set(c.issuer.key, [c]);
    }
    const seen = new Set<string>();
    this.pool = [];
    for (const c of opts.certificates ?? []) {
      if (c && typeof c.fingerprintSha256 === 'string' && !seen.has(c.fingerprintSha256)) {
        seen.add(c.fingerprintSha256);
        this.pool.push(c);
      }
    }
    this.maxDepth = opts.maxCrlIssuerDepth ?? 3;
  }

  /** Statuses of `path` (leaf first) under `anchor`, the anchor itself excluded. `inProgress`: CRL signers being checked further up. */
  checkPath(path: readonly Certificate[], anchor: TrustAnchor, depth: number, inProgress: Set<string>): RevocationStatus[] {
    const n = isCertificateAnchor(anchor) && path[path.length - 1] === anchor ? path.length - 1 : path.length;
    const keys = pathWorkingKeys(path, anchor);
    for (const c of path) this.addToPool(c);
    const out: RevocationStatus[] = [];
    for (let i = 0; i < n; i++) {
      const cert = path[i]!;
      const issuer: IssuerRef = i + 1 < path.length ? { issuer: path[i + 1]!, key: keys[i + 1]! } : { issuer: anchor, key: anchor.spki };
      const memo = inProgress.size === 0 ? this.statusMemo.get(cert.fingerprintSha256) : undefined;
      if (memo) {
        out.push(memo);
        continue;
      }
      let s: RevocationStatus;
      try {
        s = this.checkCert(cert, issuer, depth, inProgress);
      } catch (e) {
        // defensive: no fail-open, whatever a CRL or certificate holds
        s = unknown('MALFORMED_RESPONSE', `internal error checking ${cert.subject.text}: ${e instanceof Error ? e.message : String(e)}`, []);
      }
      // statuses worked out while some CRL issuer was taken on trust (in progress) are not reused elsewhere
      if (inProgress.size === 0) this.statusMemo.set(cert.fingerprintSha256, s);
      out.push(s);
    }
    return out;
  }

  private addToPool(c: Certificate): void {
    if (!this.pool.some((p) => p.fingerprintSha256 === c.fingerprintSha256)) this.pool.push(c);
  }

  /** RFC 5280 §6.3.3 for one certificate. */
  private checkCert(cert: Certificate, issuer: IssuerRef, depth: number, inProgress: Set<string>): RevocationStatus {
    const dps: DistributionPoint[] = cert.ext.crlDistributionPoints?.length ? cert.ext.crlDistributionPoints : [{}];
    const covered = new Set<ReasonFlag>();
    const attempts: RevocationEvidence[] = [];
    const used: { crl: Crl; delta?: Crl }[] = [];
    const notes: string[] = [];
    let worst: Fail | undefined;
    let sawIssuerCrl = false;
    const fail = (f: Fail, crl: Crl): void => {
      attempts.push(evidenceOf(crl));
      if (!worst || (FAIL_RANK[f.reason] ?? 0) > (FAIL_RANK[worst.reason] ?? 0)) worst = f;
    };

    for (const dp of dps) {
      if (covered.size === ALL_REASONS.length) break;
      // CRL issuers this point accepts: its cRLIssuer names, else the certificate issuer
      const issuerKeys = dp.crlIssuer ? dp.crlIssuer.flatMap((g) => (g.type === 'directoryName' ? [g.name.key] : [])) : [cert.issuer.key];
      const candidates = [...new Set(issuerKeys)].flatMap((k) => this.byIssuer.get(k) ?? []).sort(newestFirst);
      if (candidates.length > 0) sawIssuerCrl = true;
      for (const crl of candidates) {
        if (covered.size === ALL_REASONS.length) break;
        const scope = scopeProblem(cert, crl, dp);
        if (scope) {
          fail(scope, crl);
          continue;
        }
        const critical = criticalProblem(crl);
        if (critical) {
          fail(critical, crl);
          continue;
        }
        const idp = crl.issuingDistributionPoint;
        const interim = ALL_REASONS.filter((r) => (!dp.reasons || dp.reasons.includes(r)) && (!idp?.onlySomeReasons || idp.onlySomeReasons.includes(r)));
        if (!interim.some((r) => !covered.has(r))) continue;

        const signer = this.signerFor(crl, issuer, depth, inProgress);
        if (!signer.ok) {
          fail(signer.fail, crl);
          continue;
        }
        const fresh = this.freshness(crl);
        if (fresh) {
          fail(fresh, crl);
          continue;
        }
        const delta = this.deltaFor(crl, signer, notes);

        // (i)-(k)
        const certKey = idp?.indirectCrl ? cert.issuer.key : undefined;
        if (!idp?.indirectCrl && crl.hasCertificateIssuerEntries) {
          fail({ reason: 'SCOPE_MISMATCH', detail: 'certificateIssuer entry extensions in a CRL not marked indirect' }, crl);
          continue;
        }
        const dHit = delta?.lookup(cert.serial, certKey);
        if (dHit && dHit.reason !== 'removeFromCRL') return revoked(dHit, delta!, crl);
        if (!dHit) {
          const bHit = crl.lookup(cert.serial, certKey);
          if (bHit?.reason === 'removeFromCRL') {
            fail({ reason: 'MALFORMED_RESPONSE', detail: 'removeFromCRL in a complete CRL' }, crl);
            continue;
          }
          if (bHit) return revoked(bHit, crl, crl);
        }
        for (const r of interim) covered.add(r);
        used.push(delta ? { crl, delta } : { crl });
      }
    }

    if (covered.size === ALL_REASONS.length) {
      const all = used.flatMap((u) => (u.delta ? [u.crl, u.delta] : [u.crl]));
      const nextUpdates = all.map((c) => c.nextUpdate!).filter((x) => x !== undefined);
      const describe = (c: Crl): string => `${c.deltaCrlIndicator !== undefined ? 'delta CRL' : 'CRL'} of ${c.issuer.text}${c.crlNumber !== undefined ? ` #${c.crlNumber}` : ''} (${isoTime(c.thisUpdate)})`;
      const allNotes = [...(all.length > 1 ? [`combined: ${all.map(describe).join('; ')}`] : []), ...notes];
      return {
        status: 'good',
        source: 'crl',
        thisUpdate: Math.min(...all.map((c) => c.thisUpdate)),
        ...(nextUpdates.length > 0 ? { nextUpdate: Math.min(...nextUpdates) } : {}),
        cached: false,
        signer: used[0]!.crl.issuer.text,
        ...(allNotes.length > 0 ? { notes: allNotes } : {}),
      };
    }
    if (covered.size > 0 && (!worst || worst.reason === 'SCOPE_MISMATCH')) {
      const missing = ALL_REASONS.filter((r) => !covered.has(r));
      return unknown('SCOPE_MISMATCH', `no usable CRL covers the reasons ${missing.join(', ')} for ${cert.subject.text}`, attempts);
    }
    if (worst) return unknown(worst.reason, worst.detail, attempts);
    if (!sawIssuerCrl && this.deltasByIssuer.has(cert.issuer.key)) {
      return unknown('SCOPE_MISMATCH', `only delta CRLs (no complete CRL) from "${cert.issuer.text}" for ${cert.subject.text}`, attempts);
    }
    if (!sawIssuerCrl) return unknown('NO_SOURCE', `no CRL from ${dps.some((d) => d.crlIssuer) ? 'the cRLIssuer of any distribution point' : `"${cert.issuer.text}"`} for ${cert.subject.text}`, attempts);
    return unknown('SCOPE_MISMATCH', `no CRL in scope for ${cert.subject.text}`, attempts);
  }

  /**
   * (f)(g): who may sign `crl` for `cert`, verified; its working key. When
   * nobody may, the most telling failure: a certificate that did sign the CRL
   * but whose own path or revocation fails, else the certificate issuer's
   * problem, else another candidate's.
   */
  private signerFor(crl: Crl, issuer: IssuerRef, depth: number, inProgress: Set<string>): SignerOutcome {
    let best: { f: Fail; rank: number } | undefined;
    const note = (f: Fail, rank: number): void => {
      if (!best || rank > best.rank) best = { f, rank };
    };
    // the certificate's own issuer: already validated as part of the path
    if (crl.issuer.key === nameKey(issuer.issuer)) {
      const f = signedBy(crl, issuer.issuer, issuer.key, this.opts.algorithms);
      if (!f) return { ok: true, key: issuer.key, cert: issuer.issuer };
      note(f, 1);
    }
    // the anchor itself (an indirect CRL issued by the anchor for a certificate further down)
    if (issuer.issuer !== this.anchor && crl.issuer.key === nameKey(this.anchor)) {
      const f = signedBy(crl, this.anchor, this.anchor.spki, this.opts.algorithms);
      if (!f) return { ok: true, key: this.anchor.spki, cert: this.anchor };
      note(f, 1);
    }
    // other certificates with the CRL issuer's name: their own path must validate to the same anchor
    for (const s of this.pool) {
      if (s.subject.key !== crl.issuer.key || s === issuer.issuer || s === this.anchor) continue;
      // cheap checks first; a parameterless DSA key gets its parameters from its validated path
      const pre = crlSignerProblem(crl, s);
      if (pre) {
        note(pre, 0);
        continue;
      }
      if (!(s.spki.keyType === 'dsa' && !hasDsaParameters(s.spki))) {
        const sig = verifyCrlSignature(crl, s, this.opts.algorithms);
        if (!sig.ok) {
          note({ reason: 'BAD_SIGNATURE', detail: `CRL of ${crl.issuer.text}: signature by ${s.subject.text}: ${sig.reason}: ${sig.detail}` }, 0);
          continue;
        }
      }
      const v = this.validatedSigner(s, crl, depth, inProgress);
      if (v.ok) return v;
      note(v.fail, 2);
    }
    return { ok: false, fail: best?.f ?? { reason: 'UNAUTHORIZED_RESPONDER', detail: `no certificate of the CRL issuer "${crl.issuer.text}" was found` } };
  }

  /** A CRL issuer certificate other than the path's: validated to the same anchor, with cRLSign, and not revoked. */
  private validatedSigner(s: Certificate, crl: Crl, depth: number, inProgress: Set<string>): SignerOutcome {
    const memo = inProgress.size === 0 ? this.signerMemo.get(s.fingerprintSha256) : undefined;
    if (memo) return this.withSignature(memo, crl);
    if (depth >= this.maxDepth) {
      return { ok: false, fail: { reason: 'UNAUTHORIZED_RESPONDER', detail: `CRL issuer ${s.subject.text}: CRL issuer paths are followed ${this.maxDepth} levels deep at most` } };
    }
    if (this.signerValidations >= MAX_SIGNER_VALIDATIONS) {
      return { ok: false, fail: { reason: 'UNAUTHORIZED_RESPONDER', detail: `CRL issuer ${s.subject.text}: more than ${MAX_SIGNER_VALIDATIONS} CRL issuer paths to validate` } };
    }
    this.signerValidations++;
    const policy = createValidationPolicy({
      trustAnchors: [this.anchor],
      at: this.opts.at,
      algorithms: this.opts.algorithms,
      requiredKeyUsage: ['cRLSign'],
      ...(this.opts.profileExceptions ? { profileExceptions: this.opts.profileExceptions } : {}),
    });
    const r = validatePath(
      s,
      this.pool.filter((c) => c !== s),
      policy,
    );
    let out: SignerOutcome;
    if (!r.ok || r.anchor !== this.anchor) {
      out = { ok: false, fail: { reason: 'UNAUTHORIZED_RESPONDER', detail: `CRL issuer ${s.subject.text}: its path does not validate to the trust anchor (${r.reasons.join(', ')})` } };
    } else if (inProgress.has(s.fingerprintSha256)) {
      // its revocation is being checked further up (a CRL issuer responsible for its own certificate)
      out = { ok: true, key: pathWorkingKeys(r.path, this.anchor)[0]!, cert: s };
      return this.withSignature(out, crl);
    } else {
      const next = new Set(inProgress).add(s.fingerprintSha256);
      const statuses = this.checkPath(r.path, this.anchor, depth + 1, next);
      const bad = statuses.findIndex((x) => x.status !== 'good');
      if (bad >= 0) {
        const b = statuses[bad]!;
        const what = b.status === 'revoked' ? `revoked${b.reason ? ` (${b.reason})` : ''}` : `revocation unknown (${b.status === 'unknown' ? `${b.reason}: ${b.detail}` : ''})`;
        out = { ok: false, fail: { reason: 'UNAUTHORIZED_RESPONDER', detail: `CRL issuer ${s.subject.text}: ${r.path[bad]!.subject.text} on its path is ${what}` } };
      } else {
        out = { ok: true, key: pathWorkingKeys(r.path, this.anchor)[0]!, cert: s };
      }
    }
    if (inProgress.size === 0) this.signerMemo.set(s.fingerprintSha256, out);
    return this.withSignature(out, crl);
  }

  /** A validated signer still has to have signed this CRL (with its working key). */
  private withSignature(v: SignerOutcome, crl: Crl): SignerOutcome {
    if (!v.ok) return v;
    const f = signedBy(crl, v.cert, v.key, this.opts.algorithms);
    return f ? { ok: false, fail: f } : v;
  }

  /** Keep in step with crlFreshAt (undefined here iff crlFreshAt). */
  private freshness(crl: Crl): Fail | undefined {
    const { at, maxSkewMs } = this.opts;
    if (crl.thisUpdate > at + maxSkewMs) return { reason: 'STALE', detail: `CRL of ${crl.issuer.text}: thisUpdate ${isoTime(crl.thisUpdate)} is after ${isoTime(at)}` };
    if (crl.nextUpdate === undefined) return { reason: 'STALE', detail: `CRL of ${crl.issuer.text} has no nextUpdate` };
    if (crl.nextUpdate < at - maxSkewMs) return { reason: 'STALE', detail: `CRL of ${crl.issuer.text}: nextUpdate ${isoTime(crl.nextUpdate)} is before ${isoTime(at)}` };
    return undefined;
  }

  /** (a)(c)(h): the newest usable delta CRL for `base`; unusable ones are noted. */
  private deltaFor(base: Crl, signer: { key: SubjectPublicKeyInfo; cert: Certificate | TrustAnchor }, notes: string[]): Crl | undefined {
    if (base.crlNumber === undefined) return undefined;
    for (const d of this.deltasByIssuer.get(base.issuer.key) ?? []) {
      if (d.deltaCrlIndicator! > base.crlNumber || (d.crlNumber !== undefined && d.crlNumber <= base.crlNumber)) continue;
      if (!sameScope(base, d)) continue;
      const f = criticalProblem(d) ?? signedBy(d, signer.cert, signer.key, this.opts.algorithms) ?? this.freshness(d);
      const sc = !f && d.hasCertificateIssuerEntries && !d.issuingDistributionPoint?.indirectCrl ? 'certificateIssuer entries in a delta CRL not marked indirect' : undefined;
      if (f || sc) {
        notes.push(`delta CRL #${d.crlNumber ?? '?'} of ${d.issuer.text} not used: ${f ? `${f.reason}: ${f.detail}` : sc!}`);
        continue;
      }
      return d;
    }
    return undefined;
  }
}

function isCrl(c: unknown): c is Crl {
  return !!c && typeof (c as Crl).lookup === 'function' && typeof (c as Crl).issuer?.key === 'string' && typeof (c as Crl).thisUpdate === 'number';
}

function newestFirst(a: Crl, b: Crl): number {
  if (a.thisUpdate !== b.thisUpdate) return b.thisUpdate - a.thisUpdate;
  const an = a.crlNumber ?? -1n;
  const bn = b.crlNumber ?? -1n;
  return an === bn ? 0 : an > bn ? -1 : 1;
}

function nameKey(a: Certificate | TrustAnchor): string {
  return isCertificateAnchor(a) ? a.subject.key : a.name.key;
}

/**
 * Did `who` (working key `key`) sign `crl`, and may it (name, AKI/SKI, cRLSign)?
 * A bare anchor has no keyUsage or SKI: name and signature only.
 */
function signedBy(crl: Crl, who: Certificate | TrustAnchor, key: SubjectPublicKeyInfo, algorithms: AlgorithmPolicy): Fail | undefined {
  let sig: SignatureCheck;
  if (isCertificateAnchor(who)) {
    const p = crlSignerProblem(crl, who);
    if (p) return p;
    sig = verifyCrlSignatureWithKey(crl, key, algorithms);
  } else {
    if (who.name.key !== crl.issuer.key) return { reason: 'UNAUTHORIZED_RESPONDER', detail: `CRL issuer "${crl.issuer.text}" is not the trust anchor` };
    sig = verifyCrlSignatureWithKey(crl, key, algorithms);
  }
  return sig.ok ? undefined : { reason: 'BAD_SIGNATURE', detail: `CRL of ${crl.issuer.text}: signature ${sig.reason}: ${sig.detail}` };
}

function criticalProblem(crl: Crl): Fail | undefined {
  const profile = crlProfileProblem(crl);
  if (profile) return profile;
  if (crl.unknownCriticalExtensions.length > 0) {
    return { reason: 'UNKNOWN_CRITICAL_EXTENSION', detail: `CRL of ${crl.issuer.text}: unknown critical CRL extension ${crl.unknownCriticalExtensions.join(', ')}` };
  }
  if (crl.unknownCriticalEntryExtensions > 0) {
    return { reason: 'UNKNOWN_CRITICAL_EXTENSION', detail: `CRL of ${crl.issuer.text}: ${crl.unknownCriticalEntryExtensions} entries carry unknown critical extensions` };
  }
  return undefined;
}

function sameScope(a: Crl, b: Crl): boolean {
  const x = a.issuingDistributionPoint?.der;
  const y = b.issuingDistributionPoint?.der;
  if (x === undefined || y === undefined) return x === y;
  return Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
}

/** (b): is `crl` (a complete CRL of an issuer `dp` accepts) in scope for `cert` through `dp`? */
function scopeProblem(cert: Certificate, crl: Crl, dp: DistributionPoint): Fail | undefined {
  const idp = crl.issuingDistributionPoint;
  const where = `CRL of ${crl.issuer.text}`;
  if (dp.crlIssuer) {
    if (!dp.crlIssuer.some((g) => g.type === 'directoryName' && g.name.key === crl.issuer.key)) {
      return { reason: 'SCOPE_MISMATCH', detail: `${where}: the distribution point's cRLIssuer does not name it` };
    }
    if (!idp?.indirectCrl) return { reason: 'SCOPE_MISMATCH', detail: `${where}: a CRL for a cRLIssuer distribution point must be marked indirect` };
  } else if (crl.issuer.key !== cert.issuer.key) {
    return { reason: 'SCOPE_MISMATCH', detail: `${where}: not the certificate issuer "${cert.issuer.text}"` };
  }
  const isCa = cert.ext.basicConstraints?.ca === true;
  if (idp?.onlyContainsUserCerts && isCa) return { reason: 'SCOPE_MISMATCH', detail: `${where} covers only end-entity certificates; ${cert.subject.text} is a CA` };
  if (idp?.onlyContainsCACerts && !isCa) return { reason: 'SCOPE_MISMATCH', detail: `${where} covers only CA certificates` };
  if (idp?.onlyContainsAttributeCerts) return { reason: 'SCOPE_MISMATCH', detail: `${where} covers only attribute certificates` };
  let idpKeys: Set<string> | undefined;
  try {
    if (idp?.fullName) idpKeys = keysOf(idp.fullName);
    else if (idp?.nameRelativeToCrlIssuer) idpKeys = keysOf([{ type: 'directoryName', name: relativeToFullName(crl.issuer, idp.nameRelativeToCrlIssuer) }]);
  } catch {
    return { reason: 'SCOPE_MISMATCH', detail: `${where}: IssuingDistributionPoint nameRelativeToCRLIssuer does not form a name` };
  }
  if (idpKeys) {
    let mine: Set<string> | undefined;
    if (dp.fullName) mine = keysOf(dp.fullName);
    else if (dp.nameRelativeToCrlIssuer) {
      const base = dp.crlIssuer?.find((g) => g.type === 'directoryName');
      try {
        mine = keysOf([{ type: 'directoryName', name: relativeToFullName(base?.type === 'directoryName' ? base.name : cert.issuer, dp.nameRelativeToCrlIssuer) }]);
      } catch {
        mine = undefined;
      }
    } else if (dp.crlIssuer) mine = keysOf(dp.crlIssuer);
    if (!mine) return { reason: 'SCOPE_MISMATCH', detail: `${where} is partitioned (its IssuingDistributionPoint names a point) but the certificate names none` };
    if (!intersects(mine, idpKeys)) return { reason: 'SCOPE_MISMATCH', detail: `${where}: its IssuingDistributionPoint does not match the certificate's distribution point` };
  }
  return undefined;
}

function evidenceOf(c: Crl): RevocationEvidence {
  return { source: 'crl', thisUpdate: c.thisUpdate, ...(c.nextUpdate !== undefined ? { nextUpdate: c.nextUpdate } : {}), cached: false, signer: c.issuer.text };
}

function revoked(hit: CrlEntryHit, listing: Crl, base: Crl): RevocationStatus {
  const ev = evidenceOf(listing);
  return {
    status: 'revoked',
    revokedAt: hit.revokedAt,
    ...(hit.reason !== undefined ? { reason: hit.reason } : {}),
    ...(hit.invalidityDate !== undefined ? { invalidityDate: hit.invalidityDate } : {}),
    ...ev,
    ...(listing !== base ? { notes: [`listed on the delta CRL #${listing.crlNumber ?? '?'} for complete CRL #${base.crlNumber ?? '?'}`] } : {}),
  };
}

function unknown(reason: RevocationUnknownReason, detail: string, attempts: RevocationEvidence[]): RevocationStatus {
  return { status: 'unknown', reason, detail, source: 'crl', attempts };
}
