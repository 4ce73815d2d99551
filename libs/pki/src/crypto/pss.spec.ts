/**
 * RSASSA-PSS with an MGF1 hash different from the message hash (issue #9):
 * certificates signed by OpenSSL (`-sigopt rsa_mgf1_md`, and an RSASSA-PSS
 * key whose parameters fix sha384 / MGF1-sha256), verified through
 * verifySignature (EMSA-PSS-VERIFY over the raw RSA operation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, createHash, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { openssl, tempDir } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { emsaPssVerify, mgf1, rsaPssVerifyRaw } from './pss';
import { verifySignature } from './signature';

let certs: Record<string, Certificate>;
const t = tempDir('jc-pss-');

beforeAll(() => {
  const d = t.dir;
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'k.pem'], undefined, d);
  const make = (name: string, key: string, md: string, sigopts: string[]) =>
    openssl(['req', '-x509', '-new', '-key', key, '-subj', `/CN=${name}`, '-days', '30', `-${md}`, ...sigopts.flatMap((o) => ['-sigopt', o]), '-outform', 'DER', '-out', `${name}.der`], undefined, d);
  make('sha256-mgf1sha1', 'k.pem', 'sha256', ['rsa_padding_mode:pss', 'rsa_mgf1_md:sha1', 'rsa_pss_saltlen:32']);
  make('sha512-mgf1sha256', 'k.pem', 'sha512', ['rsa_padding_mode:pss', 'rsa_mgf1_md:sha256', 'rsa_pss_saltlen:20']);
  make('sha256-mgf1sha256', 'k.pem', 'sha256', ['rsa_padding_mode:pss', 'rsa_mgf1_md:sha256', 'rsa_pss_saltlen:32']);
  openssl(
    ['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha384', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha256', '-pkeyopt', 'rsa_pss_keygen_saltlen:48', '-out', 'kp.pem'],
    undefined,
    d,
  );
  make('psskey-sha384-mgf1sha256', 'kp.pem', 'sha384', []);
  certs = Object.fromEntries(
    ['sha256-mgf1sha1', 'sha512-mgf1sha256', 'sha256-mgf1sha256', 'psskey-sha384-mgf1sha256'].map((n) => [n, parseCertificate(readFileSync(join(d, `${n}.der`)))]),
  );
});
afterAll(() => t.cleanup());

const selfCheck = (c: Certificate, tbs: Uint8Array = c.tbsDer) => verifySignature(c.signatureAlgorithm, c.spki, tbs, c.signature);

describe('RSASSA-PSS with an MGF1 hash ≠ the message hash', () => {
  it.each(['sha256-mgf1sha1', 'sha512-mgf1sha256', 'psskey-sha384-mgf1sha256', 'sha256-mgf1sha256'])('%s (OpenSSL-signed) verifies', (name) => {
    const c = certs[name]!;
    expect(selfCheck(c)).toEqual({ ok: true, digest: name.includes('sha512') ? 'sha512' : name.includes('sha384') ? 'sha384' : 'sha256' });
  });

  it('a changed tbsCertificate or signature is BAD_SIGNATURE', () => {
    const c = certs['sha256-mgf1sha1']!;
    const tbs = Buffer.from(c.tbsDer);
    tbs[tbs.length - 5]! ^= 1;
    expect(selfCheck(c, tbs)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    const sig = Buffer.from(c.signature);
    sig[10]! ^= 1;
    expect(verifySignature(c.signatureAlgorithm, c.spki, c.tbsDer, sig)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifySignature(c.signatureAlgorithm, c.spki, c.tbsDer, sig.subarray(1))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('EMSA-PSS-VERIFY step by step: own encoder round trip, and each malformed encoding refused', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }); // emBits = 2047: the top bit of EM is masked off
    const msg = Buffer.from('message');
    const encode = (salt: Buffer, tweak?: (em: Buffer) => void): Buffer => {
      const emBits = 2047;
      const emLen = 256;
      const mHash = createHash('sha256').update(msg).digest();
      const h = createHash('sha256').update(Buffer.alloc(8)).update(mHash).update(salt).digest();
      const db = Buffer.concat([Buffer.alloc(emLen - salt.length - 32 - 2), Buffer.from([1]), salt]);
      const mask = mgf1('sha1', h, db.length);
      for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
      db[0]! &= 0xff >> (8 * emLen - emBits);
      const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
      tweak?.(em);
      return em;
    };
    const salt = randomBytes(32);
    expect(emsaPssVerify(msg, encode(salt), 2047, 'sha256', 'sha1', 32)).toBe(true);
    expect(emsaPssVerify(msg, encode(salt), 2047, 'sha256', 'sha256', 32)).toBe(false); // wrong MGF hash
    expect(emsaPssVerify(msg, encode(salt), 2047, 'sha256', 'sha1', 31)).toBe(false); // wrong salt length
    expect(emsaPssVerify(msg, encode(salt, (em) => (em[255] = 0xbb)), 2047, 'sha256', 'sha1', 32)).toBe(false); // trailer
    expect(emsaPssVerify(Buffer.from('other'), encode(salt), 2047, 'sha256', 'sha1', 32)).toBe(false);
    expect(emsaPssVerify(msg, encode(salt, (em) => (em[0]! |= 0x80)), 2047, 'sha256', 'sha1', 32)).toBe(false); // top bit set
    // the raw RSA path: sign = RSASP1 over the encoded message (privateDecrypt with no padding)
    const sig = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, encode(salt));
    expect(rsaPssVerifyRaw(publicKey, 2048, msg, sig, 'sha256', 'sha1', 32)).toBe(true);
    expect(rsaPssVerifyRaw(publicKey, 2048, Buffer.from('x'), sig, 'sha256', 'sha1', 32)).toBe(false);
  });
});
