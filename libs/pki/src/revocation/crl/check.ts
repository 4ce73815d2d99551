/**
 * checkCrl: is `query.cert` revoked according to this CRL (and optionally one
 * delta CRL)? RFC 5280 §6.3.3 for one complete CRL, without chaining deltas
 * beyond one level. Returns data, never throws for bad CRLs.
 *
 * Order of checks (the first failure is the answer, as `unknown`):
 *   1. a delta CRL passed as the complete CRL             → SCOPE_MISMATCH
 *   2. unknown critical CRL or entry extensions           → UNKNOWN_CRITICAL_EXTENSION
 *   3. scope: issuer (or cRLIssuer + indirectCRL), IDP distribution point
 *      against the certificate's CDPs, onlyContains*     → SCOPE_MISMATCH
 *   4. signer: subject = CRL issuer, AKI = SKI, cRLSign   → UNAUTHORIZED_RESPONDER / BAD_SIGNATURE
 *   5. signature over tbsCertList (memoised)              → BAD_SIGNATURE
 *   6. thisUpdate ≤ at + skew and nextUpdate ≥ at − skew  → STALE (no nextUpdate: STALE too,
 *      nothing says how long the CRL holds)
 *   7. lookup: listed → revoked (certificateHold included, as reason
 *      'certificateHold'); a delta entry removeFromCRL → not revoked; not listed
 *      → good, unless the CRL (with the DP's reasons) covers only some reasons
 *      → SCOPE_MISMATCH (the caller must combine CRLs for the other reasons).
 *
 * Revocation dated after `at`: still revoked. The CRL states the certificate
 * is revoked as of its thisUpdate; freshness (6) already bounds thisUpdate to
 * at + skew, so such an entry can only be within the skew (or carry a bogus
 * date), and we cannot order those events: fail safe.
 *
 * removeFromCRL in a complete CRL (RFC: delta only) → unknown, MALFORMED_RESPONSE.
 *
 * Indirect CRLs: when the CRL issuer is not the certificate issuer, the
 * certificate's DP must name it in cRLIssuer, the CRL must be marked indirect,
 * and `crlIssuerCert` (already path-validated by the caller) must be given.
 */
import { crlProfileProblem } from './profile';
import type { Certificate, DistributionPoint, ReasonFlag } from '../../cert/types';
import { ALL_REVOCATION_REASON_FLAGS } from '../../cert/types';
import type { AlgorithmPolicy } from '../../crypto/signature';
import type { RevocationEvidence, RevocationQuery, RevocationStatus, RevocationUnknownReason } from '../types';
import { intersects, keysOf, relativeToFullName } from './dp-names';
import type { Crl, CrlEntryHit } from './types';
import { crlSignerProblem, verifyCrlSignature } from './verify';

export interface CheckCrlOptions {
  at: number;
  maxSkewMs: number;
  algorithms: AlgorithmPolicy;
  /** Signer of an indirect CRL (its path validated by the caller). Default: `query.issuer`. */
  crlIssuerCert?: Certificate;
  /** A delta CRL to combine with `crl` (same issuer and scope, BaseCRLNumber ≤ crl's cRLNumber). */
  delta?: Crl;
  /** For the evidence: where the CRL came from, and whether it came from a cache. */
  url?: string;
  cached?: boolean;
}

const ALL_REASONS = ALL_REVOCATION_REASON_FLAGS;

type Fail = { reason: RevocationUnknownReason; detail: string };

