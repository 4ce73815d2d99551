import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { YESSIGN } from '../../test-support/fixtures';
import { LEGACY, openssl, tempDir } from '../../test-support/openssl';
import { isPkiError } from '../errors';
import { bitString, int, octets, oid, seq, setOf, tlv } from '../der';
import {
  addRandomNum,
  assertKeyMatchesCertificate,
  decryptSignPriKey,
  deriveSeedCbcWithSha1,
  encryptSignPriKey,
  KEY_OID,
  keyMatchesCertificate,
  LEGACY_SEED_VARIANTS,
  parsePkcs8,
  randomNumOf,
} from './keyfile';
import { seedCbcEncrypt } from './seed';

const algorithmId = (dotted: string, params?: Uint8Array): Buffer => (params === undefined ? seq(oid(dotted)) : seq(oid(dotted), params));

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function errorOf(fn: () => unknown): { code: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    if (isPkiError(e)) return e.details ? { code: e.code, details: e.details } : { code: e.code };
    return { code: `not a PkiError: ${String(e)}` };
  }
  return { code: 'no error' };
}

function jwk(k: KeyObject): Record<string, unknown> {
  return k.export({ format: 'jwk' });
}

const certSpki = (): { spki: { der: Buffer } } => ({
  spki: { der: new X509Certificate(YESSIGN.cert()).publicKey.export({ type: 'spki', format: 'der' }) },
});

// one RSA key for the whole file (generation is slow)
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPkcs8 = other.privateKey.export({ type: 'pkcs8', format: 'der' });

describe('the yessign test key (seedCBCWithSHA1)', () => {
  const k = decryptSignPriKey(YESSIGN.key(), YESSIGN.password);

  it('derives the documented DK, key and IV', () => {
    const d = deriveSeedCbcWithSha1(YESSIGN.password, hex(YESSIGN.salt), 2048);
    expect(d.dk.toString('hex')).toBe(YESSIGN.dkHex);
    expect(d.key.toString('hex')).toBe(YESSIGN.keyHex);
    expect(d.iv.toString('hex')).toBe(YESSIGN.ivHex);
  });

  it('decrypts to the RSA-2048 key of the certificate, with R', () => {
    expect(k.scheme).toBe('seedCBCWithSHA1');
    expect(k.iterations).toBe(2048);
    expect(k.pkcs8.length).toBe(1258);
    expect(k.randomNum?.toString('hex')).toBe(YESSIGN.randomNumHex);
    expect(k.privateKey.asymmetricKeyType).toBe('rsa');
    expect(k.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const certKey = new X509Certificate(YESSIGN.cert()).publicKey;
    expect(jwk(createPublicKey(k.privateKey)).n).toBe(jwk(certKey).n);
    expect(keyMatchesCertificate(k.privateKey, certSpki())).toEqual({ ok: true });
    expect(() => assertKeyMatchesCertificate(k.privateKey, certSpki())).not.toThrow();
  });

  it('rejects the wrong password with WRONG_PASSWORD', () => {
    const e = errorOf(() => decryptSignPriKey(YESSIGN.key(), 'WTuA8Ev0lWXVFSiI?'));
    expect(e.code).toBe('WRONG_PASSWORD');
    expect(errorOf(() => decryptSignPriKey(YESSIGN.key(), '')).code).toBe('WRONG_PASSWORD');
  });

  it('never yields a key for thousands of wrong passwords (some pass the padding check)', () => {
    // re-encrypted with 1 iteration and a fixed salt so 4000 attempts are quick and deterministic
    const cheap = encryptSignPriKey(k.pkcs8, YESSIGN.password, { iterations: 1, salt: hex('0102030405060708') });
    const checks: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const e = errorOf(() => decryptSignPriKey(cheap, `wrong-${i}`));
      expect(e.code).toBe('WRONG_PASSWORD');
      const c = String(e.details?.check);
      checks[c] = (checks[c] ?? 0) + 1;
    }
    // with random keys about 1 in 256 final blocks end in valid padding: the PKCS#8 parse must catch those
    expect(checks.padding).toBeGreaterThan(3900);
    expect(checks.pkcs8).toBeGreaterThan(0);
    expect(decryptSignPriKey(cheap, YESSIGN.password).pkcs8).toEqual(k.pkcs8);
  });
});

