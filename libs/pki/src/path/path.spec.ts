import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import { OID, type Certificate, type GeneralName } from '../cert/types';
import { decodePemAll } from '../der';
import { isPkiError } from '../errors';
import { DAY, TEST_TIME, issue, issueChain, issueKoreanChain, KOREAN_DEFAULTS, testKey, type Issued } from '../issuing';
import { clearPathCache, clearSignatureCache, pathCacheStats, signatureCacheStats, validatePath, validatePathDer } from './build';
import { nameConstraintViolation, uriHost } from './name-constraints';
import { createValidationPolicy, type ValidationPolicyInput } from './policy';
import { DEFAULT_ALGORITHM_POLICY, verifySignature } from '../crypto/signature';
import { isoTime, pathWorkingKeys, workingPublicKey } from './process';

const p = (i: Issued): Certificate => parseCertificate(i.der);
const policyFor = (anchors: Issued[] | Certificate[], extra: Partial<ValidationPolicyInput> = {}) =>
  createValidationPolicy({
    trustAnchors: anchors.map((a) => ('tbsDer' in a ? a : p(a))),
    at: TEST_TIME,
    ...extra,
  });

describe('validatePath: Korean-profile chains', () => {
  const chain = issueKoreanChain();
  const root = p(chain.root);
  const ca = p(chain.ca);
  const user = p(chain.user);
  const npkiPolicy = createValidationPolicy({ trustAnchors: [root], at: chain.at, requiredKeyUsage: ['digitalSignature', 'nonRepudiation'] });

  it('validates user ← yessign CA ← KISA root (critical certificatePolicies recognised)', () => {
    const r = validatePath(user, [ca], npkiPolicy);
    expect(r.reasons).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.path.map((c) => c.subject.text)).toEqual([user.subject.text, ca.subject.text, root.subject.text]);
    expect(r.anchor).toBe(root);
    expect(r.validPolicies).toEqual([KOREAN_DEFAULTS.policyOid]);
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(r.checks.filter((c) => c.check === 'signature')).toHaveLength(2);
  });

  it('an initial policy set that excludes the certificate type fails with POLICY_REQUIRED under initialExplicitPolicy', () => {
    const pol = createValidationPolicy({ trustAnchors: [root], at: chain.at, initialPolicySet: ['1.2.410.200005.1.1.5'], initialExplicitPolicy: true });
    const r = validatePath(user, [ca], pol);
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual(['POLICY_REQUIRED']);
  });

  it('expired leaf → EXPIRED on the leaf', () => {
    const c = issueKoreanChain({ userValidity: 'expired' });
    const r = validatePath(p(c.user), [p(c.ca)], npkiPolicy);
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual(['EXPIRED']);
    expect(r.checks.find((x) => !x.ok)).toMatchObject({ check: 'validity', cert: 0, reason: 'EXPIRED' });
    expect(r.checks.find((x) => !x.ok)?.detail).toMatch(/^notAfter \d{4}-\d\d-\d\dT14:59:59Z$/);
  });

  it('not yet valid leaf → NOT_YET_VALID', () => {
    const c = issueKoreanChain({ userValidity: 'notYetValid' });
    expect(validatePath(p(c.user), [p(c.ca)], npkiPolicy).reasons).toEqual(['NOT_YET_VALID']);
  });

  it('wrong anchor: NO_PATH when the real root is not supplied, UNTRUSTED_ROOT when it is', () => {
    const other = issueChain([{ subject: 'CN=Other Root,O=Elsewhere,C=KR' }], 'other')[0]!;
    const pol = policyFor([other]);
    expect(validatePath(user, [ca], pol).reasons).toEqual(['NO_PATH']);
    const r = validatePath(user, [ca, root], pol);
    expect(r.reasons).toEqual(['UNTRUSTED_ROOT']);
    expect(r.path).toHaveLength(3);
  });

  it('missing intermediate → NO_PATH with the issuer named', () => {
    const r = validatePath(user, [], npkiPolicy);
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual(['NO_PATH']);
    expect(r.checks[0]!.detail).toContain('yessignCA-Test');
  });

  it('unknown critical extension on the leaf → UNKNOWN_CRITICAL_EXTENSION, unless the caller declares it known', () => {
    const c = issueKoreanChain({ unknownCriticalExtension: true });
    const r = validatePath(p(c.user), [p(c.ca)], npkiPolicy);
    expect(r.reasons).toEqual(['UNKNOWN_CRITICAL_EXTENSION']);
    expect(r.checks.find((x) => !x.ok)?.detail).toBe(KOREAN_DEFAULTS.unknownExtensionOid);
    const lenient = createValidationPolicy({ trustAnchors: [root], at: chain.at, extraKnownExtensions: [KOREAN_DEFAULTS.unknownExtensionOid] });
    expect(validatePath(p(c.user), [p(c.ca)], lenient).ok).toBe(true);
  });

  it('leaf requirements: key usage any-of, extended key usage, leafChecks hook', () => {
    const ku = createValidationPolicy({ trustAnchors: [root], at: chain.at, requiredKeyUsage: ['keyEncipherment'] });
    expect(validatePath(user, [ca], ku).reasons).toEqual(['KEY_USAGE']);
    const eku = createValidationPolicy({ trustAnchors: [root], at: chain.at, requiredExtKeyUsage: [OID.kpClientAuth] });
    expect(validatePath(user, [ca], eku).ok).toBe(true); // no EKU in the leaf = unrestricted
    const hook = createValidationPolicy({
      trustAnchors: [root],
      at: chain.at,
      leafChecks: [(leaf) => (leaf.ext.certificatePolicies?.policies[0]?.oid === '1.2.410.200005.1.1.5' ? undefined : { reason: 'LEAF_REJECTED', detail: 'not a corporate certificate' })],
    });
    const r = validatePath(user, [ca], hook);
    expect(r.reasons).toEqual(['LEAF_REJECTED']);
    expect(r.checks.at(-1)).toMatchObject({ check: 'leafCheck', ok: false, detail: 'not a corporate certificate' });
    const throwing = createValidationPolicy({ trustAnchors: [root], at: chain.at, leafChecks: [() => { throw new Error('boom'); }] });
    expect(validatePath(user, [ca], throwing).reasons).toEqual(['LEAF_REJECTED']);
  });

  it('EKU: a leaf with only other purposes fails; anyExtendedKeyUsage passes unless refused', () => {
    const c = issueChain([{ subject: 'CN=EKU Root' }, { subject: 'CN=EKU Leaf', extensions: { extKeyUsage: [OID.kpServerAuth, OID.anyExtendedKeyUsage] } }], 'eku');
    const base = { trustAnchors: [p(c[0]!)], at: TEST_TIME, requiredExtKeyUsage: [OID.kpClientAuth] };
    expect(validatePath(p(c[1]!), [], createValidationPolicy(base)).ok).toBe(true);
    expect(validatePath(p(c[1]!), [], createValidationPolicy({ ...base, acceptAnyExtendedKeyUsage: false })).reasons).toEqual(['EXT_KEY_USAGE']);
  });

  it('a bare {name, spki} anchor works; the path then ends at the CA', () => {
    const pol = createValidationPolicy({ trustAnchors: [{ name: root.subject, spki: root.spki }], at: chain.at });
    const r = validatePath(user, [ca], pol);
    expect(r.ok).toBe(true);
    expect(r.path).toHaveLength(2);
  });

  it('repeat signer: the second validation computes no signature, but time checks still run', () => {
    clearSignatureCache();
    const first = validatePath(user, [ca], npkiPolicy);
    expect(first.signatureChecks).toBe(2);
    // the same content under another policy object: no cached path, the cached signatures
    const samePolicy = createValidationPolicy({ trustAnchors: [root], at: chain.at, requiredKeyUsage: ['digitalSignature', 'nonRepudiation'] });
    const again = validatePath(parseCertificate(chain.user.der), [parseCertificate(chain.ca.der)], samePolicy);
    expect(again.ok).toBe(true);
    expect(again.signatureChecks).toBe(0);
    expect(signatureCacheStats().hits).toBeGreaterThanOrEqual(2);
    const later = createValidationPolicy({ trustAnchors: [root], at: chain.at + 3 * 365 * DAY });
    const late = validatePath(user, [ca], later);
    expect(late.signatureChecks).toBe(0);
    expect(late.reasons).toEqual(['EXPIRED']);
    // a different algorithm policy does not reuse results made under another
    const strict = createValidationPolicy({ trustAnchors: [root], at: chain.at, algorithms: { minRsaBits: 4096 } as never });
    const s = validatePath(user, [ca], strict);
    expect(s.reasons).toEqual(['WEAK_KEY']);
  });
});