export function checkCrl(query: RevocationQuery, crl: Crl, opts: CheckCrlOptions): RevocationStatus {
  const signer = opts.crlIssuerCert ?? query.issuer;
  const evidence = (c: Crl): RevocationEvidence => ({
    source: 'crl',
    ...(opts.url !== undefined ? { url: opts.url } : {}),
    thisUpdate: c.thisUpdate,
    ...(c.nextUpdate !== undefined ? { nextUpdate: c.nextUpdate } : {}),
    cached: opts.cached ?? false,
    signer: c.issuer.text,
  });
  const unknown = (f: Fail, c: Crl = crl): RevocationStatus => ({
    status: 'unknown',
    reason: f.reason,
    detail: f.detail,
    source: 'crl',
    ...(opts.url !== undefined ? { url: opts.url } : {}),
    attempts: [evidence(c)],
  });

  if (crl.deltaCrlIndicator !== undefined) return unknown({ reason: 'SCOPE_MISMATCH', detail: 'a delta CRL cannot be used without its complete CRL' });
  const critical = criticalProblem(crl);
  if (critical) return unknown(critical);
  const scope = scopeOf(query.cert, crl, signer, opts);
  if ('reason' in scope) return unknown(scope);
  const usable = usability(crl, signer, opts);
  if (usable) return unknown(usable);

  let delta: Crl | undefined;
  if (opts.delta) {
    const d = opts.delta;
    const f = deltaProblem(crl, d) ?? usability(d, signer, opts);
    if (f) return unknown(f, d);
    delta = d;
  }

  const issuerKey = query.cert.issuer.key;
  const certKey = crl.issuingDistributionPoint?.indirectCrl ? issuerKey : undefined;
  if (!crl.issuingDistributionPoint?.indirectCrl && crl.hasCertificateIssuerEntries) {
    return unknown({ reason: 'SCOPE_MISMATCH', detail: 'certificateIssuer entry extensions in a CRL not marked indirect' });
  }
  const ev = evidence(delta ?? crl);
  const revoked = (hit: CrlEntryHit): RevocationStatus => ({
    status: 'revoked',
    revokedAt: hit.revokedAt,
    ...(hit.reason !== undefined ? { reason: hit.reason } : {}),
    ...(hit.invalidityDate !== undefined ? { invalidityDate: hit.invalidityDate } : {}),
    ...ev,
  });

  const dHit = delta?.lookup(query.cert.serial, certKey);
  if (dHit && dHit.reason !== 'removeFromCRL') return revoked(dHit);
  const bHit = dHit ? undefined : crl.lookup(query.cert.serial, certKey);
  if (bHit) {
    if (bHit.reason === 'removeFromCRL') return unknown({ reason: 'MALFORMED_RESPONSE', detail: 'removeFromCRL in a complete CRL' });
    return revoked(bHit);
  }
  if (scope.reasons.length < ALL_REASONS.length) {
    return unknown({ reason: 'SCOPE_MISMATCH', detail: `the CRL covers only the reasons ${scope.reasons.join(', ') || '(none)'}; other CRLs must cover the rest` });
  }
  return { status: 'good', ...ev };
}

/** Checks 2, 4, 5 and 6 for one CRL (complete or delta). */
function usability(crl: Crl, signer: Certificate, opts: CheckCrlOptions): Fail | undefined {
  const critical = criticalProblem(crl);
  if (critical) return critical;
  const who = crlSignerProblem(crl, signer);
  if (who) return who;
  const sig = verifyCrlSignature(crl, signer, opts.algorithms);
  if (!sig.ok) return { reason: 'BAD_SIGNATURE', detail: `CRL signature: ${sig.reason}: ${sig.detail}` };
  if (crl.thisUpdate > opts.at + opts.maxSkewMs) return { reason: 'STALE', detail: `CRL thisUpdate ${iso(crl.thisUpdate)} is after ${iso(opts.at)}` };
  if (crl.nextUpdate === undefined) return { reason: 'STALE', detail: 'CRL has no nextUpdate' };
  if (crl.nextUpdate < opts.at - opts.maxSkewMs) return { reason: 'STALE', detail: `CRL nextUpdate ${iso(crl.nextUpdate)} is before ${iso(opts.at)}` };
  return undefined;
}

function criticalProblem(crl: Crl): Fail | undefined {
  const profile = crlProfileProblem(crl);
  if (profile) return profile;
  if (crl.unknownCriticalExtensions.length > 0) {
    return { reason: 'UNKNOWN_CRITICAL_EXTENSION', detail: `unknown critical CRL extension ${crl.unknownCriticalExtensions.join(', ')}` };
  }
  if (crl.unknownCriticalEntryExtensions > 0) {
    return { reason: 'UNKNOWN_CRITICAL_EXTENSION', detail: `${crl.unknownCriticalEntryExtensions} CRL entries carry unknown critical extensions` };
  }
  return undefined;
}

function deltaProblem(base: Crl, d: Crl): Fail | undefined {
  if (d.deltaCrlIndicator === undefined) return { reason: 'SCOPE_MISMATCH', detail: 'the delta CRL has no deltaCRLIndicator' };
  if (base.crlNumber === undefined) return { reason: 'SCOPE_MISMATCH', detail: 'the complete CRL has no cRLNumber to pair a delta with' };
  // RFC 5280 §5.2.4: usable when the complete CRL's number ≥ the delta's BaseCRLNumber
  if (base.crlNumber < d.deltaCrlIndicator) {
    return { reason: 'SCOPE_MISMATCH', detail: `delta CRL needs complete CRL ${d.deltaCrlIndicator}; have ${base.crlNumber}` };
  }
  if (d.issuer.key !== base.issuer.key) return { reason: 'SCOPE_MISMATCH', detail: 'delta CRL from another issuer' };
  const a = base.issuingDistributionPoint?.der;
  const b = d.issuingDistributionPoint?.der;
  if ((a === undefined) !== (b === undefined) || (a && b && Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0)) {
    return { reason: 'SCOPE_MISMATCH', detail: 'delta CRL scope (IssuingDistributionPoint) differs from the complete CRL' };
  }
  if (d.hasCertificateIssuerEntries && !d.issuingDistributionPoint?.indirectCrl) {
    return { reason: 'SCOPE_MISMATCH', detail: 'certificateIssuer entry extensions in a delta CRL not marked indirect' };
  }
  return undefined;
}

