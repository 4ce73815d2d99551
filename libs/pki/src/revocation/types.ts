/**
 * Revocation vocabulary shared by the OCSP client, the CRL engine and the
 * checker that combines them. "unknown" (we could not find out) is always kept
 * distinct from "revoked" (an authority said so).
 */
import type { Certificate, ReasonFlag } from '../cert/types';

/** CRLReason (RFC 5280 §5.3.1); value 7 is unused. */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

export const REVOCATION_REASONS: Readonly<Record<number, RevocationReason>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export type RevocationSource = 'ocsp' | 'crl';

/** Why a source could not give an answer. */
export type RevocationUnknownReason =
  | 'NO_SOURCE' // no OCSP URL and no CRL distribution point (and no override)
  | 'FETCH_FAILED' // network error, timeout, HTTP error, size limit, disallowed URL
  | 'MALFORMED_RESPONSE' // not parseable
  | 'RESPONDER_ERROR' // OCSP responseStatus other than successful
  | 'BAD_SIGNATURE' // response/CRL signature does not verify
  | 'UNAUTHORIZED_RESPONDER' // signer is neither the CA nor a delegated responder
  | 'STALE' // nextUpdate passed (or thisUpdate in the future) beyond the allowed skew
  | 'NONCE_MISMATCH'
  | 'CERT_ID_MISMATCH' // no SingleResponse for our certificate
  | 'SCOPE_MISMATCH' // CRL scope (IssuingDistributionPoint, reasons, indirect) does not cover the certificate
  | 'UNKNOWN_CRITICAL_EXTENSION'
  | 'CRL_PROFILE' // a CRL without cRLNumber, or with a critical one (RFC 5280 §5.2.3): never evidence of good
  | 'OCSP_UNKNOWN' // responder answered "unknown"
  | 'NEGATIVE_CACHED'; // source recently failed; backing off

export interface RevocationEvidence {
  source: RevocationSource;
  /** URL asked (or the configured override). */
  url?: string;
  thisUpdate?: number;
  nextUpdate?: number;
  /** OCSP producedAt. */
  producedAt?: number;
  /** The answer came from a cache. */
  cached: boolean;
  /** Subject of the OCSP responder certificate or the CRL issuer. */
  signer?: string;
  /** Caveats the caller may want to log (e.g. "responder revocation not checked", "nonce not echoed"). */
  notes?: string[];
}

export type RevocationStatus =
  | ({ status: 'good' } & RevocationEvidence)
  | ({ status: 'revoked'; revokedAt: number; reason?: RevocationReason; invalidityDate?: number } & RevocationEvidence)
  | { status: 'unknown'; reason: RevocationUnknownReason; detail: string; source?: RevocationSource; url?: string; attempts: RevocationEvidence[] };

/** The question: is `cert` (issued by `issuer`) revoked at time `at`? */
export interface RevocationQuery {
  cert: Certificate;
  issuer: Certificate;
  at: number;
  /**
   * The whole validated path `cert` is on (leaf first, ending with the trust
   * anchor certificate), when known: CRL checking then runs over the path
   * (CRL signers validated to the real anchor, indirect CRLs). Optional.
   */
  path?: readonly Certificate[];
}

/**
 * Fetching is injected: libs/pki never opens sockets on its own. The service
 * layer supplies an implementation with an allowlist, timeouts and size limits.
 */
export interface HttpFetcher {
  (request: { url: string; method: 'GET' | 'POST'; body?: Uint8Array; contentType?: string; accept?: string; timeoutMs: number; maxBytes: number }): Promise<{ status: number; contentType?: string; body: Buffer }>;
}

/** Reasons subset used in distribution points (re-exported for convenience). */
export type { ReasonFlag };
