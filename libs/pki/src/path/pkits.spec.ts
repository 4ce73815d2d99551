/**
 * NIST PKITS conformance (sections 4.1–4.16): path validation (validatePath)
 * then CRL revocation of the validated path (checkPathWithCrls) with every
 * PKITS CRL loaded, not just the case's: choosing the CRLs in scope is part of
 * what is tested. A case is valid when the path validates and every
 * certificate's status is good; "unknown" is invalid, as PKITS wants (4.4.1
 * Missing CRL). The table is pkits-cases.ts; PENDING lists what we do not
 * implement, with the reason (a PENDING case expected valid must still validate
 * its path).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { OID } from '../cert/types';
import { DEFAULT_ALGORITHM_POLICY, type AlgorithmPolicy } from '../crypto/signature';
import { checkPathWithCrls } from '../revocation/crl-path';
import { parseCrl } from '../revocation/crl/parse';
import type { Crl } from '../revocation/crl/types';
import type { RevocationUnknownReason } from '../revocation/types';
import { validatePath } from './build';
import { PKITS_CASES, PKITS_SECTIONS, type PkitsCase } from './pkits-cases';
import { createValidationPolicy } from './policy';
import { RevocationChecker } from '../revocation/checker';
import { FetchingCrlSource } from '../revocation/crl-source';
import type { PathReason } from './result';

const DIR = join(VECTORS_DIR, 'x509', 'PKITS_data', 'certs');
const CRL_DIR = join(VECTORS_DIR, 'x509', 'PKITS_data', 'crls');
const AT = Date.UTC(2011, 3, 15); // inside every PKITS certificate's validity except the deliberately bad ones

const cache = new Map<string, Certificate>();
function cert(name: string): Certificate {
  let c = cache.get(name);
  if (!c) {
    c = parseCertificate(readFileSync(join(DIR, `${name}.crt`)));
    cache.set(name, c);
  }
  return c;
}

const POLICY_NAMES: Record<string, string> = {
  anyPolicy: OID.anyPolicy,
  'NIST-test-policy-1': '2.16.840.1.101.3.2.1.48.1',
  'NIST-test-policy-2': '2.16.840.1.101.3.2.1.48.2',
  'NIST-test-policy-3': '2.16.840.1.101.3.2.1.48.3',
  'NIST-test-policy-6': '2.16.840.1.101.3.2.1.48.6',
};
function policySet(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0)
    .map((x) => {
      const o = POLICY_NAMES[x];
      if (!o) throw new Error(`unknown PKITS policy name ${x}`);
      return o;
    })
    .sort();
}

/** Cases whose outcome depends on something we do not implement, with the reason. */
const PENDING: Readonly<Record<string, string>> = {};
function pendingReason(c: PkitsCase): string | undefined {
  return PENDING[c.id];
}

const ALGORITHMS: AlgorithmPolicy = { ...DEFAULT_ALGORITHM_POLICY, allowSha1: true, minRsaBits: 1024, allowDsa: true, curves: [] };

/** The revocation answer we expect for invalid cases decided by revocation: a status, or the reason of an unknown. */
const EXPECTED_REVOCATION: Readonly<Record<string, 'revoked' | RevocationUnknownReason>> = {
  '4.4.1': 'NO_SOURCE',
  '4.4.2': 'revoked',
  '4.4.3': 'revoked',
  '4.4.4': 'BAD_SIGNATURE',
  '4.4.5': 'NO_SOURCE',
  '4.4.6': 'NO_SOURCE',
  '4.4.8': 'UNKNOWN_CRITICAL_EXTENSION',
  '4.4.9': 'UNKNOWN_CRITICAL_EXTENSION',
  '4.4.10': 'UNKNOWN_CRITICAL_EXTENSION',
  '4.4.11': 'STALE',
  '4.4.12': 'STALE',
  '4.4.15': 'revoked',
  '4.4.18': 'revoked',
  '4.4.20': 'revoked',
  '4.4.21': 'UNAUTHORIZED_RESPONDER',
  '4.5.2': 'revoked',
  '4.5.5': 'revoked',
  '4.5.7': 'revoked',
  '4.7.4': 'UNAUTHORIZED_RESPONDER',
  '4.7.5': 'UNAUTHORIZED_RESPONDER',
  '4.14.2': 'revoked',
  '4.14.3': 'SCOPE_MISMATCH',
  '4.14.6': 'revoked',
  '4.14.8': 'SCOPE_MISMATCH',
  '4.14.9': 'SCOPE_MISMATCH',
  '4.14.11': 'SCOPE_MISMATCH',
  '4.14.12': 'SCOPE_MISMATCH',
  '4.14.14': 'SCOPE_MISMATCH',
  '4.14.15': 'revoked',
  '4.14.16': 'revoked',
  '4.14.17': 'SCOPE_MISMATCH',
  '4.14.20': 'revoked',
  '4.14.21': 'revoked',
  '4.14.23': 'revoked',
  '4.14.26': 'NO_SOURCE',
  '4.14.27': 'SCOPE_MISMATCH',
  '4.14.31': 'revoked',
  '4.14.32': 'revoked',
  '4.14.34': 'revoked',
  '4.14.35': 'NO_SOURCE',
  '4.15.1': 'SCOPE_MISMATCH',
  '4.15.3': 'revoked',
  '4.15.4': 'revoked',
  '4.15.6': 'revoked',
  '4.15.9': 'revoked',
  '4.15.10': 'STALE',

};

