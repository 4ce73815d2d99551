/**
 * The result of path validation, as data: the chosen path, every check made on
 * it, typed reasons, the valid policy set and what the search cost. Never a
 * bare boolean.
 */
import type { Certificate } from '../cert/types';
import type { RevocationStatus } from '../revocation/types';
import type { TrustAnchor } from './trust-anchor';

/** Why a path (or the search for one) failed. */
export type PathReason =
  // search
  | 'NO_PATH' // some certificate's issuer is neither supplied nor a trust anchor
  | 'UNTRUSTED_ROOT' // the chain ends in a self-issued certificate that is not a trust anchor
  | 'MAX_DEPTH' // the path would be longer than policy.maxDepth
  | 'BUDGET_EXCEEDED' // the signature-check count or cost budget (or the candidate budget) ran out before a path validated
  // signatures and keys
  | 'BAD_SIGNATURE'
  | 'SIGNATURE_ALGORITHM_MISMATCH' // tbsCertificate.signature differs from signatureAlgorithm
  | 'ALGORITHM_NOT_ALLOWED'
  | 'UNSUPPORTED_ALGORITHM'
  | 'WEAK_KEY'
  | 'KEY_NOT_ALLOWED' // RSA modulus above the policy's maximum or a public exponent outside its allowed set (refused before any math)
  // time
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  // structure and constraints
  | 'NAME_CHAINING'
  | 'NOT_A_CA'
  | 'PATH_LEN_EXCEEDED'
  | 'KEY_USAGE'
  | 'EXT_KEY_USAGE'
  | 'NAME_CONSTRAINT_VIOLATION'
  | 'UNKNOWN_CRITICAL_EXTENSION'
  // RFC 5280 profile MUSTs (path/profile.ts; a policy may name exceptions)
  | 'AKI_MISSING' // v3 non-self-issued certificate without authorityKeyIdentifier
  | 'SKI_MISSING' // CA certificate without subjectKeyIdentifier
  | 'KEY_ID_CRITICAL' // AKI or SKI marked critical
  | 'NAME_CONSTRAINTS_IN_EE' // nameConstraints in a certificate that is not a CA
  | 'POLICY_CONSTRAINTS_NOT_CRITICAL'
  | 'SAN_NOT_CRITICAL' // empty subject without a critical subjectAltName
  | 'AIA_CRITICAL' // authorityInformationAccess marked critical
  | 'KEY_CERT_SIGN_NOT_CA' // keyUsage keyCertSign without basicConstraints cA
  | 'MALFORMED_NAME' // a dNSName / rfc822Name that is not well formed, under name constraints
  // trust-anchor structure (refused at trust-store load: path/profile.ts anchorDefects)
  | 'BASIC_CONSTRAINTS_NOT_CRITICAL'
  | 'EMPTY_SUBJECT'
  // certificate policies
  | 'POLICY_REQUIRED'
  | 'POLICY_MAPPING_INVALID'
  | 'POLICY_TREE_TOO_LARGE'
  // input
  | 'MALFORMED'
  // a policy.leafChecks hook (e.g. the Korean certificate-type profile) rejected the leaf
  | 'LEAF_REJECTED';

/** Names of the individual checks recorded in PathResult.checks. */
export type CheckName =
  | 'issuer' // an issuer was found for the certificate (search)
  | 'signature'
  | 'signatureAlgorithm'
  | 'publicKey' // the certificate's own key under the algorithm policy (size, exponent, curve)
  | 'validity'
  | 'nameChaining'
  | 'basicConstraints'
  | 'pathLength'
  | 'keyUsage'
  | 'criticalExtensions'
  | 'profile' // an RFC 5280 profile rule (path/profile.ts)
  | 'anchor' // the trust anchor certificate's own validity (policy.enforceAnchorConstraints)
  | 'nameConstraints'
  | 'policy'
  | 'policyMapping'
  | 'leafKeyUsage'
  | 'leafExtKeyUsage'
  | 'leafCheck'
  | 'depth'
  | 'budget';

export interface PathCheck {
  check: CheckName;
  /** Index in `path` (0 = leaf); for checks of the anchor itself, path.length - 1 or -1 for a bare anchor. */
  cert: number;
  ok: boolean;
  reason?: PathReason;
  detail?: string;
}

export interface PathResult {
  ok: boolean;
  /**
   * Leaf first. For a successful validation, the whole path up to and including
   * the anchor when the anchor is a certificate (a bare {name, spki} anchor is
   * not a certificate: see `anchor`). For a failure, the most informative
   * attempt (possibly partial: as far as the search got).
   */
  path: Certificate[];
  /** The trust anchor the path ends in, when one was reached. */
  anchor?: TrustAnchor;
  /** Every check made on the reported path, in order. Only failing ones carry a reason. */
  checks: PathCheck[];
  /** The distinct reasons of the failing checks (empty when ok). */
  reasons: PathReason[];
  /**
   * The user-constrained policy set (RFC 5280 §6.1.5 (g), as PKITS states it):
   * the policies, in the trust anchor's domain (before any policy mapping),
   * under which the whole path is valid and that the user-initial-policy-set
   * accepts; sorted; `['2.5.29.32.0']` when that is anyPolicy; empty when the
   * valid_policy_tree is NULL (allowed unless an explicit policy is required).
   */
  validPolicies: string[];
  /** Signature verifications actually computed (cache hits not counted). */
  signatureChecks: number;
  /** Their cost in units of one RSA-2048 verification (crypto/signature.ts signatureCost), bounded by policy.maxSignatureCost. */
  signatureCost: number;
  /** Issuer candidates tried across the whole search. */
  candidatesTried: number;
  /**
   * Revocation status per certificate of `path` (same index; the trust anchor,
   * when it ends `path`, gets no entry), filled in by the revocation step that
   * runs after path validation (e.g. `checkPathWithCrls` in
   * revocation/crl-path.ts, or the RevocationChecker); absent here.
   */
  revocation?: RevocationStatus[];
}
