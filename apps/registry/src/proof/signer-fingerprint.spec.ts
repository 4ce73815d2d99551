import { createHash } from 'node:crypto';
import { parseCertificate } from '@jointcert/pki';
import { seq, tlv } from '@jointcert/pki/der';
import { issueKoreanChain, keyIdentifier, signCms, testKey } from '@jointcert/pki/issuing';
import { signerFingerprint } from './signer-fingerprint';

const chain = issueKoreanChain({ user: { keys: testKey('fp-user') } });
const other = issueKoreanChain({ user: { keys: testKey('fp-other'), serial: 77n } });
const content = Buffer.from('nonce');

function cms(sid: Buffer, certs: Buffer[]): string {
  const version = sid[0] === 0x80 ? 3 : 1; // subjectKeyIdentifier: SignerInfo (and so SignedData) v3
  return signCms(chain.user, content, { noAttributes: true, digestNullParams: true, sid, version, certs }).toString('base64');
}

describe('signerFingerprint (cheap parse for rate limiting)', () => {
  const cert = parseCertificate(chain.user.der);
  const fingerprint = createHash('sha256').update(chain.user.der).digest('hex');
  const byIssuerSerial = seq(Buffer.from(cert.issuer.der), tlv(0x02, cert.serial));

  it('finds the certificate named by issuerAndSerialNumber among several', () => {
    expect(signerFingerprint(cms(byIssuerSerial, [other.user.der, chain.user.der]))).toBe(fingerprint);
  });

  it('finds the certificate named by subjectKeyIdentifier', () => {
    const ski = tlv(0x80, keyIdentifier(chain.user.publicKey));
    expect(Buffer.from(cert.ext.subjectKeyIdentifier!).equals(ski.subarray(2))).toBe(true);
    expect(signerFingerprint(cms(ski, [other.user.der, chain.user.der]))).toBe(fingerprint);
  });

  it('MALFORMED_INPUT without the signer certificate, or for what is not CMS', () => {
    expect(() => signerFingerprint(cms(byIssuerSerial, [other.user.der]))).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }) as Error);
    expect(() => signerFingerprint(Buffer.from('garbage').toString('base64'))).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }) as Error);
    expect(() => signerFingerprint('')).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }) as Error);
  });
});