/** Reasons we expect for invalid cases decided by path validation (a subset: the obvious ones). */
const EXPECTED_REASON: Readonly<Record<string, PathReason>> = {
  '4.1.2': 'BAD_SIGNATURE',
  '4.1.3': 'BAD_SIGNATURE',
  '4.1.6': 'BAD_SIGNATURE',
  '4.2.1': 'NOT_YET_VALID',
  '4.2.2': 'NOT_YET_VALID',
  '4.2.5': 'EXPIRED',
  '4.2.6': 'EXPIRED',
  '4.2.7': 'EXPIRED',
  '4.3.1': 'NO_PATH',
  '4.3.2': 'NO_PATH',
  '4.5.8': 'KEY_USAGE',
  '4.6.1': 'NOT_A_CA',
  '4.6.2': 'NOT_A_CA',
  '4.6.3': 'NOT_A_CA',
  '4.6.5': 'PATH_LEN_EXCEEDED',
  '4.6.6': 'PATH_LEN_EXCEEDED',
  '4.6.9': 'PATH_LEN_EXCEEDED',
  '4.6.10': 'PATH_LEN_EXCEEDED',
  '4.6.11': 'PATH_LEN_EXCEEDED',
  '4.6.12': 'PATH_LEN_EXCEEDED',
  '4.6.16': 'PATH_LEN_EXCEEDED',
  '4.7.1': 'KEY_USAGE',
  '4.7.2': 'KEY_USAGE',
  '4.10.7': 'POLICY_MAPPING_INVALID',
  '4.10.8': 'POLICY_MAPPING_INVALID',
  '4.16.2': 'UNKNOWN_CRITICAL_EXTENSION',
};

function sectionOf(c: PkitsCase): string {
  return c.id.split(' ')[0]!.split('.').slice(0, 2).join('.');
}

type Outcome = 'passed' | 'pending' | 'failed';
const tally = new Map<string, Record<Outcome, number>>();
const notes: string[] = [];
function count(section: string, o: Outcome): void {
  const t = tally.get(section) ?? { passed: 0, pending: 0, failed: 0 };
  t[o]++;
  tally.set(section, t);
}

