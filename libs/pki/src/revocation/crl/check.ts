/**
 * checkCrl: is `query.cert` revoked according to this CRL (and optionally
 * one delta CRL)? A thin adapter over the one CRL engine, `checkPathWithCrls`
 * (revocation/crl-path.ts, RFC 5280 §6.3, the PKITS-certified one): the
 * one-link path [cert, issuer] with the issuer as its anchor, the CRL (and
 * delta) as the CRLs given, `crlIssuerCert` (an indirect CRL's signer, its
 * path validated by the caller) as a signer candidate. Every rule —
 * scope, signer and cRLSign, signature, freshness, cRLNumber, unknown
 * critical extensions, delta pairing, removeFromCRL — is the engine's; this
 * file only frames the question and labels the evidence with the CRL's URL
 * and cache state. Returns data, never throws for bad CRLs.
 */
import type { Certificate } from '../../cert/types';
import type { AlgorithmPolicy } from '../../crypto/signature';
import type { PathResult } from '../../path/result';
import { checkPathWithCrls } from '../crl-path';
import type { RevocationEvidence, RevocationQuery, RevocationStatus } from '../types';
import type { Crl } from './types';

export interface CheckCrlOptions {
  at: number;
  maxSkewMs: number;
  algorithms: AlgorithmPolicy;
  /** Signer of an indirect CRL (its path validated by the caller). Default: `query.issuer`. */
  crlIssuerCert?: Certificate;
  /** A delta CRL to combine with `crl` (same issuer and scope, BaseCRLNumber ≤ crl's cRLNumber). */
  delta?: Crl;
  /** Further CRLs the engine may use: e.g. the certificate issuer's CRL covering an indirect CRL issuer's own certificate (its revocation is checked too, RFC 5280 §6.3.3 (f)). */
  otherCrls?: readonly Crl[];
  /** For the evidence: where the CRL came from, and whether it came from a cache. */
  url?: string;
  cached?: boolean;
}

/** `status` with the evidence labelled by `url` / `cached`. */
export function labelCrlEvidence(status: RevocationStatus, url: string | undefined, cached: boolean | undefined): RevocationStatus {
  const label = <T extends RevocationEvidence | RevocationStatus>(e: T): T => ({ ...e, ...(url !== undefined ? { url } : {}), ...(cached !== undefined ? { cached } : {}) });
  if (status.status === 'unknown') return { ...label(status), attempts: status.attempts.map(label) };
  return label(status);
}

/** The one-link path the engine runs on: [cert, issuer], the issuer as the anchor. */
export function oneLinkPath(cert: Certificate, issuer: Certificate): PathResult {
  return { ok: true, path: [cert, issuer], anchor: issuer, checks: [], reasons: [], validPolicies: [], signatureChecks: 0, signatureCost: 0, candidatesTried: 0 };
}

export function checkCrl(query: RevocationQuery, crl: Crl, opts: CheckCrlOptions): RevocationStatus {
  const [s] = checkPathWithCrls(oneLinkPath(query.cert, query.issuer), [crl, ...(opts.delta ? [opts.delta] : []), ...(opts.otherCrls ?? [])], {
    at: opts.at,
    maxSkewMs: opts.maxSkewMs,
    algorithms: opts.algorithms,
    anchors: [query.issuer],
    certificates: opts.crlIssuerCert ? [opts.crlIssuerCert] : [],
    maxCrlIssuerDepth: 1,
  });
  return labelCrlEvidence(s!, opts.url, opts.cached);
}