describe('validatePath: path cache (repeat signer)', () => {
  const chain = issueKoreanChain();
  const root = p(chain.root);
  const ca = p(chain.ca);
  const user = p(chain.user);
  const policy = createValidationPolicy({ trustAnchors: [root], at: chain.at, requiredKeyUsage: ['digitalSignature', 'nonRepudiation'] });
  // a per-request copy at another instant, as ValidationPolicies.at makes
  const at = (t: number) => Object.freeze({ ...policy, at: t });
  beforeEach(() => clearSignatureCache());
  /** Validate twice (a result is admitted on its second sighting); the second result. */
  const twice = (...args: Parameters<typeof validatePath>) => {
    validatePath(...args);
    return validatePath(...args);
  };

  it('admission on the second sighting: a first validation is not cached, the second is, the third is a hit', () => {
    const first = validatePath(user, [ca], policy);
    expect(first.ok).toBe(true);
    expect(first.signatureChecks).toBe(2);
    expect(pathCacheStats().size).toBe(0);
    // another signer seen once in between does not make the first forgotten
    const other = issueKoreanChain({ user: { keys: testKey('pc-second') } });
    expect(other.user.der).not.toEqual(chain.user.der);
    expect(validatePath(p(other.user), [ca], policy).ok).toBe(true);
    expect(pathCacheStats().size).toBe(0);
    const second = validatePath(parseCertificate(chain.user.der), [parseCertificate(chain.ca.der)], at(chain.at + 1));
    expect(second.ok).toBe(true);
    expect(second.candidatesTried).toBeGreaterThan(0); // searched (signatures from the signature cache)
    expect(pathCacheStats().size).toBe(1);
    const hits = pathCacheStats().hits;
    const third = validatePath(user, [ca], policy);
    expect(pathCacheStats().hits).toBe(hits + 1);
    expect(third).toMatchObject({ ok: true, checks: second.checks, candidatesTried: 0, signatureChecks: 0 });
    // clearing forgets the sightings too: a first validation again
    clearPathCache();
    expect(validatePath(user, [ca], policy).ok).toBe(true);
    expect(pathCacheStats().size).toBe(0);
  });

  it('a straight search is reused at another instant inside every validity period: same result, nothing searched', () => {
    const first = twice(user, [ca], policy);
    expect(first.ok).toBe(true);
    expect(pathCacheStats().size).toBe(1);
    const hits = pathCacheStats().hits;
    const userAgain = parseCertificate(chain.user.der);
    const again = validatePath(userAgain, [parseCertificate(chain.ca.der)], at(chain.at + DAY));
    expect(pathCacheStats().hits).toBe(hits + 1);
    expect(again).toMatchObject({ ok: true, checks: first.checks, validPolicies: first.validPolicies, anchor: root, signatureChecks: 0, candidatesTried: 0 });
    expect(again.path[0]).toBe(userAgain); // the caller's own leaf
    expect(again.path.map((c) => c.fingerprintSha256)).toEqual(first.path.map((c) => c.fingerprintSha256));
    // the cached result is shared, hence frozen
    expect(() => (again.checks as unknown[]).push({})).toThrow(TypeError);
  });

  it('outside a validity period of the path (leaf, CA or anchor) the search runs again and refuses', () => {
    expect(twice(user, [ca], policy).ok).toBe(true);
    const hits = pathCacheStats().hits;
    const late = validatePath(user, [ca], at(user.notAfter + 1000));
    expect(late.reasons).toEqual(['EXPIRED']);
    const early = validatePath(user, [ca], at(user.notBefore - 1));
    expect(early.reasons).toEqual(['NOT_YET_VALID']);
    expect(pathCacheStats().hits).toBe(hits);
    // notAfter's whole second still counts as valid, as in process.ts
    expect(validatePath(user, [ca], at(user.notAfter + 999)).ok).toBe(true);
    expect(pathCacheStats().hits).toBe(hits + 1);
  });

  it('other intermediates, another order, other policy fields or another anchor list are other keys', () => {
    expect(twice(user, [ca], policy).ok).toBe(true);
    const hits = pathCacheStats().hits;
    const other = issueChain([{ subject: 'CN=Unrelated' }], 'pc-other')[0]!;
    expect(validatePath(user, [ca, p(other)], policy).ok).toBe(true);
    expect(validatePath(user, [p(other), ca], policy).ok).toBe(true);
    const keyUsage = Object.freeze({ ...policy, requiredKeyUsage: Object.freeze(['keyAgreement'] as const) });
    expect(validatePath(user, [ca], keyUsage).reasons).toEqual(['KEY_USAGE']);
    const depth = Object.freeze({ ...policy, maxDepth: 1 });
    expect(validatePath(user, [ca], depth).ok).toBe(false);
    const otherRoot = p(issueChain([{ subject: 'CN=Other Root' }], 'pc-root')[0]!);
    expect(validatePath(user, [ca], Object.freeze({ ...policy, trustAnchors: Object.freeze([otherRoot]) })).ok).toBe(false);
    expect(pathCacheStats().hits).toBe(hits);
  });

  it('a search that backtracked (a decoy CA first) is not cached; neither is a refusal, nor a policy made per call', () => {
    // the CA's name and key identifier (so it is tried first), another key: the user's signature fails under it
    const decoy = p(
      issue({ keys: testKey('pc-decoy'), issuer: chain.root, subject: KOREAN_DEFAULTS.caSubject, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'], subjectKeyIdentifier: ca.ext.subjectKeyIdentifier! } }),
    );
    expect(decoy.subject.key).toBe(ca.subject.key);
    // each twice: a second sighting would admit a cacheable result
    const r = twice(user, [decoy, ca], policy);
    expect(r.ok).toBe(true);
    expect(pathCacheStats().size).toBe(0);
    expect(twice(user, [], policy).ok).toBe(false);
    expect(pathCacheStats().size).toBe(0);
    const notFrozen = { ...policy };
    expect(twice(user, [ca], notFrozen).ok).toBe(true);
    expect(pathCacheStats().size).toBe(0);
    // a list inside the algorithm policy that could still change
    const openList = createValidationPolicy({ trustAnchors: [root], at: chain.at, algorithms: { ...DEFAULT_ALGORITHM_POLICY, curves: [OID.prime256v1] } });
    expect(twice(user, [ca], openList).ok).toBe(true);
    expect(pathCacheStats().size).toBe(0);
  });

  it('a path that would not fit the signature budget with a cold signature cache is not cached', () => {
    const tight = createValidationPolicy({ trustAnchors: [root], at: chain.at, maxSignatureChecks: 2 });
    expect(twice(user, [ca], tight).ok).toBe(true); // two signatures: fits
    expect(pathCacheStats().size).toBe(1);
    clearPathCache();
    const tighter = createValidationPolicy({ trustAnchors: [root], at: chain.at, maxSignatureChecks: 1 });
    // signatures cached by the first call: this search computes none and succeeds, but a cold one would not
    expect(twice(user, [ca], tighter).ok).toBe(true);
    expect(pathCacheStats().size).toBe(0);
  });
});

describe('validatePath: constraints', () => {
  it('intermediate without cA → NOT_A_CA', () => {
    const c = issueChain([{ subject: 'CN=R' }, { subject: 'CN=I', extensions: { basicConstraints: { ca: false } } }, { subject: 'CN=L' }], 'noca');
    const r = validatePath(p(c[2]!), [p(c[1]!)], policyFor([c[0]!]));
    // its keyCertSign without cA also breaks the RFC 5280 profile (§4.2.1.3)
    expect(r.reasons).toEqual(['KEY_CERT_SIGN_NOT_CA', 'NOT_A_CA']);
    expect(r.checks.find((x) => !x.ok && x.check === 'basicConstraints')).toMatchObject({ reason: 'NOT_A_CA', cert: 1 });
  });

  it('pathLenConstraint exceeded → PATH_LEN_EXCEEDED', () => {
    const c = issueChain(
      [{ subject: 'CN=R' }, { subject: 'CN=I1', extensions: { basicConstraints: { ca: true, pathLen: 0 } } }, { subject: 'CN=I2' }, { subject: 'CN=L' }],
      'plen',
    );
    const r = validatePath(p(c[3]!), [p(c[1]!), p(c[2]!)], policyFor([c[0]!]));
    expect(r.reasons).toEqual(['PATH_LEN_EXCEEDED']);
  });

  it('issuer keyUsage without keyCertSign → KEY_USAGE', () => {
    const c = issueChain([{ subject: 'CN=R' }, { subject: 'CN=I', extensions: { keyUsage: ['cRLSign'] } }, { subject: 'CN=L' }], 'ku');
    expect(validatePath(p(c[2]!), [p(c[1]!)], policyFor([c[0]!])).reasons).toEqual(['KEY_USAGE']);
  });

  it('SHA-1 and short RSA keys are refused by default', () => {
    const sha1 = issueChain([{ subject: 'CN=R' }, { subject: 'CN=L', signatureAlgorithm: 'sha1WithRSA' }], 'sha1');
    expect(validatePath(p(sha1[1]!), [], policyFor([sha1[0]!])).reasons).toEqual(['ALGORITHM_NOT_ALLOWED']);
    const weak = issueChain([{ subject: 'CN=R', keys: testKey('weak-root', 'rsa1024') }, { subject: 'CN=L' }], 'weak');
    expect(validatePath(p(weak[1]!), [], policyFor([weak[0]!])).reasons).toEqual(['WEAK_KEY']);
  });

  it('tbsCertificate.signature differing from signatureAlgorithm → SIGNATURE_ALGORITHM_MISMATCH', () => {
    const c = issueChain([{ subject: 'CN=R' }], 'mm');
    const leafKey = testKey('mm-leaf');
    const other = Buffer.from('300d06092a864886f70d01010c0500', 'hex'); // sha384WithRSAEncryption
    const leaf = issue({ keys: leafKey, issuer: c[0]!, subject: 'CN=L', tbsSignatureAlgorithm: other });
    expect(validatePath(p(leaf), [], policyFor([c[0]!])).reasons).toEqual(['SIGNATURE_ALGORITHM_MISMATCH']);
  });

  it('name constraints from an intermediate apply to the leaf (DN, dNSName, email)', () => {
    const c = issueChain(
      [
        { subject: 'CN=R' },
        { subject: 'CN=NC CA,O=Good,C=KR', extensions: { nameConstraints: { permitted: [{ dirName: 'O=Good,C=KR' }, { dns: 'example.kr' }], excluded: [{ email: '.bad.kr' }] } } },
        { subject: 'CN=L,O=Good,C=KR', extensions: { subjectAltName: [{ dns: 'www.example.kr' }, { email: 'a@mail.example.kr' }] } },
      ],
      'nc',
    );
    expect(validatePath(p(c[2]!), [p(c[1]!)], policyFor([c[0]!])).ok).toBe(true);
    const bad = issue({ keys: testKey('nc-bad'), issuer: c[1]!, subject: 'CN=L,O=Evil,C=KR' });
    expect(validatePath(p(bad), [p(c[1]!)], policyFor([c[0]!])).reasons).toEqual(['NAME_CONSTRAINT_VIOLATION']);
    const badMail = issue({ keys: testKey('nc-bad'), issuer: c[1]!, subject: 'CN=L,O=Good,C=KR', extensions: { subjectAltName: [{ email: 'x@mx.bad.kr' }] } });
    expect(validatePath(p(badMail), [p(c[1]!)], policyFor([c[0]!])).reasons).toEqual(['NAME_CONSTRAINT_VIOLATION']);
  });

  it('MAX_DEPTH: a chain longer than maxDepth is not explored', () => {
    const c = issueChain([{ subject: 'CN=R' }, { subject: 'CN=I1' }, { subject: 'CN=I2' }, { subject: 'CN=I3' }, { subject: 'CN=L' }], 'deep');
    const bag = [p(c[1]!), p(c[2]!), p(c[3]!)];
    expect(validatePath(p(c[4]!), bag, policyFor([c[0]!])).ok).toBe(true);
    const r = validatePath(p(c[4]!), bag, policyFor([c[0]!], { maxDepth: 3 }));
    expect(r.reasons).toEqual(['MAX_DEPTH']);
  });

  it('the valid_policy_tree is bounded → POLICY_TREE_TOO_LARGE', () => {
    const many = Array.from({ length: 40 }, (_, i) => `1.2.3.4.${i}`);
    const c = issueChain(
      [
        { subject: 'CN=R' },
        { subject: 'CN=I1', extensions: { certificatePolicies: [...many, OID.anyPolicy] } },
        { subject: 'CN=I2', extensions: { certificatePolicies: [...many, OID.anyPolicy] } },
        { subject: 'CN=L', extensions: { certificatePolicies: many } },
      ],
      'ptree',
    );
    const bag = [p(c[1]!), p(c[2]!)];
    expect(validatePath(p(c[3]!), bag, policyFor([c[0]!])).ok).toBe(true);
    const r = validatePath(p(c[3]!), bag, policyFor([c[0]!], { maxPolicyNodes: 50 }));
    expect(r.reasons).toContain('POLICY_TREE_TOO_LARGE');
  });
});

describe('validatePath: building', () => {
  it('a decoy issuer with the same name and a matching-looking SKI but another key is skipped (backtracking)', () => {
    const root = issueChain([{ subject: 'CN=Root' }], 'bt')[0]!;
    const realKey = testKey('bt-real');
    const real = issue({ keys: realKey, issuer: root, subject: 'CN=Issuing CA', extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } });
    const leaf = issue({ keys: testKey('bt-leaf'), issuer: real, subject: 'CN=Leaf' });
    // the decoy claims the real CA's SKI, so the builder tries it first
    const decoy = issue({
      keys: testKey('bt-decoy'),
      issuer: root,
      subject: 'CN=Issuing CA',
      extensions: { basicConstraints: { ca: true }, subjectKeyIdentifier: p(real).ext.subjectKeyIdentifier! },
    });
    const r = validatePath(p(leaf), [p(decoy), p(decoy), p(real)], policyFor([root]));
    expect(r.ok).toBe(true);
    expect(r.path[1]!.fingerprintSha256).toBe(p(real).fingerprintSha256);
  });

  it('an expired duplicate of the issuer (same key) does not doom the current one', () => {
    const root = issueChain([{ subject: 'CN=Root' }], 'dup')[0]!;
    const k = testKey('dup-ca');
    const ext = { basicConstraints: { ca: true }, keyUsage: ['keyCertSign' as const] };
    const old = issue({ keys: k, issuer: root, subject: 'CN=CA', notBefore: TEST_TIME - 800 * DAY, notAfter: TEST_TIME - 400 * DAY, extensions: ext });
    const cur = issue({ keys: k, issuer: root, subject: 'CN=CA', extensions: ext });
    const leaf = issue({ keys: testKey('dup-leaf'), issuer: cur, subject: 'CN=Leaf' });
    const ok = validatePath(p(leaf), [p(old), p(cur)], policyFor([root]));
    expect(ok.ok).toBe(true);
    expect(ok.path[1]!.notAfter).toBe(p(cur).notAfter);
    // with only the expired one, the failure says EXPIRED (beats anything else)
    const r = validatePath(p(leaf), [p(old)], policyFor([root]));
    expect(r.reasons).toEqual(['EXPIRED']);
    expect(r.checks.find((x) => !x.ok)).toMatchObject({ check: 'validity', cert: 1 });
  });

  it('cross-certificate path: leaf ← CA ← B (cross-certified by trusted A), B’s own self-signed root is a decoy', () => {
    const a = issueChain([{ subject: 'CN=Root A' }], 'xa')[0]!;
    const bKey = testKey('xb');
    const bSelf = issue({ keys: bKey, subject: 'CN=Root B', extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } });
    const bByA = issue({ keys: bKey, issuer: a, subject: 'CN=Root B', extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } });
    const ca = issue({ keys: testKey('xca'), issuer: bSelf, subject: 'CN=CA under B', extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } });
    const leaf = issue({ keys: testKey('xleaf'), issuer: ca, subject: 'CN=Leaf' });
    const r = validatePath(p(leaf), [p(bSelf), p(ca), p(bByA)], policyFor([a]));
    expect(r.ok).toBe(true);
    expect(r.path.map((c) => c.subject.text)).toEqual(['CN=Leaf', 'CN=CA under B', 'CN=Root B', 'CN=Root A']);
    expect(r.path[2]!.issuer.text).toBe('CN=Root A');
    // trusting B directly gives the short path
    expect(validatePath(p(leaf), [p(bSelf), p(ca), p(bByA)], policyFor([bSelf])).path).toHaveLength(3);
  });

  it('a two-certificate cross loop with no anchor ends quickly with NO_PATH', () => {
    const x = testKey('loop-x', 'ec-p256');
    const y = testKey('loop-y', 'ec-p256');
    const xSelf = issue({ keys: x, subject: 'CN=X', extensions: { basicConstraints: { ca: true } } });
    const ySelf = issue({ keys: y, subject: 'CN=Y', extensions: { basicConstraints: { ca: true } } });
    const xByY = issue({ keys: x, issuer: ySelf, subject: 'CN=X', extensions: { basicConstraints: { ca: true } } });
    const yByX = issue({ keys: y, issuer: xSelf, subject: 'CN=Y', extensions: { basicConstraints: { ca: true } } });
    const leaf = issue({ keys: testKey('loop-leaf', 'ec-p256'), issuer: xSelf, subject: 'CN=Leaf' });
    const anchor = issueChain([{ subject: 'CN=Elsewhere', keys: testKey('loop-z', 'ec-p256') }], 'loopz')[0]!;
    const r = validatePath(p(leaf), [p(xByY), p(yByX)], policyFor([anchor]));
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual(['NO_PATH']);
    expect(r.candidatesTried).toBeLessThanOrEqual(4);
  });

  it('a dense mesh of cross-certificates terminates within the budget (BUDGET_EXCEEDED)', () => {
    const n = 7;
    const keys = Array.from({ length: n }, (_, i) => testKey(`mesh-${i}`, 'ec-p256'));
    const selfs = keys.map((k, i) => issue({ keys: k, subject: `CN=M${i}`, extensions: { basicConstraints: { ca: true } } }));
    const bag: Certificate[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) bag.push(p(issue({ keys: keys[i]!, issuer: selfs[j]!, subject: `CN=M${i}`, extensions: { basicConstraints: { ca: true } } })));
    const leaf = issue({ keys: testKey('mesh-leaf', 'ec-p256'), issuer: selfs[0]!, subject: 'CN=Leaf' });
    const anchor = issueChain([{ subject: 'CN=Unrelated', keys: testKey('mesh-z', 'ec-p256') }], 'meshz')[0]!;
    const pol = policyFor([anchor]);
    const r = validatePath(p(leaf), bag, pol);
    expect(r.ok).toBe(false);
    expect(r.reasons).toContain('BUDGET_EXCEEDED');
    expect(r.signatureChecks).toBeLessThanOrEqual(pol.maxSignatureChecks);
    expect(r.candidatesTried).toBeLessThanOrEqual(pol.maxCandidates);
  });

  it('maxSignatureChecks: 1 on a two-link chain → BUDGET_EXCEEDED', () => {
    clearSignatureCache();
    const c = issueChain([{ subject: 'CN=R' }, { subject: 'CN=I' }, { subject: 'CN=L' }], 'budget');
    const r = validatePath(p(c[2]!), [p(c[1]!)], policyFor([c[0]!], { maxSignatureChecks: 1 }));
    expect(r.reasons).toContain('BUDGET_EXCEEDED');
    expect(r.signatureChecks).toBe(1);
  });
});

