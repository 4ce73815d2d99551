import { parseCertificate } from '@jointcert/pki';
import { issueKoreanChain, testKey } from '@jointcert/pki/issuing';
import type { PathCheck } from '@jointcert/pki';
import { pathChecksOf, signerCertificateOf, summaryOf } from './views';

describe('signerCertificateOf and summaryOf (built once per certificate)', () => {
  const a = parseCertificate(issueKoreanChain({ user: { keys: testKey('views-a') } }).user.der);
  const b = parseCertificate(issueKoreanChain({ user: { keys: testKey('views-b'), serial: 99n } }).user.der);

  it('the same frozen view for the same certificate, a different one for another', () => {
    const first = signerCertificateOf(a);
    expect(signerCertificateOf(a)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toMatchObject({ fingerprintSha256: a.fingerprintSha256, serialHex: a.serialHex, der: Buffer.from(a.der).toString('base64') });
    expect(signerCertificateOf(b).fingerprintSha256).toBe(b.fingerprintSha256);
    expect(signerCertificateOf(b).fingerprintSha256).not.toBe(first.fingerprintSha256);
    expect(summaryOf(a)).toBe(summaryOf(a));
    expect(Object.isFrozen(summaryOf(a))).toBe(true);
    expect(summaryOf(a)).toEqual({ subject: first.subject, issuer: first.issuer, serialHex: first.serialHex, fingerprintSha256: first.fingerprintSha256, notBefore: first.notBefore, notAfter: first.notAfter });
  });
});

describe('pathChecksOf', () => {
  const checks: PathCheck[] = [
    { check: 'signature', cert: 0, ok: true },
    { check: 'validity', cert: 1, ok: false, reason: 'EXPIRED', detail: 'notAfter 2020-01-01T00:00:00Z' },
  ];
  const expected = [
    { check: 'path.signature', cert: 0, ok: true },
    { check: 'path.validity', cert: 1, ok: false, reason: 'EXPIRED', detail: 'notAfter 2020-01-01T00:00:00Z' },
  ];

  it('maps each check to `path.<check>`, reason and detail only when present', () => {
    const out = pathChecksOf(checks);
    expect(out).toEqual(expected);
    expect(Object.keys(out[0]!)).toEqual(['check', 'cert', 'ok']);
    // a list that could still change is mapped anew every time
    expect(pathChecksOf(checks)).not.toBe(out);
  });

  it('a frozen list (a cached path result) is mapped once, the views frozen', () => {
    const frozen = Object.freeze(checks.map((c) => Object.freeze({ ...c })));
    const out = pathChecksOf(frozen);
    expect(out).toEqual(expected);
    expect(pathChecksOf(frozen)).toBe(out);
    expect(Object.isFrozen(out) && out.every((c) => Object.isFrozen(c))).toBe(true);
  });
});
