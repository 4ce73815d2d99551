/**
 * RFC 5280 profile rules, trust-anchor constraints and one-second time
 * granularity (issue #9). Defective certificates come from the toolkit (it
 * can express every defect here: criticality flags, missing AKI/SKI, empty
 * subjects, raw SAN strings).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { DAY, issue, issueChain, issueKoreanChain, TEST_TIME, testKey, type ChainLevelSpec, type Issued } from '../issuing';
import { validatePath } from './build';
import { createValidationPolicy, type ValidationPolicyInput } from './policy';
import { anchorDefects, isValidDnsName, isValidMailbox, KOREAN_PROFILE_EXCEPTIONS, profileViolations } from './profile';
import { KNOWN_EXTENSIONS } from './process';

const p = (i: Issued): Certificate => parseCertificate(i.der);
const CA = { basicConstraints: { critical: true, ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } as const;

/** root → CA → leaf with `ca` / `leaf` overrides; validated against the root. */
function run(name: string, levels: { root?: Partial<ChainLevelSpec>; ca?: Partial<ChainLevelSpec>; leaf?: Partial<ChainLevelSpec> }, extra: Partial<ValidationPolicyInput> = {}) {
  const c = issueChain(
    [
      { subject: `CN=${name} Root`, ...levels.root },
      { subject: `CN=${name} CA`, ...levels.ca },
      { subject: `CN=${name} Leaf`, ...levels.leaf },
    ],
    'profile', // one key set for every chain (key generation dominates otherwise)
  );
  const r = validatePath(p(c[2]!), [p(c[1]!)], createValidationPolicy({ trustAnchors: [p(c[0]!)], at: TEST_TIME, ...extra }));
  return { r, c };
}

