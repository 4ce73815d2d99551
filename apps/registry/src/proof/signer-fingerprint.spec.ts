import { createHash, sign as cryptoSign } from 'node:crypto';
import { CMS_OID, DIGEST_OID, parseCertificate } from '@jointcert/pki';
import { explicit, int, nul, octets, oid, seq, set, tlv } from '@jointcert/pki/der';
import { issueKoreanChain, keyIdentifier, testKey } from '@jointcert/pki/issuing';
import { signerFingerprint } from './signer-fingerprint';

const chain = issueKoreanChain({ user: { keys: testKey('fp-user') } });
const other = issueKoreanChain({ user: { keys: testKey('fp-other'), serial: 77n } });
const content = Buffer.from('nonce');

function cms(sid: Buffer, certs: Buffer[]): string {
  const digestAlg = seq(oid(DIGEST_OID.sha256), nul());
  const signature = cryptoSign('sha256', content, chain.user.key);
  const si = seq(int(sid[0] === 0x80 ? 3 : 1), sid, digestAlg, seq(oid('1.2.840.113549.1.1.1'), nul()), octets(signature));
  const sd = seq(int(1), set(digestAlg), seq(oid(CMS_OID.data), explicit(0, octets(content))), explicit(0, ...certs), set(si));
  return seq(oid(CMS_OID.signedData), explicit(0, sd)).toString('base64');
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