describe('DSA parameter inheritance (RFC 5280 §6.1.4 (d)-(f))', () => {
  const dir = join(VECTORS_DIR, 'x509', 'PKITS_data', 'certs');
  const pk = (n: string): Certificate => parseCertificate(readFileSync(join(dir, `${n}.crt`)));
  const root = pk('TrustAnchorRootCertificate');
  const dsaCa = pk('DSACACert');
  const inheritor = pk('DSAParametersInheritedCACert');
  const ee = pk('ValidDSAParameterInheritanceTest5EE');
  const algorithms = { ...DEFAULT_ALGORITHM_POLICY, allowSha1: true, minRsaBits: 1024, allowDsa: true };

  it('a parameterless DSA key under a DSA key gets its Dss-Parms (a new SPKI, cached); other keys stay as they are', () => {
    expect(inheritor.spki.algorithm.params).toBeUndefined();
    const k = workingPublicKey(inheritor.spki, dsaCa.spki);
    expect(k).not.toBe(inheritor.spki);
    expect(workingPublicKey(inheritor.spki, dsaCa.spki)).toBe(k);
    expect(k.algorithm.params).toEqual(dsaCa.spki.algorithm.params);
    expect(parseCertificate(inheritor.der).spki.publicKey).toEqual(k.publicKey);
    expect(workingPublicKey(dsaCa.spki, root.spki)).toBe(dsaCa.spki);
    expect(workingPublicKey(inheritor.spki, root.spki)).toBe(inheritor.spki); // RSA above: nothing to inherit
    expect(verifySignature(ee.signatureAlgorithm, inheritor.spki, ee.tbsDer, ee.signature, algorithms)).toMatchObject({ ok: false, reason: 'BAD_KEY' });
    expect(verifySignature(ee.signatureAlgorithm, k, ee.tbsDer, ee.signature, algorithms)).toMatchObject({ ok: true });
    const keys = pathWorkingKeys([ee, inheritor, dsaCa, root], root);
    expect(keys.slice(1)).toEqual([k, dsaCa.spki, root.spki]);
  });

  it('validatePath builds through the parameterless CA (its signature checked with the inherited key); DSA off → ALGORITHM_NOT_ALLOWED', () => {
    const r = validatePath(ee, [inheritor, dsaCa], createValidationPolicy({ trustAnchors: [root], at: Date.UTC(2011, 3, 15), algorithms }));
    expect(r.reasons).toEqual([]);
    expect(r.path).toEqual([ee, inheritor, dsaCa, root]);
    const off = validatePath(ee, [inheritor, dsaCa], createValidationPolicy({ trustAnchors: [root], at: Date.UTC(2011, 3, 15), algorithms: { ...algorithms, allowDsa: false } }));
    expect(off.ok).toBe(false);
    expect(off.reasons).toContain('ALGORITHM_NOT_ALLOWED');
  });
});

