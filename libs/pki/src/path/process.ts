/**
 * RFC 5280 §6.1 basic path processing of one candidate path (leaf first, the
 * trust anchor given separately). Every check is recorded; processing goes on
 * after a failure so the result shows all problems of the path (the policy
 * tree stops being updated once it fails).
 *
 * Trust-anchor semantics (§6.1.1 (d)): the anchor supplies the trusted name
 * and key; its basicConstraints, keyUsage and policies are not processed.
 * Name constraints are taken from a bare anchor's optional `nameConstraints`
 * and, with policy.enforceAnchorConstraints (the default), from a certificate
 * anchor's own nameConstraints extension — the relying party chooses to
 * apply the constraints its roots carry (RFC 5937 style, as OpenSSL, Go and
 * pyca do) — and the anchor certificate must be within its validity period
 * ('anchor' check). Structural anchor faults are refused at trust-store load
 * (profile.ts anchorDefects).
 *
 * RFC 5280 profile rules on every certificate of the path (profile.ts): a
 * 'profile' check each, failing with the rule's reason (AKI_MISSING, ...),
 * less policy.profileExceptions; MALFORMED_NAME under name constraints.
 *
 * Key parameter inheritance (§6.1.4 (d)-(f)): a DSA key with absent (or NULL)
 * parameters under a DSA working key takes that key's Dss-Parms; the working
 * key is then a synthesized SPKI (cached per certificate key and parameters),
 * so Node can import it. See `workingPublicKey`.
 *
 * Not done here: revocation (§6.1.3 (a)(3)) — a separate step on the chosen
 * path (revocation/crl-path.ts for CRLs).
 */
import { namesEqual } from '../cert/name';
import type { Certificate, SubjectPublicKeyInfo } from '../cert/types';
import { isoString } from '../clock';
import { OID } from '../cert/types';
import { hasDsaParameters, publicKeyProblem, type SignatureCheck } from '../crypto/signature';
import { bitString, oid, seq } from '../der';
import { constrainedNames, nameConstraintViolation, type ConstraintSet } from './name-constraints';
import type { ValidationPolicy } from './policy';
import { isCertificateAnchor, type TrustAnchor } from './trust-anchor';
import { malformedNames, profileViolations, type ProfileRule } from './profile';
import { PolicyTree, PolicyTreeTooLarge } from './policy-tree';
import type { CheckName, PathCheck, PathReason } from './result';

/** Extensions whose semantics path validation (or a later step) implements: recognised when critical. */
export const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
  OID.nameConstraints,
  OID.subjectAltName,
  OID.authorityKeyIdentifier,
  OID.subjectKeyIdentifier,
  // informational / used by the revocation step
  OID.authorityInfoAccess,
  OID.crlDistributionPoints,
  OID.ocspNoCheck,
]);

/** Verify `child`'s signature with `issuerKey` (issuer = the path's next cert or the anchor). */
export type SignatureVerifier = (child: Certificate, issuerKey: SubjectPublicKeyInfo, issuer: Certificate | TrustAnchor) => SignatureCheck;

export interface ProcessOutcome {
  ok: boolean;
  checks: PathCheck[];
  reasons: PathReason[];
  validPolicies: string[];
}

export function signatureReason(r: Exclude<SignatureCheck, { ok: true }>['reason']): PathReason {
  switch (r) {
    case 'BAD_SIGNATURE':
    case 'KEY_ALGORITHM_MISMATCH':
      return 'BAD_SIGNATURE';
    case 'UNSUPPORTED_ALGORITHM':
      return 'UNSUPPORTED_ALGORITHM';
    case 'ALGORITHM_NOT_ALLOWED':
      return 'ALGORITHM_NOT_ALLOWED';
    case 'WEAK_KEY':
      return 'WEAK_KEY';
    case 'KEY_NOT_ALLOWED':
      return 'KEY_NOT_ALLOWED';
    case 'BAD_KEY':
      return 'MALFORMED';
  }
}