describe('RFC 5280 profile rules on intermediates and leaves (typed reasons)', () => {
  it('a conforming chain passes with a profile check per certificate', () => {
    const { r } = run('ok', {});
    expect(r.reasons).toEqual([]);
    expect(r.checks.filter((x) => x.check === 'profile')).toEqual([
      { check: 'profile', cert: 1, ok: true },
      { check: 'profile', cert: 0, ok: true },
    ]);
  });

  const cases: Array<[string, Parameters<typeof run>[1], string, number]> = [
    ['AKI missing on an intermediate', { ca: { extensions: { ...CA, authorityKeyIdentifier: false } } }, 'AKI_MISSING', 1],
    ['AKI missing on a leaf', { leaf: { extensions: { keyUsage: ['digitalSignature'], authorityKeyIdentifier: false } } }, 'AKI_MISSING', 0],
    ['SKI missing on a CA', { ca: { extensions: { ...CA, subjectKeyIdentifier: false } } }, 'SKI_MISSING', 1],
    ['critical SKI', { ca: { extensions: { ...CA, subjectKeyIdentifier: { critical: true, keyIdentifier: Buffer.alloc(20, 1) } } } }, 'KEY_ID_CRITICAL', 1],
    ['critical AKI', { leaf: { extensions: { keyUsage: ['digitalSignature'], authorityKeyIdentifier: { critical: true } } } }, 'KEY_ID_CRITICAL', 0],
    ['nameConstraints in an end entity', { leaf: { extensions: { keyUsage: ['digitalSignature'], nameConstraints: { critical: true, permitted: [{ dns: 'example.com' }] } } } }, 'NAME_CONSTRAINTS_IN_EE', 0],
    ['policyConstraints not critical', { ca: { extensions: { ...CA, policyConstraints: { critical: false, requireExplicitPolicy: 5 } } } }, 'POLICY_CONSTRAINTS_NOT_CRITICAL', 1],
    ['empty subject with a non-critical SAN', { leaf: { subject: [], extensions: { keyUsage: ['digitalSignature'], subjectAltName: { critical: false, names: [{ dns: 'leaf.example' }] } } } }, 'SAN_NOT_CRITICAL', 0],
    ['empty subject without SAN', { leaf: { subject: [], extensions: { keyUsage: ['digitalSignature'] } } }, 'SAN_NOT_CRITICAL', 0],
    ['critical AIA', { leaf: { extensions: { keyUsage: ['digitalSignature'], authorityInfoAccess: { critical: true, ocsp: 'http://ocsp.example/' } } } }, 'AIA_CRITICAL', 0],
    ['keyCertSign on a non-CA leaf', { leaf: { extensions: { keyUsage: ['digitalSignature', 'keyCertSign'] } } }, 'KEY_CERT_SIGN_NOT_CA', 0],
  ];

  it.each(cases)('%s → refused', (label, levels, reason, cert) => {
    const { r } = run(label.replace(/\W+/g, '-'), levels);
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual([reason]);
    expect(r.checks.find((x) => !x.ok)).toMatchObject({ check: 'profile', cert, reason });
  });

  it('an empty subject with a critical SAN is fine', () => {
    const { r } = run('critical-san', { leaf: { subject: [], extensions: { keyUsage: ['digitalSignature'], subjectAltName: { critical: true, names: [{ dns: 'leaf.example' }] } } } });
    expect(r.reasons).toEqual([]);
  });

  it('a named exception lifts exactly its rule', () => {
    const { r } = run('exc', { ca: { extensions: { ...CA, subjectKeyIdentifier: false } } }, { profileExceptions: ['SKI_MISSING'] });
    expect(r.reasons).toEqual([]);
    expect(() => createValidationPolicy({ trustAnchors: [p(issueChain([{ subject: 'CN=x' }])[0]!)], at: 0, profileExceptions: ['NOPE' as never] })).toThrow(/profileExceptions/);
  });

  describe('malformed dNSName / rfc822Name under name constraints', () => {
    const nc = { ...CA, nameConstraints: { critical: true, permitted: [{ dns: 'example.com' }, { email: 'example.com' }] } };
    it.each([
      ['underscore', { dns: 'a_b.example.com' }],
      ['leading dot', { dns: '.example.com' }],
      ['empty label', { dns: 'a..example.com' }],
      ['mailbox without local part', { email: '@example.com' }],
      ['mailbox with two @', { email: 'a@b@example.com' }],
      ['mailbox with a bad host', { email: 'user@exa_mple.com' }],
    ])('%s → MALFORMED_NAME', (label, name) => {
      const { r } = run(`mal-${label.replace(/\W+/g, '-')}`, { ca: { extensions: nc }, leaf: { extensions: { keyUsage: ['digitalSignature'], subjectAltName: [name] } } });
      expect(r.reasons).toContain('MALFORMED_NAME');
      expect(r.checks.find((x) => x.reason === 'MALFORMED_NAME')).toMatchObject({ check: 'nameConstraints', cert: 0 });
    });

    it('well-formed names under the same constraints pass; the same malformed name without constraints is not checked', () => {
      expect(run('mal-ok', { ca: { extensions: nc }, leaf: { extensions: { keyUsage: ['digitalSignature'], subjectAltName: [{ dns: 'www.example.com' }, { email: 'user@example.com' }] } } }).r.reasons).toEqual([]);
      expect(run('mal-free', { leaf: { extensions: { keyUsage: ['digitalSignature'], subjectAltName: [{ dns: 'a_b.example.com' }] } } }).r.reasons).toEqual([]);
    });

    it('syntax helpers', () => {
      expect(['example.com', 'a-b.example.com', '*.example.com', 'example.com.', 'xn--bj0bj06e.kr'].every(isValidDnsName)).toBe(true);
      expect(['', '.example.com', 'a_b.com', '-a.com', 'a-.com', 'a..b', '*', 'a.*.com', 'a b.com', `${'a'.repeat(64)}.com`].some(isValidDnsName)).toBe(false);
      expect(['user@example.com', 'first.last+tag@example.co.kr'].every(isValidMailbox)).toBe(true);
      expect(['example.com', '@example.com', 'user@', 'a..b@example.com', '.a@example.com', 'a@b@example.com', 'us er@example.com'].some(isValidMailbox)).toBe(false);
    });
  });
});