describe('PBES2 with OpenSSL as the peer', () => {
  const { dir, cleanup } = tempDir('jointcert-npki-');
  afterAll(cleanup);
  const pem = join(dir, 'key.pem');
  writeFileSync(pem, other.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const password = 'Pässwörd-한글 1';

  it.each([
    ['hmacWithSHA1', 1024],
    ['hmacWithSHA1', 2048],
    ['hmacWithSHA256', 2048],
    ['hmacWithSHA256', 3001],
    ['hmacWithSHA512', 1],
  ])('decrypts what `openssl pkcs8 -topk8 -v2 seed-cbc -v2prf %s -iter %i` writes', (prf, iter) => {
    const der = openssl(
      ['pkcs8', '-topk8', ...LEGACY, '-in', pem, '-v2', 'seed-cbc', '-v2prf', prf, '-iter', String(iter), '-passout', `pass:${password}`, '-outform', 'DER'],
    );
    const k = decryptSignPriKey(der, password);
    expect(k.scheme).toBe('pbes2');
    expect(k.prf).toBe(prf);
    expect(k.iterations).toBe(iter);
    expect(jwk(k.privateKey)).toEqual(jwk(other.privateKey));
    expect(k.randomNum).toBeUndefined();
    expect(errorOf(() => decryptSignPriKey(der, 'Pässwörd-한글 2')).code).toBe('WRONG_PASSWORD');
  });

  it.each([
    ['hmacWithSHA1', 2048],
    ['hmacWithSHA256', 1500],
  ] as const)('writes what OpenSSL decrypts (%s, %i)', (prf, iterations) => {
    const withR = addRandomNum(otherPkcs8, randomBytes(20));
    const enc = encryptSignPriKey(withR, password, { scheme: 'pbes2', prf, iterations });
    const file = join(dir, `enc-${prf}.key`);
    writeFileSync(file, enc);
    const out = openssl(['pkcs8', ...LEGACY, '-in', file, '-inform', 'DER', '-passin', `pass:${password}`, '-outform', 'DER']);
    // openssl pkcs8 without -topk8 writes the traditional (PKCS#1) form
    expect(jwk(createPrivateKey({ key: out, format: 'der', type: 'pkcs1' }))).toEqual(jwk(other.privateKey));
    // NPKI files carry no prf field for the HMAC-SHA1 default
    const dump = openssl(['asn1parse', '-inform', 'DER', '-in', file]).toString();
    expect(dump.includes('hmacWithSHA256')).toBe(prf === 'hmacWithSHA256');
  });
});

describe('round trips', () => {
  const pkcs8 = addRandomNum(otherPkcs8, hex(YESSIGN.randomNumHex));

  it.each(['seedCBCWithSHA1', 'pbes2', 'legacy-seed'] as const)('%s', (scheme) => {
    const enc = encryptSignPriKey(pkcs8, 'pw', { scheme, iterations: 100 });
    const k = decryptSignPriKey(enc, 'pw');
    expect(k.scheme).toBe(scheme);
    expect(k.iterations).toBe(100);
    expect(k.pkcs8).toEqual(pkcs8);
    expect(k.randomNum?.toString('hex')).toBe(YESSIGN.randomNumHex);
    expect(errorOf(() => decryptSignPriKey(enc, 'pW')).code).toBe('WRONG_PASSWORD');
  });

  it.each(LEGACY_SEED_VARIANTS.map((v) => v.id))('legacy variant %s is recognised', (legacyVariant) => {
    const enc = encryptSignPriKey(pkcs8, 'pw', { scheme: 'legacy-seed', legacyVariant, iterations: 50 });
    const k = decryptSignPriKey(enc, 'pw');
    expect(k.legacyVariant).toBe(legacyVariant);
    expect(k.pkcs8).toEqual(pkcs8);
  });

  it('legacy variants differ (a key from one variant does not decrypt under another)', () => {
    const cts = LEGACY_SEED_VARIANTS.map((v) =>
      encryptSignPriKey(pkcs8, 'pw', { scheme: 'legacy-seed', legacyVariant: v.id, iterations: 50, salt: hex('0011223344556677') }).toString('hex'),
    );
    expect(new Set(cts).size).toBe(LEGACY_SEED_VARIANTS.length);
  });

  it('uses the given salt and IV, and random ones otherwise', () => {
    const salt = hex('a1a2a3a4a5a6a7a8');
    const iv = hex('000102030405060708090a0b0c0d0e0f');
    const a = encryptSignPriKey(pkcs8, 'pw', { scheme: 'pbes2', salt, iv, iterations: 10 });
    const b = encryptSignPriKey(pkcs8, 'pw', { scheme: 'pbes2', salt, iv, iterations: 10 });
    expect(a).toEqual(b);
    expect(a.includes(salt) && a.includes(iv)).toBe(true);
    expect(encryptSignPriKey(pkcs8, 'pw')).not.toEqual(encryptSignPriKey(pkcs8, 'pw'));
  });

  it('passes a Uint8Array password through unchanged (EUC-KR)', () => {
    const eucKr = hex('c7d1b1db'); // "한글" in EUC-KR
    const enc = encryptSignPriKey(pkcs8, eucKr, { iterations: 10 });
    expect(decryptSignPriKey(enc, eucKr).pkcs8).toEqual(pkcs8);
    expect(errorOf(() => decryptSignPriKey(enc, '한글')).code).toBe('WRONG_PASSWORD');
    const utf8 = encryptSignPriKey(pkcs8, '한글', { iterations: 10 });
    expect(decryptSignPriKey(utf8, Buffer.from('한글', 'utf8')).pkcs8).toEqual(pkcs8);
  });

  it('rejects options outside the contract', () => {
    expect(errorOf(() => encryptSignPriKey(pkcs8, 'pw', { iv: Buffer.alloc(16) })).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => encryptSignPriKey(pkcs8, 'pw', { scheme: 'pbes2', iv: Buffer.alloc(8) })).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => encryptSignPriKey(pkcs8, 'pw', { iterations: 0 })).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => encryptSignPriKey(pkcs8, 'pw', { prf: 'hmacWithSHA256' })).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => encryptSignPriKey(Buffer.from('not a key'), 'pw')).code).toBe('INVALID_ARGUMENT');
  });

  it('a decrypted non-RSA key loads too (PBES2), but legacy requires RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'der' });
    expect(decryptSignPriKey(encryptSignPriKey(ec, 'pw', { scheme: 'pbes2', iterations: 5 }), 'pw').privateKey.asymmetricKeyType).toBe('ec');
    expect(errorOf(() => decryptSignPriKey(encryptSignPriKey(ec, 'pw', { scheme: 'legacy-seed', iterations: 5 }), 'pw')).code).toBe('WRONG_PASSWORD');
  });
});