/** Epoch ms as ISO 8601 UTC to the second (for details: certificate and CRL times have four-digit years). */
export function isoTime(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms); // not a Date
  return `${isoString(Math.floor(ms / 1000) * 1000).slice(0, -5)}Z`;
}

const inherited = new WeakMap<SubjectPublicKeyInfo, Map<string, SubjectPublicKeyInfo>>();

/**
 * RFC 5280 §6.1.4 (d)-(f): the working public key after a certificate whose
 * key is `own`, the previous working key being `previous`. A DSA key without
 * parameters under a DSA working key with parameters inherits them (a new SPKI,
 * DER included, cached); anything else is `own` unchanged (a parameterless DSA
 * key under a non-DSA key stays parameterless and cannot verify: BAD_KEY).
 */
export function workingPublicKey(own: SubjectPublicKeyInfo, previous: SubjectPublicKeyInfo): SubjectPublicKeyInfo {
  if (own.keyType !== 'dsa' || hasDsaParameters(own) || previous.keyType !== 'dsa' || !hasDsaParameters(previous)) return own;
  const params = previous.algorithm.params!;
  const id = Buffer.from(params.buffer, params.byteOffset, params.byteLength).toString('latin1');
  let byParams = inherited.get(own);
  const hit = byParams?.get(id);
  if (hit) return hit;
  const algDer = seq(oid(own.algorithm.oid), params);
  const out: SubjectPublicKeyInfo = {
    der: seq(algDer, bitString(own.publicKey)),
    algorithm: { oid: own.algorithm.oid, params, der: algDer },
    publicKey: own.publicKey,
    keyType: 'dsa',
  };
  if (!byParams) {
    byParams = new Map();
    inherited.set(own, byParams);
  }
  if (byParams.size < 8) byParams.set(id, out);
  return out;
}

/**
 * The working public key of each certificate of a path (leaf first, same
 * indexes), parameters inherited down from `anchor` (§6.1.4 (d)-(f)). For a
 * certificate anchor at the end of `path`, its entry is the anchor's key.
 */
export function pathWorkingKeys(path: readonly Certificate[], anchor: TrustAnchor): SubjectPublicKeyInfo[] {
  const out: SubjectPublicKeyInfo[] = new Array<SubjectPublicKeyInfo>(path.length);
  let key = anchor.spki;
  for (let i = path.length - 1; i >= 0; i--) {
    const c = path[i]!;
    key = c === anchor ? anchor.spki : workingPublicKey(c.spki, key);
    out[i] = key;
  }
  return out;
}