describe('NIST PKITS path validation and CRL revocation', () => {
  const anchor = cert('TrustAnchorRootCertificate');
  let crls: Crl[] = [];
  beforeAll(() => {
    crls = readdirSync(CRL_DIR)
      .filter((f) => f.endsWith('.crl'))
      .sort()
      .map((f) => parseCrl(readFileSync(join(CRL_DIR, f))));
  });

  afterAll(() => {
    const lines = ['PKITS section            passed pending failed'];
    let p = 0;
    let q = 0;
    let f = 0;
    for (const s of Object.keys(PKITS_SECTIONS)) {
      const t = tally.get(s);
      if (!t) continue;
      p += t.passed;
      q += t.pending;
      f += t.failed;
      lines.push(`${`${s} ${PKITS_SECTIONS[s]}`.slice(0, 24).padEnd(24)} ${String(t.passed).padStart(6)} ${String(t.pending).padStart(7)} ${String(t.failed).padStart(6)}`);
    }
    lines.push(`${'total'.padEnd(24)} ${String(p).padStart(6)} ${String(q).padStart(7)} ${String(f).padStart(6)}`);
    console.log([...lines, ...notes].join('\n'));
  });

  for (const c of PKITS_CASES) {
    const section = sectionOf(c);
    const pending = pendingReason(c);
    it(`${c.id} ${c.title}${pending ? ` [pending: ${pending}]` : ''}`, async () => {
      const names = [...c.certs];
      const eeName = names.pop()!;
      const policy = createValidationPolicy({
        trustAnchors: [anchor],
        at: AT,
        algorithms: ALGORITHMS,
        initialPolicySet: c.ips === undefined ? [OID.anyPolicy] : policySet(c.ips),
        initialExplicitPolicy: c.iep ?? false,
        initialPolicyMappingInhibit: c.ipmi ?? false,
        initialAnyPolicyInhibit: c.iapi ?? false,
        // PKITS (2011, written to RFC 3280 where policyConstraints "MAY be
        // critical") marks policyConstraints non-critical in its 4.8/4.10/4.12
        // CAs; RFC 5280 §4.2.1.11 made it a MUST, which we enforce by default
        profileExceptions: ['POLICY_CONSTRAINTS_NOT_CRITICAL'],
      });
      // the bag in reverse order: building must not depend on the order given
      const bag = names.reverse().map(cert);
      const r = validatePath(cert(eeName), bag, policy);
      expect(r.reasons.join()).not.toMatch(/internal error/);
      // revocation through the production CRL path: RevocationChecker → FetchingCrlSource (the PKITS CRLs
      // preloaded, indexed by issuer; no network) → checkPathWithCrls over the whole path
      const checker = new RevocationChecker({
        http: () => Promise.reject(new Error('no network in PKITS')),
        clock: { now: () => AT },
        order: ['crl'],
        crl: new FetchingCrlSource({ fetch: (url) => Promise.reject(new Error(`no network: ${url}`)), clock: { now: () => AT }, maxSkewMs: 0, algorithms: ALGORITHMS, preloaded: crls, certificates: bag, profileExceptions: policy.profileExceptions }),
      });
      const statuses = r.ok ? (await checker.checkPath(r.path, AT)).map((x) => x.status) : [];
      // the engine called directly answers the same
      const direct = r.ok ? checkPathWithCrls(r, crls, { at: AT, maxSkewMs: 0, algorithms: ALGORITHMS, certificates: bag, anchors: [anchor], profileExceptions: policy.profileExceptions }) : [];
      expect(statuses.map((x) => (x.status === 'unknown' ? x.reason : x.status))).toEqual(direct.map((x) => (x.status === 'unknown' ? x.reason : x.status)));
      const notGood = statuses.filter((x) => x.status !== 'good');
      const valid = r.ok && notGood.length === 0;
      const revocation = notGood.map((x) => (x.status === 'unknown' ? `unknown ${x.reason}: ${x.detail}` : `revoked ${x.status === 'revoked' ? (x.reason ?? '') : ''}`)).join(' | ');

      if (pending) {
        if (c.valid) {
          // the path part must still validate
          if (!r.ok) count(section, 'failed');
          expect({ ok: r.ok, reasons: r.reasons }).toEqual({ ok: true, reasons: [] });
        }
        count(section, 'pending');
        notes.push(`pending ${c.id}: ${pending}; path ${r.ok ? 'ok' : `rejects (${r.reasons.join(',')})`}`);
        return;
      }
      try {
        expect(valid).toBe(c.valid);
        if (r.ok) expect(statuses).toHaveLength(r.path.length - 1);
        if (c.valid) {
          expect(r.validPolicies).toEqual(policySet(c.ucps ?? 'NIST-test-policy-1'));
          expect(r.path[0]).toBe(cert(eeName));
          expect(r.path[r.path.length - 1]).toBe(anchor);
        } else {
          const id = c.id.split(' ')[0]!;
          const want = EXPECTED_REASON[id];
          if (want) expect(r.reasons).toContain(want);
          const wantRev = EXPECTED_REVOCATION[id];
          if (r.ok) expect(wantRev).toBeDefined(); // every case decided by revocation says how
          if (wantRev) expect(notGood.map((x) => (x.status === 'unknown' ? x.reason : x.status))).toContain(wantRev);
          if (r.ok) expect(notGood.length).toBeGreaterThan(0);
          else expect(r.reasons.length).toBeGreaterThan(0);
        }
        count(section, 'passed');
      } catch (e) {
        count(section, 'failed');
        notes.push(`FAILED ${c.id}: ok=${r.ok} reasons=${r.reasons.join(',')} policies=${r.validPolicies.join(',')} revocation=${revocation || 'all good'}`);
        throw e;
      }
    });
  }
});