describe('randomNum attribute', () => {
  it('is added to a key without attributes, and the key still loads', () => {
    expect(randomNumOf(otherPkcs8)).toBeUndefined();
    const r = randomBytes(20);
    const withR = addRandomNum(otherPkcs8, r);
    expect(randomNumOf(withR)).toEqual(r);
    expect(jwk(createPrivateKey({ key: withR, format: 'der', type: 'pkcs8' }))).toEqual(jwk(other.privateKey));
    // the same shape as the yessign key: [0] { SEQUENCE { OID, SET { BIT STRING } } } at the end
    const dump = openssl(['asn1parse', '-inform', 'DER'], withR).toString();
    expect(dump).toMatch(/cont \[ 0 \][\s\S]*1\.2\.410\.200004\.10\.1\.1\.3[\s\S]*SET[\s\S]*BIT STRING/);
  });

  it('replaces an existing R and keeps other attributes', () => {
    const yes = decryptSignPriKey(YESSIGN.key(), YESSIGN.password).pkcs8;
    const r = Buffer.alloc(20, 0xab);
    const replaced = addRandomNum(yes, r);
    expect(replaced.length).toBe(yes.length);
    expect(randomNumOf(replaced)).toEqual(r);
    expect(parsePkcs8(replaced).attributes).toHaveLength(1);
    expect(addRandomNum(yes, hex(YESSIGN.randomNumHex))).toEqual(yes);

    // a PKCS#8 with another attribute (friendlyName-like) first
    const info = parsePkcs8(otherPkcs8);
    const extra = seq(oid('1.2.840.113549.1.9.20'), setOf(tlv(0x1e, Buffer.from('\0k\0e\0y', 'latin1'))));
    const withExtra = seq(info.parts.head, tlv(0xa0, extra));
    const both = addRandomNum(withExtra, r);
    expect(parsePkcs8(both).attributes).toHaveLength(2);
    expect(randomNumOf(both)).toEqual(r);
    expect(() => createPrivateKey({ key: both, format: 'der', type: 'pkcs8' })).not.toThrow();
  });

  it('ignores a randomNum that is not a whole-octet BIT STRING', () => {
    const info = parsePkcs8(otherPkcs8);
    const odd = seq(oid('1.2.410.200004.10.1.1.3'), setOf(tlv(0x03, Uint8Array.of(4, 0xf0))));
    expect(randomNumOf(seq(info.parts.head, tlv(0xa0, odd)))).toBeUndefined();
  });
});

