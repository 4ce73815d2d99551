import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, tempDir } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import { generateEcKey, keyIdentifier, pkcs8Of, spkiOf, subjectPublicKeyBits, testKey, toPublicKey } from './keys';
import { ipBytes } from './extensions';

describe('key pool', () => {
  it('returns the same pair for a name and type, different pairs otherwise', () => {
    const a = testKey('pool-a');
    expect(testKey('pool-a')).toBe(a);
    expect(testKey('pool-b')).not.toBe(a);
    expect(testKey('pool-a', 'ec-p256')).not.toBe(a);
    expect(a.privateKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(testKey('pool-a', 'ec-p384').privateKey.asymmetricKeyDetails).toEqual({ namedCurve: 'secp384r1' });
    expect(generateEcKey().publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
  });

  it('derives public keys, SPKI and PKCS#8', () => {
    const k = testKey('pool-a');
    expect(toPublicKey(k.privateKey).equals(k.publicKey)).toBe(true);
    expect(spkiOf(k.privateKey)).toEqual(spkiOf(k.publicKey));
    expect(subjectPublicKeyBits(spkiOf(k.publicKey))[0]).toBe(0x30); // RSAPublicKey SEQUENCE
    expect(pkcs8Of(k.privateKey)[0]).toBe(0x30);
    expect(() => pkcs8Of(k.publicKey)).toThrow(/private key/);
  });

  it('computes the key identifier OpenSSL puts in a subjectKeyIdentifier (SHA-1 of the key bits)', () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const k of [testKey('pool-a'), testKey('pool-ec', 'ec-p256')]) {
        const pem = join(dir, 'k.pem');
        writeFileSync(pem, k.privateKey.export({ type: 'pkcs8', format: 'pem' }));
        const der = openssl(['req', '-x509', '-new', '-key', pem, '-subj', '/CN=ski', '-outform', 'DER', '-addext', 'subjectKeyIdentifier=hash']);
        expect(Buffer.from(parseCertificate(der).ext.subjectKeyIdentifier!)).toEqual(keyIdentifier(k.publicKey));
      }
    } finally {
      cleanup();
    }
  });
});

describe('ipBytes', () => {
  it('parses IPv4/IPv6 with and without prefixes', () => {
    expect(ipBytes('192.0.2.1').toString('hex')).toBe('c0000201');
    expect(ipBytes('10.0.0.0/8').toString('hex')).toBe('0a000000ff000000');
    expect(ipBytes('2001:db8::1').toString('hex')).toBe('20010db8000000000000000000000001');
    expect(ipBytes('::').toString('hex')).toBe('0'.repeat(32));
    expect(ipBytes('2001:db8::/33').toString('hex')).toBe('20010db8' + '0'.repeat(24) + 'ffffffff80' + '0'.repeat(22));
    expect(() => ipBytes('256.0.0.1')).toThrow(/bad IPv4/);
    expect(() => ipBytes('1::2::3')).toThrow(/bad IPv6/);
    expect(() => ipBytes('10.0.0.0/33')).toThrow(/bad prefix/);
  });
});
