/**
 * ValidationPolicy: everything path validation depends on, explicit and
 * immutable (the pyca/cryptography and Go crypto/x509 model). The validation
 * time is an input, never read from a clock here.
 */
import type { Certificate, GeneralSubtree, KeyUsageName } from '../cert/types';
import { OID } from '../cert/types';
import { DEFAULT_ALGORITHM_POLICY, type AlgorithmPolicy } from '../crypto/signature';
import { PkiError } from '../errors';
import { PROFILE_RULES, type ProfileRule } from './profile';
import type { PathReason } from './result';
import { isCertificateAnchor, type TrustAnchor } from './trust-anchor';

/** A leaf check hook (e.g. npki/profile.ts: accepted certificate types). Return a reason to reject. */
export type LeafCheck = (leaf: Certificate) => PathReason | { reason: PathReason; detail: string } | undefined;

/**
 * What validatePath checks against. Treat a policy as immutable once made
 * (createValidationPolicy freezes it and its lists): validatePath's path
 * cache (build.ts) keys a frozen list by its identity, so an item of such a
 * list (an anchor, a subtree, a profile rule) changed in place afterwards
 * would not be seen by a path cached before. Make a new policy instead.
 */
export interface ValidationPolicy {
  readonly trustAnchors: readonly TrustAnchor[];
  /** Validation time, epoch milliseconds. Every certificate of the path must be valid at this instant. */
  readonly at: number;
  /** Most certificates in a path, not counting the trust anchor (leaf + intermediates). Default 8. */
  readonly maxDepth: number;
  /** Budget of signature verifications over the whole search (cache hits free). Default 100. */
  readonly maxSignatureChecks: number;
  /**
   * Budget of signature-verification cost over the whole search, in units of
   * one RSA-2048 (e = 65537) verification (crypto/signature.ts signatureCost:
   * RSA-4096 costs 4, P-384 12...). Bounds CPU where maxSignatureChecks only
   * bounds a count. Cache hits and checks refused by the algorithm policy
   * before any math are free. Default 400 (a few ms of CPU).
   */
  readonly maxSignatureCost: number;
  /**
   * Intermediates the relying party configured (e.g. the trust store's
   * INTERMEDIATES_DIR), tried as issuers after the trust anchors and before
   * any certificate the caller passes to validatePath (those come from the
   * message). A configured certificate that is also passed counts once, as
   * configured. Default none.
   */
  readonly intermediates: readonly Certificate[];
  /** Budget of issuer candidates tried over the whole search (bounds work even when signatures are cached). Default 4 × maxSignatureChecks. */
  readonly maxCandidates: number;
  /** Cap on valid_policy_tree nodes; beyond it the path fails with POLICY_TREE_TOO_LARGE. Default 1000. */
  readonly maxPolicyNodes: number;
  readonly algorithms: Readonly<AlgorithmPolicy>;
  /** The leaf's keyUsage must contain at least one of these (when the leaf has keyUsage; see requireLeafKeyUsageExtension). */
  readonly requiredKeyUsage?: readonly KeyUsageName[];
  /** When requiredKeyUsage is set, a leaf without a keyUsage extension fails too (default false: absent = unrestricted, RFC 5280). */
  readonly requireLeafKeyUsageExtension: boolean;
  /** The leaf's extKeyUsage must contain at least one of these; a leaf without extKeyUsage passes (unrestricted). */
  readonly requiredExtKeyUsage?: readonly string[];
  /** Whether anyExtendedKeyUsage in the leaf satisfies requiredExtKeyUsage. Default true. */
  readonly acceptAnyExtendedKeyUsage: boolean;
  /** RFC 5280 §6.1.1 (c) user-initial-policy-set. Default [anyPolicy]. */
  readonly initialPolicySet: readonly string[];
  readonly initialExplicitPolicy: boolean;
  readonly initialPolicyMappingInhibit: boolean;
  readonly initialAnyPolicyInhibit: boolean;
  /** RFC 5280 §6.1.1 (h)/(i) initial-permitted/excluded-subtrees. Absent = unlimited / none. */
  readonly permittedSubtrees?: readonly GeneralSubtree[];
  readonly excludedSubtrees?: readonly GeneralSubtree[];
  /** Extension OIDs a caller processes itself, recognised when critical (added to the built-in set). */
  readonly extraKnownExtensions: readonly string[];
  /**
   * Apply a certificate trust anchor's own constraints: its validity period
   * at `at` (an expired root fails the path: EXPIRED on the anchor) and its
   * nameConstraints (over every certificate under it). Default true. (Its
   * structural faults are the trust store's to refuse at load:
   * path/profile.ts anchorDefects.)
   */
  readonly enforceAnchorConstraints: boolean;
  /** RFC 5280 profile rules not enforced (path/profile.ts ProfileRule), each a named, documented exception (e.g. KOREAN_PROFILE_EXCEPTIONS). Default none. */
  readonly profileExceptions: readonly ProfileRule[];
  /** Further checks on the leaf, run after RFC 5280 processing. */
  readonly leafChecks: readonly LeafCheck[];
}