describe('key and certificate', () => {
  it('reports a mismatch as data and as KEY_CERT_MISMATCH', () => {
    expect(keyMatchesCertificate(other.privateKey, certSpki())).toEqual({ ok: false, reason: 'KEY_CERT_MISMATCH' });
    expect(errorOf(() => assertKeyMatchesCertificate(other.privateKey, certSpki())).code).toBe('KEY_CERT_MISMATCH');
    expect(keyMatchesCertificate(other.privateKey, { spki: { der: Buffer.from('3000', 'hex') } })).toEqual({ ok: false, reason: 'CERT_KEY_UNREADABLE' });
  });

  it('ignores an RSA SPKI encoding difference (absent NULL parameters)', () => {
    const spki = createPublicKey(other.privateKey).export({ type: 'spki', format: 'der' });
    // 30 0d 06 09 <rsaEncryption> 05 00  →  30 0b 06 09 <rsaEncryption>
    const inner = spki.subarray(spki.indexOf(hex('300d06092a864886f70d0101010500')) + 15);
    const noNull = seq(seq(oid('1.2.840.113549.1.1.1')), inner);
    expect(noNull.equals(spki)).toBe(false);
    expect(keyMatchesCertificate(other.privateKey, { spki: { der: noNull } })).toEqual({ ok: true });
  });
});

