import { parseCertificate } from '@jointcert/pki';
import { issueKoreanChain, testKey } from '@jointcert/pki/issuing';
import { signerCertificateOf, summaryOf } from './views';

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
