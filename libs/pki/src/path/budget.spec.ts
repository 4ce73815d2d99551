/**
 * A message must not buy seconds of CPU (issue #9): decoy copies of the CA
 * certificate (same name and SKI, fake 3072-bit keys with huge or allowed
 * exponents) put before the real CA in the bag. The work done — signature
 * checks computed, their cost units, CPU ms of the call — stays bounded.
 */
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { signatureCost, verifySignature } from '../crypto/signature';
import { decoyIssuers, fakeRsaSpki } from '../../test-support/decoys';
import { issueChain, TEST_TIME, testKey } from '../issuing';
import { clearSignatureCache, validatePath } from './build';
import { createValidationPolicy, type ValidationPolicyInput } from './policy';

const chain = issueChain(
  [
    { subject: 'CN=Budget Root,O=jointcert', keys: testKey('budget-root', 'rsa3072') },
    { subject: 'CN=Budget CA,O=jointcert', keys: testKey('budget-ca', 'rsa3072') },
    { subject: 'CN=Budget User,O=jointcert', keys: testKey('budget-user', 'rsa2048') },
  ],
  'budget',
);
const [root, ca, user] = chain.map((c) => parseCertificate(c.der)) as [Certificate, Certificate, Certificate];
const hugeDecoys = decoyIssuers(chain[1]!.der, { count: 40, exponentBits: 3000 }).map((d) => parseCertificate(d));
const allowedDecoys = decoyIssuers(chain[1]!.der, { count: 200, exponent: 65537, modulusBits: 4096 }).map((d) => parseCertificate(d));
const policy = (extra: Partial<ValidationPolicyInput> = {}) => createValidationPolicy({ trustAnchors: [root], at: TEST_TIME, ...extra });

function cpuMs<T>(f: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = f();
  const u = process.cpuUsage(start);
  return { value, ms: (u.user + u.system) / 1000 };
}

beforeEach(() => clearSignatureCache());

describe('bounded work per message', () => {
  it('decoys parse as 3072-bit keys with a 3000-bit exponent, and one such operation is dear (the attack the bound prevents)', () => {
    const d = hugeDecoys[0]!;
    expect(d.subject.key).toBe(ca.subject.key);
    expect(d.spki.rsaBits).toBe(3072);
    expect(d.spki.rsaExponentBits).toBeGreaterThan(2990);
    expect(d.spki.rsaExponent).toBeUndefined();
    expect(signatureCost(d.spki)).toBeGreaterThan(350);
    // what one decoy costs without the policy: a raw 3072-bit modexp with the huge exponent
    const key = createPublicKey({ key: Buffer.from(d.spki.der), format: 'der', type: 'spki' });
    const once = cpuMs(() => publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.alloc(384, 1)));
    const allowed = createPublicKey({ key: Buffer.from(fakeRsaSpki(3072, { value: 65537 })), format: 'der', type: 'spki' });
    const cheap = cpuMs(() => {
      for (let i = 0; i < 10; i++) publicEncrypt({ key: allowed, padding: constants.RSA_NO_PADDING }, Buffer.alloc(384, 1));
    });
    // reported, not asserted tightly (shared machine): one huge-exponent op vs ten e = 65537 ops
    console.log(`one 3072-bit huge-exponent RSA op: ${once.ms.toFixed(2)} ms CPU; ten e=65537 ops: ${cheap.ms.toFixed(2)} ms`);
    expect(once.ms).toBeGreaterThan(cheap.ms / 10);
  });

  it('a key outside the exponent set or above maxRsaBits is refused before any math (KEY_NOT_ALLOWED)', () => {
    const r = verifySignature(user.signatureAlgorithm, hugeDecoys[0]!.spki, user.tbsDer, user.signature);
    expect(r).toMatchObject({ ok: false, reason: 'KEY_NOT_ALLOWED' });
    const big = parseCertificate(decoyIssuers(chain[1]!.der, { count: 1, modulusBits: 8192, exponent: 65537 })[0]!);
    expect(verifySignature(user.signatureAlgorithm, big.spki, user.tbsDer, user.signature)).toMatchObject({ ok: false, reason: 'KEY_NOT_ALLOWED', detail: 'RSA 8192 bits is above 4096' });
    // the real CA key is fine
    expect(verifySignature(user.signatureAlgorithm, ca.spki, user.tbsDer, user.signature).ok).toBe(true);
  });

  it('40 huge-exponent decoys before the real CA in the message: no decoy is computed, the path validates', () => {
    const { value: r, ms } = cpuMs(() => validatePath(user, [...hugeDecoys, ca], policy()));
    expect(r.reasons).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.signatureChecks).toBe(2); // user by CA, CA by root
    expect(r.signatureCost).toBeLessThanOrEqual(6); // 3 units each (3072-bit keys)
    console.log(`library: 40 huge-exponent decoys: ${r.signatureChecks} signature checks, cost ${r.signatureCost}, ${ms.toFixed(1)} ms CPU`);
    expect(ms).toBeLessThan(200);
  });

  it('configured intermediates are tried before message-supplied ones: 200 allowed-size decoys cost nothing when the CA is configured', () => {
    const { value: r, ms } = cpuMs(() => validatePath(user, [...allowedDecoys], policy({ intermediates: [ca] })));
    expect(r.ok).toBe(true);
    expect(r.signatureChecks).toBe(2);
    expect(r.candidatesTried).toBe(2);
    console.log(`library: 200 decoys, CA configured: ${r.signatureChecks} checks, ${ms.toFixed(1)} ms CPU`);
  });

  it('without a configured CA, 200 allowed 4096-bit decoys spend at most the cost budget, then BUDGET_EXCEEDED', () => {
    const { value: r, ms } = cpuMs(() => validatePath(user, [...allowedDecoys, ca], policy({ maxSignatureCost: 100, maxSignatureChecks: 1000 })));
    expect(r.ok).toBe(false);
    expect(r.reasons).toContain('BUDGET_EXCEEDED');
    expect(r.signatureCost).toBeLessThanOrEqual(100);
    expect(r.signatureChecks).toBe(25); // 4 units each: the cost bound, not the count (1000), stopped the search
    console.log(`library: 200 allowed 4096-bit decoys, no configured CA: ${r.signatureChecks} checks, cost ${r.signatureCost}/100, ${ms.toFixed(1)} ms CPU`);
  });

  it('the default budget lets a normal path through and bounds the decoy search (≤ 400 units)', () => {
    const r = validatePath(user, [...allowedDecoys, ca], policy());
    expect(r.signatureCost).toBeLessThanOrEqual(400);
    expect(r.signatureChecks).toBeLessThanOrEqual(100);
    expect(validatePath(user, [ca], policy())).toMatchObject({ ok: true, signatureChecks: 2 });
  });

  it('policy validation: maxSignatureCost and intermediates are checked', () => {
    expect(() => policy({ maxSignatureCost: 0 })).toThrow(/maxSignatureCost/);
    expect(() => policy({ intermediates: [{} as Certificate] })).toThrow(/intermediates/);
  });
});