/** Check 3: find a distribution point of the certificate this CRL serves; the reasons it covers. */
function scopeOf(cert: Certificate, crl: Crl, signer: Certificate, opts: CheckCrlOptions): { reasons: ReasonFlag[] } | Fail {
  const idp = crl.issuingDistributionPoint;
  const isCa = cert.ext.basicConstraints?.ca === true;
  if (idp?.onlyContainsUserCerts && isCa) return { reason: 'SCOPE_MISMATCH', detail: 'CRL covers only end-entity certificates; this is a CA certificate' };
  if (idp?.onlyContainsCACerts && !isCa) return { reason: 'SCOPE_MISMATCH', detail: 'CRL covers only CA certificates' };
  if (idp?.onlyContainsAttributeCerts) return { reason: 'SCOPE_MISMATCH', detail: 'CRL covers only attribute certificates' };

  const dps: DistributionPoint[] = cert.ext.crlDistributionPoints ?? [{}];
  let idpKeys: Set<string> | undefined;
  if (idp?.fullName) idpKeys = keysOf(idp.fullName);
  else if (idp?.nameRelativeToCrlIssuer) {
    try {
      idpKeys = keysOf([{ type: 'directoryName', name: relativeToFullName(crl.issuer, idp.nameRelativeToCrlIssuer) }]);
    } catch {
      return { reason: 'SCOPE_MISMATCH', detail: 'IssuingDistributionPoint nameRelativeToCRLIssuer does not form a name' };
    }
  }
  let first: Fail | undefined;
  let best: ReasonFlag[] | undefined;
  for (const dp of dps) {
    const f = dpProblem(cert, crl, dp, idpKeys, signer, opts);
    if (f) {
      first ??= f;
      continue;
    }
    const reasons = ALL_REASONS.filter((r) => (!dp.reasons || dp.reasons.includes(r)) && (!idp?.onlySomeReasons || idp.onlySomeReasons.includes(r)));
    if (!best || reasons.length > best.length) best = reasons;
  }
  return best ? { reasons: best } : first!;
}

function dpProblem(cert: Certificate, crl: Crl, dp: DistributionPoint, idpKeys: Set<string> | undefined, signer: Certificate, opts: CheckCrlOptions): Fail | undefined {
  const idp = crl.issuingDistributionPoint;
  if (dp.crlIssuer) {
    const named = dp.crlIssuer.some((g) => g.type === 'directoryName' && g.name.key === crl.issuer.key);
    if (!named) return { reason: 'SCOPE_MISMATCH', detail: `the distribution point's cRLIssuer does not name the CRL issuer "${crl.issuer.text}"` };
    if (!idp?.indirectCrl) return { reason: 'SCOPE_MISMATCH', detail: 'a CRL for a cRLIssuer distribution point must be marked indirect' };
    if (crl.issuer.key !== cert.issuer.key && !opts.crlIssuerCert) {
      return { reason: 'UNAUTHORIZED_RESPONDER', detail: 'indirect CRL: the CRL issuer certificate (crlIssuerCert) is required' };
    }
  } else if (crl.issuer.key !== cert.issuer.key) {
    return { reason: 'SCOPE_MISMATCH', detail: `CRL issuer "${crl.issuer.text}" is not the certificate issuer "${cert.issuer.text}"` };
  } else if (signer !== opts.crlIssuerCert && signer.subject.key !== cert.issuer.key) {
    return { reason: 'SCOPE_MISMATCH', detail: 'the given issuer certificate is not the certificate issuer' };
  }
  if (idpKeys) {
    const mine = dp.fullName ? keysOf(dp.fullName) : dp.nameRelativeToCrlIssuer ? relKeys(cert, dp) : dp.crlIssuer ? keysOf(dp.crlIssuer) : undefined;
    if (!mine) return { reason: 'SCOPE_MISMATCH', detail: 'partitioned CRL (IssuingDistributionPoint names a distribution point) but the certificate names none' };
    if (!intersects(mine, idpKeys)) return { reason: 'SCOPE_MISMATCH', detail: "the CRL's IssuingDistributionPoint does not match the certificate's CRL distribution point" };
  }
  return undefined;
}

function relKeys(cert: Certificate, dp: DistributionPoint): Set<string> | undefined {
  // relative to the DP's cRLIssuer when it names one, else to the certificate issuer
  const base = dp.crlIssuer?.find((g) => g.type === 'directoryName');
  const issuer = base?.type === 'directoryName' ? base.name : cert.issuer;
  try {
    return keysOf([{ type: 'directoryName', name: relativeToFullName(issuer, dp.nameRelativeToCrlIssuer!) }]);
  } catch {
    return undefined;
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