describe('trust anchors', () => {
  it("the anchor's own nameConstraints constrain every path under it", () => {
    const root = { extensions: { ...CA, nameConstraints: { critical: true, permitted: [{ dns: 'example.com' }] } } };
    const inside = run('anc-nc-in', { root, leaf: { extensions: { keyUsage: ['digitalSignature'], subjectAltName: [{ dns: 'www.example.com' }] } } });
    expect(inside.r.reasons).toEqual([]);
    const outside = run('anc-nc-out', { root, leaf: { extensions: { keyUsage: ['digitalSignature'], subjectAltName: [{ dns: 'www.evil.test' }] } } });
    expect(outside.r.reasons).toEqual(['NAME_CONSTRAINT_VIOLATION']);
    // the intermediate too (its subject is a directoryName; a dNSName constraint does not restrict it), and the leaf at index 0
    expect(outside.r.checks.find((x) => !x.ok)).toMatchObject({ check: 'nameConstraints', cert: 0 });
    // opting out (conformance corpora that treat anchors as name + key only)
    const off = run('anc-nc-off', { root, leaf: { extensions: { keyUsage: ['digitalSignature'], subjectAltName: [{ dns: 'www.evil.test' }] } } }, { enforceAnchorConstraints: false });
    expect(off.r.reasons).toEqual([]);
  });

  it('an expired root fails every path under it at validation time (EXPIRED on the anchor); not yet valid likewise', () => {
    const expired = run('anc-exp', { root: { notBefore: TEST_TIME - 400 * DAY, notAfter: TEST_TIME - DAY } });
    expect(expired.r.ok).toBe(false);
    expect(expired.r.reasons).toEqual(['EXPIRED']);
    expect(expired.r.checks.find((x) => !x.ok)).toMatchObject({ check: 'anchor', cert: 2, reason: 'EXPIRED' });
    const early = run('anc-early', { root: { notBefore: TEST_TIME + DAY } });
    expect(early.r.reasons).toEqual(['NOT_YET_VALID']);
  });

  it('anchorDefects: the structural faults the trust store refuses at load', () => {
    const k = testKey('anchor-defects');
    const d = (extensions: Parameters<typeof issue>[0]['extensions'], subject: Parameters<typeof issue>[0]['subject'] = 'CN=A') =>
      anchorDefects(p(issue({ subject, keys: k, extensions })), KNOWN_EXTENSIONS).map((x) => x.reason);
    expect(d(CA)).toEqual([]);
    expect(d({ ...CA, extra: [{ oid: '1.3.6.1.4.1.99999.2', critical: true, value: Buffer.from([5, 0]) }] })).toEqual(['UNKNOWN_CRITICAL_EXTENSION']);
    expect(d({})).toEqual(['NOT_A_CA']);
    expect(d({ basicConstraints: { critical: false, ca: true } })).toEqual(['BASIC_CONSTRAINTS_NOT_CRITICAL']);
    expect(d({ basicConstraints: { critical: true, ca: false } })).toEqual(['NOT_A_CA']);
    expect(d({ ...CA, authorityKeyIdentifier: { critical: true } })).toEqual(['KEY_ID_CRITICAL']);
    expect(d({ ...CA, subjectKeyIdentifier: { critical: true, keyIdentifier: Buffer.alloc(20, 2) } })).toEqual(['KEY_ID_CRITICAL']);
    expect(d({ ...CA, subjectAltName: { critical: true, names: [{ dns: 'root.example' }] } }, [])).toEqual(['EMPTY_SUBJECT']);
  });
});

describe('time granularity: notAfter covers its whole second', () => {
  const notAfter = TEST_TIME + DAY; // whole second
  const c = issueChain([{ subject: 'CN=T Root' }, { subject: 'CN=T Leaf', notAfter }], 'granularity');
  const at = (t: number) => validatePath(p(c[1]!), [], createValidationPolicy({ trustAnchors: [p(c[0]!)], at: t }));
  it('valid through notAfter + 999 ms, expired from the next second', () => {
    expect(at(notAfter).ok).toBe(true);
    expect(at(notAfter + 500).ok).toBe(true);
    expect(at(notAfter + 999).ok).toBe(true);
    expect(at(notAfter + 1000).reasons).toEqual(['EXPIRED']);
  });
});

describe('Korean certificates need no profile exception', () => {
  it('the real yessign test certificate, the toolkit Korean chain (root, CA, user) pass every rule; the Korean exception list is empty', () => {
    const yessign = parseCertificate(readFileSync(join(__dirname, '../../test-vectors/npki/yessign-signCert.der')));
    expect(profileViolations(yessign)).toEqual([]);
    const k = issueKoreanChain();
    expect(profileViolations(p(k.ca))).toEqual([]);
    expect(profileViolations(p(k.user))).toEqual([]);
    expect(anchorDefects(p(k.root), KNOWN_EXTENSIONS)).toEqual([]);
    expect(KOREAN_PROFILE_EXCEPTIONS).toEqual([]);
  });
});