export type ValidationPolicyInput = Partial<ValidationPolicy> & Pick<ValidationPolicy, 'trustAnchors' | 'at'>;

export const DEFAULT_MAX_DEPTH = 8;
export const DEFAULT_MAX_SIGNATURE_CHECKS = 100;
export const DEFAULT_MAX_POLICY_NODES = 1000;
export const DEFAULT_MAX_SIGNATURE_COST = 400;

const OID_RE = /^[0-2](\.(0|[1-9][0-9]*))+$/;
const KEY_USAGES = new Set<string>(['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly']);

/** Array.isArray without widening to any[]. */
function isList<T>(v: unknown): v is readonly T[] {
  return Array.isArray(v);
}

function invalid(message: string): PkiError {
  return new PkiError('INVALID_ARGUMENT', `ValidationPolicy: ${message}`);
}

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(`${name} must be an integer in [${min}, ${max}]`);
  return v;
}

function oids(name: string, v: readonly string[] | undefined, allowEmpty: boolean): readonly string[] | undefined {
  if (v === undefined) return undefined;
  if (!isList<string>(v) || (!allowEmpty && v.length === 0)) throw invalid(`${name} must be a${allowEmpty ? 'n' : ' non-empty'} array of OIDs`);
  for (const o of v) if (typeof o !== 'string' || !OID_RE.test(o)) throw invalid(`${name}: "${String(o)}" is not a dotted OID`);
  return Object.freeze([...new Set(v)]);
}

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw invalid(`${name} must be a boolean`);
  return v;
}

function profileRules(v: readonly ProfileRule[] | undefined): readonly ProfileRule[] {
  if (v === undefined) return Object.freeze([]);
  if (!isList<ProfileRule>(v) || v.some((r) => !PROFILE_RULES.includes(r))) throw invalid(`profileExceptions must name rules among ${PROFILE_RULES.join(', ')}`);
  return Object.freeze([...new Set(v)]);
}

function configuredIntermediates(v: readonly Certificate[] | undefined): readonly Certificate[] {
  if (v === undefined) return Object.freeze([]);
  if (!isList<Certificate>(v) || v.some((c) => !c || typeof c !== 'object' || typeof c.fingerprintSha256 !== 'string')) {
    throw invalid('intermediates must be an array of parsed certificates');
  }
  return Object.freeze([...v]);
}

/**
 * Fill defaults, validate, freeze. Throws PkiError('INVALID_ARGUMENT') for a
 * contract violation (missing/invalid time, empty anchors, bad numbers or OIDs).
 */