describe('ValidationPolicy', () => {
  const root = parseCertificate(issueChain([{ subject: 'CN=R' }], 'pol')[0]!.der);
  it('fills defaults and freezes', () => {
    const pol = createValidationPolicy({ trustAnchors: [root], at: TEST_TIME });
    expect(Object.isFrozen(pol)).toBe(true);
    expect(pol).toMatchObject({ maxDepth: 8, maxSignatureChecks: 100, initialPolicySet: [OID.anyPolicy], initialExplicitPolicy: false });
    expect(pol.algorithms).toMatchObject({ allowSha1: false, minRsaBits: 2048 });
  });
  it.each([
    ['no time', { trustAnchors: [root] }],
    ['NaN time', { trustAnchors: [root], at: NaN }],
    ['no anchors', { trustAnchors: [], at: TEST_TIME }],
    ['bad depth', { trustAnchors: [root], at: TEST_TIME, maxDepth: 0 }],
    ['bad OID', { trustAnchors: [root], at: TEST_TIME, initialPolicySet: ['anyPolicy'] }],
    ['bad key usage', { trustAnchors: [root], at: TEST_TIME, requiredKeyUsage: ['signing'] }],
  ])('rejects %s with INVALID_ARGUMENT', (_, input) => {
    let err: unknown;
    try {
      createValidationPolicy(input as never);
    } catch (e) {
      err = e;
    }
    expect(isPkiError(err, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('name constraint matching', () => {
  const sub = (base: GeneralName) => ({ base, minimum: 0 });
  const ip = (...b: number[]) => ({ type: 'iPAddress' as const, bytes: Uint8Array.from(b) });
  it.each<[string, GeneralName, GeneralName, boolean]>([
    ['dns exact', { type: 'dNSName', value: 'example.kr' }, { type: 'dNSName', value: 'example.kr' }, true],
    ['dns subdomain', { type: 'dNSName', value: 'a.b.EXAMPLE.kr' }, { type: 'dNSName', value: 'example.kr' }, true],
    ['dns label boundary', { type: 'dNSName', value: 'badexample.kr' }, { type: 'dNSName', value: 'example.kr' }, false],
    ['dns leading dot excludes the host itself', { type: 'dNSName', value: 'example.kr' }, { type: 'dNSName', value: '.example.kr' }, false],
    ['email mailbox', { type: 'rfc822Name', value: 'kim@example.kr' }, { type: 'rfc822Name', value: 'kim@EXAMPLE.kr' }, true],
    ['email host', { type: 'rfc822Name', value: 'kim@example.kr' }, { type: 'rfc822Name', value: 'example.kr' }, true],
    ['email host is not a domain', { type: 'rfc822Name', value: 'kim@mx.example.kr' }, { type: 'rfc822Name', value: 'example.kr' }, false],
    ['email domain', { type: 'rfc822Name', value: 'kim@mx.example.kr' }, { type: 'rfc822Name', value: '.example.kr' }, true],
    ['uri host', { type: 'uniformResourceIdentifier', value: 'https://user@www.example.kr:8443/x?y' }, { type: 'uniformResourceIdentifier', value: 'www.example.kr' }, true],
    ['uri domain', { type: 'uniformResourceIdentifier', value: 'ldap://ds.example.kr/ou=x' }, { type: 'uniformResourceIdentifier', value: '.example.kr' }, true],
    ['ipv4 in subnet', ip(10, 1, 2, 3), ip(10, 1, 0, 0, 255, 255, 0, 0), true],
    ['ipv4 outside', ip(10, 2, 2, 3), ip(10, 1, 0, 0, 255, 255, 0, 0), false],
    ['ipv6 vs ipv4 subnet', ip(...new Array<number>(16).fill(0)), ip(0, 0, 0, 0, 0, 0, 0, 0), false],
  ])('%s', (_, name, base, within) => {
    expect(nameConstraintViolation([name], [{ permitted: [sub(base)] }]) === undefined).toBe(within);
    expect(nameConstraintViolation([name], [{ excluded: [sub(base)] }]) !== undefined).toBe(within);
  });
  it('a URI without a host cannot be checked: it fails closed under permitted and excluded URI subtrees', () => {
    const urn: GeneralName = { type: 'uniformResourceIdentifier', value: 'urn:x:y' };
    const base: GeneralName = { type: 'uniformResourceIdentifier', value: '.example.kr' };
    expect(nameConstraintViolation([urn], [{ permitted: [sub(base)] }])).toBeDefined();
    expect(nameConstraintViolation([urn], [{ excluded: [sub(base)] }])).toBeDefined();
  });
  it('names of other types are not restricted by a constraint of one type', () => {
    expect(nameConstraintViolation([{ type: 'dNSName', value: 'x.org' }], [{ permitted: [sub({ type: 'rfc822Name', value: 'a.kr' })] }])).toBeUndefined();
  });
  it('otherName under an otherName constraint fails closed', () => {
    const on: GeneralName = { type: 'otherName', typeId: '1.2.3', value: Uint8Array.of(5, 0) };
    expect(nameConstraintViolation([on], [{ permitted: [sub(on)] }])).toBeDefined();
  });
  it('hostile sizes: too many name/subtree comparisons fail closed instead of hanging', () => {
    const names: GeneralName[] = Array.from({ length: 600 }, (_, i) => ({ type: 'dNSName', value: `h${i}.example.kr` }));
    const subtrees = Array.from({ length: 600 }, (_, i) => sub({ type: 'dNSName', value: `d${i}.kr` }));
    const t0 = performance.now();
    expect(nameConstraintViolation(names, [{ permitted: subtrees }])).toMatch(/too many name constraint comparisons/);
    expect(performance.now() - t0).toBeLessThan(100);
  });
  it('uriHost', () => {
    expect(uriHost('http://[::1]:80/')).toBe('::1');
    expect(uriHost('mailto:a@b')).toBeUndefined();
  });
  it('isoTime formats without a Date', () => {
    for (const t of [0, TEST_TIME, Date.UTC(1999, 11, 31, 23, 59, 59), Date.UTC(2050, 1, 28, 1, 2, 3), Date.UTC(2000, 1, 29)]) {
      expect(isoTime(t)).toBe(new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }
  });
});

describe('hostile and odd certificates never crash validation', () => {
  function files(dir: string): string[] {
    const out: string[] = [];
    for (const f of readdirSync(dir)) {
      const full = join(dir, f);
      if (statSync(full).isDirectory()) out.push(...files(full));
      else if (/\.(pem|der|crt)$/.test(f)) out.push(full);
    }
    return out;
  }
  it('every certificate in x509/ (custom, odd, malformed): typed error or a result', () => {
    const dir = join(VECTORS_DIR, 'x509');
    const all = files(dir).filter((f) => !f.includes('PKITS_data'));
    expect(all.length).toBeGreaterThan(50);
    const tally = { parsed: 0, unparseable: 0, validated: 0, rejected: 0 };
    const certs: Certificate[] = [];
    for (const f of all) {
      const raw = readFileSync(f);
      let ders: Uint8Array[];
      try {
        ders = raw[0] === 0x2d ? decodePemAll(raw.toString('latin1')).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der) : [raw];
      } catch (e) {
        expect(isPkiError(e)).toBe(true);
        continue;
      }
      for (const der of ders) {
        try {
          certs.push(parseCertificate(der));
          tally.parsed++;
        } catch (e) {
          if (!isPkiError(e)) throw new Error(`${f}: untyped ${String(e)}`, { cause: e });
          tally.unparseable++;
        }
      }
    }
    const anchors = certs.slice(0, 40);
    const pol = createValidationPolicy({ trustAnchors: anchors, at: TEST_TIME, algorithms: { allowSha1: true, minRsaBits: 1024 } as never });
    for (const c of certs) {
      // each certificate as leaf, with every other one in the bag, and as its own anchor
      const r = validatePath(c, certs, pol);
      expect(r.checks.some((x) => x.detail?.startsWith('internal error'))).toBe(false);
      const self = validatePath(c, [], createValidationPolicy({ trustAnchors: [c], at: TEST_TIME }));
      expect(self.checks.some((x) => x.detail?.startsWith('internal error'))).toBe(false);
      if (r.ok) tally.validated++;
      else tally.rejected++;
    }
    // garbage as DER gives MALFORMED
    expect(validatePathDer(Uint8Array.of(0x30, 0x03, 0x02, 0x01), [Uint8Array.of(1, 2, 3)], pol).reasons).toEqual(['MALFORMED']);
    console.log(`x509 corpus through validatePath: ${JSON.stringify(tally)}`);
  });
});
