/**
 * NIST PKITS conformance (sections 4.1–4.16) for path validation. The table is
 * pkits-cases.ts; cases that need the CRL engine (or DSA) are PENDING with a
 * reason: their path part still runs, and a PENDING case expected valid must
 * still build and validate its path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { OID } from '../cert/types';
import { validatePath } from './build';
import { PKITS_CASES, PKITS_SECTIONS, type PkitsCase } from './pkits-cases';
import { createValidationPolicy } from './policy';
import type { PathReason } from './result';

const DIR = join(VECTORS_DIR, 'x509', 'PKITS_data', 'certs');
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

const REVOCATION = 'revocation: needs the CRL engine';
/**
 * Cases whose outcome depends on something path validation does not do, with
 * the reason. DSA cases cannot run their path part at all (no DSA verifier), so
 * a valid DSA case is not required to validate.
 */
const NO_PATH_PART = new Set<string>();
const PENDING: Readonly<Record<string, string>> = {
  '4.5.2': REVOCATION,
  '4.5.5': REVOCATION,
  '4.5.7': REVOCATION,
  '4.7.4': REVOCATION,
  '4.7.5': REVOCATION,
};
function pendingReason(c: PkitsCase): string | undefined {
  const section = sectionOf(c);
  if (section === '4.4' || section === '4.14' || section === '4.15') return REVOCATION;
  return PENDING[c.id];
}

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

describe('NIST PKITS path validation', () => {
  const anchor = cert('TrustAnchorRootCertificate');

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
    it(`${c.id} ${c.title}${pending ? ` [pending: ${pending}]` : ''}`, () => {
      const names = [...c.certs];
      const eeName = names.pop()!;
      const policy = createValidationPolicy({
        trustAnchors: [anchor],
        at: AT,
        algorithms: { allowSha1: true, minRsaBits: 1024, allowRsaPss: true, allowEcdsa: true, allowEdDsa: true, allowDsa: true, curves: [] },
        initialPolicySet: c.ips === undefined ? [OID.anyPolicy] : policySet(c.ips),
        initialExplicitPolicy: c.iep ?? false,
        initialPolicyMappingInhibit: c.ipmi ?? false,
        initialAnyPolicyInhibit: c.iapi ?? false,
      });
      // the bag in reverse order: building must not depend on the order given
      const r = validatePath(cert(eeName), names.reverse().map(cert), policy);
      expect(r.reasons.join()).not.toMatch(/internal error/);

      if (pending) {
        if (c.valid && !NO_PATH_PART.has(c.id)) {
          // the path part must still validate
          if (!r.ok) count(section, 'failed');
          expect({ ok: r.ok, reasons: r.reasons }).toEqual({ ok: true, reasons: [] });
        }
        count(section, 'pending');
        notes.push(`pending ${c.id}: ${pending}; path ${r.ok ? 'ok' : `rejects (${r.reasons.join(',')})`}`);
        return;
      }
      try {
        expect(r.ok).toBe(c.valid);
        if (c.valid) {
          expect(r.validPolicies).toEqual(policySet(c.ucps ?? 'NIST-test-policy-1'));
          expect(r.path[0]).toBe(cert(eeName));
          expect(r.path[r.path.length - 1]).toBe(anchor);
        } else {
          expect(r.reasons.length).toBeGreaterThan(0);
          const want = EXPECTED_REASON[c.id.split(' ')[0]!];
          if (want) expect(r.reasons).toContain(want);
        }
        count(section, 'passed');
      } catch (e) {
        count(section, 'failed');
        notes.push(`FAILED ${c.id}: ok=${r.ok} reasons=${r.reasons.join(',')} policies=${r.validPolicies.join(',')}`);
        throw e;
      }
    });
  }
});