const exceptionSets = new WeakMap<readonly ProfileRule[], ReadonlySet<ProfileRule>>();
function exceptionSet(rules: readonly ProfileRule[]): ReadonlySet<ProfileRule> {
  let s = exceptionSets.get(rules);
  if (!s) {
    s = new Set(rules);
    exceptionSets.set(rules, s);
  }
  return s;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Process `path` (leaf first, length n ≥ 1) under `anchor`. `verify` does the
 * signature checks (build.ts passes its cached verifier).
 */
export function processPath(path: readonly Certificate[], anchor: TrustAnchor, policy: ValidationPolicy, verify: SignatureVerifier): ProcessOutcome {
  const n = path.length;
  const checks: PathCheck[] = [];
  const failed = new Set<PathReason>();
  const record = (check: CheckName, cert: number, reason?: PathReason, detail?: string): void => {
    if (reason) {
      failed.add(reason);
      checks.push(detail === undefined ? { check, cert, ok: false, reason } : { check, cert, ok: false, reason, detail });
    } else {
      checks.push({ check, cert, ok: true });
    }
  };

  // §6.1.2 initialisation
  const tree = new PolicyTree(policy.maxPolicyNodes);
  let treeFailed = false;
  let explicitPolicy = policy.initialExplicitPolicy ? 0 : n + 1;
  let inhibitAnyPolicy = policy.initialAnyPolicyInhibit ? 0 : n + 1;
  let policyMapping = policy.initialPolicyMappingInhibit ? 0 : n + 1;
  // a certificate anchor's pathLenConstraint counts too (with enforceAnchorConstraints)
  const anchorPathLen = isCertificateAnchor(anchor) && policy.enforceAnchorConstraints ? anchor.ext.basicConstraints?.pathLen : undefined;
  let maxPathLength = anchorPathLen !== undefined ? Math.min(n, anchorPathLen) : n;
  const constraintSets: ConstraintSet[] = [];
  if (policy.permittedSubtrees || policy.excludedSubtrees) {
    constraintSets.push({ permitted: policy.permittedSubtrees, excluded: policy.excludedSubtrees });
  }
  let workingKey: SubjectPublicKeyInfo = anchor.spki;
  let workingIssuer: Certificate | TrustAnchor = anchor;
  let workingIssuerName = isCertificateAnchor(anchor) ? anchor.subject : anchor.name;
  if (!isCertificateAnchor(anchor) && anchor.nameConstraints) constraintSets.push(anchor.nameConstraints);
  if (isCertificateAnchor(anchor) && policy.enforceAnchorConstraints) {
    if (anchor.ext.nameConstraints) constraintSets.push(anchor.ext.nameConstraints);
    if (policy.at < anchor.notBefore) record('anchor', n, 'NOT_YET_VALID', `trust anchor notBefore ${isoTime(anchor.notBefore)}`);
    else if (policy.at > anchor.notAfter + 999) record('anchor', n, 'EXPIRED', `trust anchor notAfter ${isoTime(anchor.notAfter)}`);
    else record('anchor', n);
  }
  const except = exceptionSet(policy.profileExceptions);
  const known = policy.extraKnownExtensions.length > 0 ? new Set([...KNOWN_EXTENSIONS, ...policy.extraKnownExtensions]) : KNOWN_EXTENSIONS;

  const treeGuard = (idx: number, f: () => void): void => {
    if (treeFailed) return;
    try {
      f();
    } catch (e) {
      if (!(e instanceof PolicyTreeTooLarge)) throw e;
      treeFailed = true;
      tree.setNull();
      record('policy', idx, 'POLICY_TREE_TOO_LARGE', e.message);
    }
  };

  for (let i = 1; i <= n; i++) {
    const idx = n - i; // index in `path` (leaf = 0)
    const cert = path[idx]!;
    const isLeaf = i === n;

    // §6.1.3 (a)(1) signature, and the inner/outer algorithm identifiers agree
    if (!sameBytes(cert.tbsSignatureAlgorithm.der, cert.signatureAlgorithm.der)) {
      record('signatureAlgorithm', idx, 'SIGNATURE_ALGORITHM_MISMATCH', 'tbsCertificate.signature differs from signatureAlgorithm');
    } else {
      record('signatureAlgorithm', idx);
    }
    const sig = verify(cert, workingKey, workingIssuer);
    if (sig.ok) record('signature', idx);
    else record('signature', idx, signatureReason(sig.reason), sig.detail);
    // the certificate's own key under the algorithm policy (a leaf's too)
    const keyProblem = publicKeyProblem(cert.spki, policy.algorithms);
    record('publicKey', idx, keyProblem ? signatureReason(keyProblem.reason) : undefined, keyProblem?.detail);

    // (a)(2) validity at the validation time; times have one-second
    // granularity (RFC 5280 §4.1.2.5): notAfter covers its whole second
    if (policy.at < cert.notBefore) record('validity', idx, 'NOT_YET_VALID', `notBefore ${isoTime(cert.notBefore)}`);
    else if (policy.at > cert.notAfter + 999) record('validity', idx, 'EXPIRED', `notAfter ${isoTime(cert.notAfter)}`);
    else record('validity', idx);

    // (a)(4) name chaining
    // namesEqual: identical encodings settle it without decoding, as for a leaf issued by its anchor
    if (!namesEqual(cert.issuer, workingIssuerName)) record('nameChaining', idx, 'NAME_CHAINING', `issuer ${cert.issuer.text} ≠ ${workingIssuerName.text}`);
    else record('nameChaining', idx);

    // (b)(c) name constraints (self-issued intermediates exempt)
    if (constraintSets.length > 0 && (isLeaf || !cert.selfIssued)) {
      const names = constrainedNames(cert);
      const malformed = except.has('MALFORMED_NAME') ? undefined : malformedNames(names);
      if (malformed) record('nameConstraints', idx, 'MALFORMED_NAME', malformed);
      const v = nameConstraintViolation(names, constraintSets);
      record('nameConstraints', idx, v ? 'NAME_CONSTRAINT_VIOLATION' : undefined, v);
    }

    // RFC 5280 profile rules (profile.ts)
    const violations = profileViolations(cert, except);
    if (violations.length === 0) record('profile', idx);
    for (const v of violations) record('profile', idx, v.reason, v.detail);

    // (d)(e) policy tree
    const cp = cert.ext.certificatePolicies;
    if (cp) {
      const oids = cp.policies.map((p) => p.oid);
      const anyApplies = oids.includes(OID.anyPolicy) && (inhibitAnyPolicy > 0 || (!isLeaf && cert.selfIssued));
      treeGuard(idx, () => tree.processCertificate(i, oids, anyApplies));
    } else {
      tree.setNull();
    }
    // (f)
    if (!treeFailed) {
      if (explicitPolicy > 0 || !tree.isNull) record('policy', idx);
      else record('policy', idx, 'POLICY_REQUIRED', 'no valid policy and an explicit policy is required');
    }

    // unknown critical extensions (§6.1.4 (o), §6.1.5 (f))
    const unknown = cert.extensions.filter((e) => e.critical && !known.has(e.oid)).map((e) => e.oid);
    record('criticalExtensions', idx, unknown.length > 0 ? 'UNKNOWN_CRITICAL_EXTENSION' : undefined, unknown.length > 0 ? unknown.join(', ') : undefined);

    if (isLeaf) break;

    // §6.1.4 preparation for certificate i+1
    // (a)(b) policy mappings
    const pm = cert.ext.policyMappings;
    if (pm) {
      const bad = pm.find((m) => m.issuerDomainPolicy === OID.anyPolicy || m.subjectDomainPolicy === OID.anyPolicy);
      if (bad) {
        record('policyMapping', idx, 'POLICY_MAPPING_INVALID', 'mapping to or from anyPolicy');
      } else {
        record('policyMapping', idx);
        const map = new Map<string, string[]>();
        for (const m of pm) {
          const l = map.get(m.issuerDomainPolicy);
          if (l) {
            if (!l.includes(m.subjectDomainPolicy)) l.push(m.subjectDomainPolicy);
          } else map.set(m.issuerDomainPolicy, [m.subjectDomainPolicy]);
        }
        treeGuard(idx, () => tree.processMappings(i, map, policyMapping > 0));
      }
    }
    // (c)-(f) working issuer name and key
    workingIssuerName = cert.subject;
    workingKey = workingPublicKey(cert.spki, workingKey);
    workingIssuer = cert;
    // (g) name constraints
    if (cert.ext.nameConstraints) constraintSets.push(cert.ext.nameConstraints);
    // (h) counters
    if (!cert.selfIssued) {
      if (explicitPolicy > 0) explicitPolicy--;
      if (policyMapping > 0) policyMapping--;
      if (inhibitAnyPolicy > 0) inhibitAnyPolicy--;
    }
    // (i)(j)
    const pc = cert.ext.policyConstraints;
    if (pc?.requireExplicitPolicy !== undefined && pc.requireExplicitPolicy < explicitPolicy) explicitPolicy = pc.requireExplicitPolicy;
    if (pc?.inhibitPolicyMapping !== undefined && pc.inhibitPolicyMapping < policyMapping) policyMapping = pc.inhibitPolicyMapping;
    const iap = cert.ext.inhibitAnyPolicy;
    if (iap !== undefined && iap < inhibitAnyPolicy) inhibitAnyPolicy = iap;
    // (k) a CA: v3 with basicConstraints cA TRUE (v1/v2 certificates are CAs only as anchors)
    if (cert.version < 3) record('basicConstraints', idx, 'NOT_A_CA', `v${cert.version} certificate used as an intermediate`);
    else if (!cert.ext.basicConstraints?.ca) record('basicConstraints', idx, 'NOT_A_CA', cert.ext.basicConstraints ? 'basicConstraints cA is FALSE' : 'no basicConstraints');
    else record('basicConstraints', idx);
    // (l)(m) path length
    if (!cert.selfIssued) {
      if (maxPathLength <= 0) record('pathLength', idx, 'PATH_LEN_EXCEEDED', 'pathLenConstraint exceeded');
      else record('pathLength', idx);
      maxPathLength--;
    }
    const pl = cert.ext.basicConstraints?.pathLen;
    if (pl !== undefined && pl < maxPathLength) maxPathLength = pl;
    // (n) keyCertSign
    const ku = cert.ext.keyUsage;
    if (ku && !ku.has('keyCertSign')) record('keyUsage', idx, 'KEY_USAGE', 'issuer keyUsage lacks keyCertSign');
    else record('keyUsage', idx);
  }

  // §6.1.5 wrap-up
  const leaf = path[0]!;
  if (explicitPolicy > 0) explicitPolicy--;
  if (leaf.ext.policyConstraints?.requireExplicitPolicy === 0) explicitPolicy = 0;
  treeGuard(0, () => tree.intersect(n, policy.initialPolicySet));
  if (!treeFailed) {
    if (explicitPolicy > 0 || !tree.isNull) record('policy', 0);
    else record('policy', 0, 'POLICY_REQUIRED', 'the valid policy set is empty and an explicit policy is required');
  }
  const validPolicies = treeFailed ? [] : tree.constrainedPolicies(n);

  // leaf requirements of the relying party
  if (policy.requiredKeyUsage) {
    const ku = leaf.ext.keyUsage;
    if (!ku) {
      record('leafKeyUsage', 0, policy.requireLeafKeyUsageExtension ? 'KEY_USAGE' : undefined, policy.requireLeafKeyUsageExtension ? 'leaf has no keyUsage' : undefined);
    } else if (!policy.requiredKeyUsage.some((k) => ku.has(k))) {
      record('leafKeyUsage', 0, 'KEY_USAGE', `leaf keyUsage has none of ${policy.requiredKeyUsage.join(', ')}`);
    } else record('leafKeyUsage', 0);
  }
  if (policy.requiredExtKeyUsage) {
    const eku = leaf.ext.extKeyUsage;
    const ok = !eku || eku.some((p) => policy.requiredExtKeyUsage!.includes(p)) || (policy.acceptAnyExtendedKeyUsage && eku.includes(OID.anyExtendedKeyUsage));
    record('leafExtKeyUsage', 0, ok ? undefined : 'EXT_KEY_USAGE', ok ? undefined : `leaf extKeyUsage has none of ${policy.requiredExtKeyUsage.join(', ')}`);
  }
  for (const f of policy.leafChecks) {
    let r: ReturnType<typeof f>;
    try {
      r = f(leaf);
    } catch (e) {
      r = { reason: 'LEAF_REJECTED', detail: `leaf check threw: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (r === undefined) record('leafCheck', 0);
    else if (typeof r === 'string') record('leafCheck', 0, r);
    else record('leafCheck', 0, r.reason, r.detail);
  }

  return { ok: failed.size === 0, checks, reasons: [...failed], validPolicies };
}