export function createValidationPolicy(input: ValidationPolicyInput): ValidationPolicy {
  if (!input || typeof input !== 'object') throw invalid('expected an object');
  const { trustAnchors, at } = input;
  if (!isList<TrustAnchor>(trustAnchors) || trustAnchors.length === 0) throw invalid('trustAnchors must be a non-empty array');
  for (const a of trustAnchors) {
    if (!a || typeof a !== 'object' || !a.spki || !('der' in a.spki) || !(isCertificateAnchor(a) ? a.subject : a.name)) {
      throw invalid('each trust anchor must be a Certificate or {name, spki}');
    }
  }
  if (typeof at !== 'number' || !Number.isFinite(at)) throw invalid('at (validation time, epoch ms) is required');
  const maxSignatureChecks = intIn('maxSignatureChecks', input.maxSignatureChecks ?? DEFAULT_MAX_SIGNATURE_CHECKS, 1, 100_000);
  const algorithms = Object.freeze({ ...DEFAULT_ALGORITHM_POLICY, ...(input.algorithms ?? {}) });
  if (!Number.isInteger(algorithms.minRsaBits) || algorithms.minRsaBits < 512) throw invalid('algorithms.minRsaBits must be an integer ≥ 512');
  if (input.requiredKeyUsage !== undefined) {
    if (!isList<KeyUsageName>(input.requiredKeyUsage) || input.requiredKeyUsage.length === 0) throw invalid('requiredKeyUsage must be a non-empty array');
    for (const k of input.requiredKeyUsage) if (!KEY_USAGES.has(k)) throw invalid(`requiredKeyUsage: unknown key usage "${String(k)}"`);
  }
  const leafChecks = input.leafChecks ?? [];
  if (!isList<LeafCheck>(leafChecks) || leafChecks.some((f) => typeof f !== 'function')) throw invalid('leafChecks must be an array of functions');
  const policy: ValidationPolicy = {
    trustAnchors: Object.freeze([...trustAnchors]),
    at,
    maxDepth: intIn('maxDepth', input.maxDepth ?? DEFAULT_MAX_DEPTH, 1, 64),
    maxSignatureChecks,
    maxSignatureCost: intIn('maxSignatureCost', input.maxSignatureCost ?? DEFAULT_MAX_SIGNATURE_COST, 1, 10_000_000),
    intermediates: configuredIntermediates(input.intermediates),
    maxCandidates: intIn('maxCandidates', input.maxCandidates ?? maxSignatureChecks * 4, 1, 1_000_000),
    maxPolicyNodes: intIn('maxPolicyNodes', input.maxPolicyNodes ?? DEFAULT_MAX_POLICY_NODES, 1, 1_000_000),
    algorithms,
    requiredKeyUsage: input.requiredKeyUsage ? Object.freeze([...input.requiredKeyUsage]) : undefined,
    requireLeafKeyUsageExtension: bool('requireLeafKeyUsageExtension', input.requireLeafKeyUsageExtension, false),
    requiredExtKeyUsage: oids('requiredExtKeyUsage', input.requiredExtKeyUsage, false),
    acceptAnyExtendedKeyUsage: bool('acceptAnyExtendedKeyUsage', input.acceptAnyExtendedKeyUsage, true),
    initialPolicySet: oids('initialPolicySet', input.initialPolicySet, false) ?? Object.freeze([OID.anyPolicy]),
    initialExplicitPolicy: bool('initialExplicitPolicy', input.initialExplicitPolicy, false),
    initialPolicyMappingInhibit: bool('initialPolicyMappingInhibit', input.initialPolicyMappingInhibit, false),
    initialAnyPolicyInhibit: bool('initialAnyPolicyInhibit', input.initialAnyPolicyInhibit, false),
    permittedSubtrees: input.permittedSubtrees ? Object.freeze([...input.permittedSubtrees]) : undefined,
    excludedSubtrees: input.excludedSubtrees ? Object.freeze([...input.excludedSubtrees]) : undefined,
    extraKnownExtensions: oids('extraKnownExtensions', input.extraKnownExtensions, true) ?? Object.freeze([]),
    leafChecks: Object.freeze([...leafChecks]),
    enforceAnchorConstraints: bool('enforceAnchorConstraints', input.enforceAnchorConstraints, true),
    profileExceptions: profileRules(input.profileExceptions),
  };
  return Object.freeze(policy);
}