describe('malformed key files', () => {
  const good = YESSIGN.key();
  const iv16 = Buffer.alloc(16);
  const data = seedCbcEncrypt(Buffer.alloc(16), iv16, otherPkcs8);
  const saltIter = (iter: number): Buffer => seq(octets(Buffer.alloc(8)), int(iter));

  it('every truncation of the yessign file is MALFORMED_KEY_FILE, quickly', () => {
    const t0 = process.hrtime.bigint();
    for (let n = 0; n < good.length; n++) expect(errorOf(() => decryptSignPriKey(good.subarray(0, n), 'x')).code).toBe('MALFORMED_KEY_FILE');
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(2000);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['trailing garbage', Buffer.concat([good, Buffer.from([0])])],
    ['not DER', Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----')],
    ['unknown algorithm', seq(algorithmId('1.2.3.4', saltIter(2048)), octets(data))],
    ['iterations 10^9', seq(algorithmId(KEY_OID.seedCBCWithSHA1, saltIter(1_000_000_000)), octets(data))],
    ['iterations 0', seq(algorithmId(KEY_OID.seedCBCWithSHA1, saltIter(0)), octets(data))],
    ['negative iterations', seq(algorithmId(KEY_OID.seedCBCWithSHA1, seq(octets(Buffer.alloc(8)), tlv(0x02, Uint8Array.of(0xf8)))), octets(data))],
    ['huge INTEGER', seq(algorithmId(KEY_OID.seedCBCWithSHA1, seq(octets(Buffer.alloc(8)), tlv(0x02, Buffer.alloc(40, 0x7f)))), octets(data))],
    ['data not a multiple of 16', seq(algorithmId(KEY_OID.seedCBCWithSHA1, saltIter(10)), octets(data.subarray(1)))],
    ['data as BIT STRING', seq(algorithmId(KEY_OID.seedCBCWithSHA1, saltIter(10)), bitString(data))],
    ['salt as INTEGER', seq(algorithmId(KEY_OID.seedCBCWithSHA1, seq(int(5), int(10))), octets(data))],
    ['params missing', seq(algorithmId(KEY_OID.seedCBCWithSHA1), octets(data))],
    ['empty salt', seq(algorithmId(KEY_OID.seedCBCWithSHA1, seq(octets(Buffer.alloc(0)), int(10))), octets(data))],
    ['too large', Buffer.alloc(100_000)],
  ])('%s → MALFORMED_KEY_FILE', (_, file) => {
    expect(errorOf(() => decryptSignPriKey(file, 'x')).code).toBe('MALFORMED_KEY_FILE');
  });

  const pbes2 = (kdfParams: Uint8Array, enc: Uint8Array, kdfOid: string = KEY_OID.pbkdf2): Buffer =>
    seq(algorithmId(KEY_OID.pbes2, seq(algorithmId(kdfOid, kdfParams), enc)), octets(data));
  const seedIv = algorithmId(KEY_OID.seedCBC, octets(iv16));
  const kdf = (...extra: Uint8Array[]): Buffer => seq(octets(Buffer.alloc(8)), int(10), ...extra);

  it('a hand-built PBES2 file with no PRF decrypts (control for the cases below)', () => {
    const enc = encryptSignPriKey(otherPkcs8, 'pw', { scheme: 'pbes2', iterations: 10, salt: Buffer.alloc(8), iv: iv16 });
    expect(pbes2(kdf(), seedIv).subarray(0, 40)).toEqual(enc.subarray(0, 40));
  });

  it.each([
    ['unknown KDF', pbes2(kdf(), seedIv, '1.2.840.113549.1.5.99')],
    ['unknown PRF', pbes2(kdf(algorithmId('1.2.840.113549.2.99')), seedIv)],
    ['keyLength 32', pbes2(kdf(int(32)), seedIv)],
    ['AES instead of SEED', pbes2(kdf(), algorithmId('2.16.840.1.101.3.4.1.2', octets(iv16)))],
    ['8-byte IV', pbes2(kdf(), algorithmId(KEY_OID.seedCBC, octets(Buffer.alloc(8))))],
    ['IV missing', pbes2(kdf(), algorithmId(KEY_OID.seedCBC))],
    ['iterations 2^31', pbes2(seq(octets(Buffer.alloc(8)), int(2 ** 31)), seedIv)],
    ['salt as otherSource', pbes2(seq(algorithmId('1.2.3'), int(10)), seedIv)],
  ])('PBES2 %s → MALFORMED_KEY_FILE', (_, file) => {
    expect(errorOf(() => decryptSignPriKey(file, 'x')).code).toBe('MALFORMED_KEY_FILE');
  });

  it('a caller can lower the iteration bound', () => {
    expect(errorOf(() => decryptSignPriKey(good, YESSIGN.password, { maxIterations: 1000 })).code).toBe('MALFORMED_KEY_FILE');
  });

  it('random garbage and single-byte mutations only ever give typed errors', () => {
    const codes = new Set<string>();
    for (let i = 0; i < 300; i++) codes.add(errorOf(() => decryptSignPriKey(randomBytes(1 + (i % 64) * 20), 'x')).code);
    for (let i = 0; i < 40; i++) {
      const m = Buffer.from(good);
      m[i]! ^= 1 << (i % 8);
      codes.add(errorOf(() => decryptSignPriKey(m, YESSIGN.password, { maxIterations: 5000 })).code);
    }
    expect([...codes].every((c) => c === 'MALFORMED_KEY_FILE' || c === 'WRONG_PASSWORD')).toBe(true);
  });
});
