/**
 * The VID random value R sent encrypted to the site's key-management (KM)
 * certificate, in the two shapes Korean integrations use:
 *
 *  1. CMS EnvelopedData (RFC 5652 §6), ContentInfo-wrapped or bare, with one
 *     KeyTransRecipientInfo for our KM certificate (issuerAndSerialNumber or
 *     subjectKeyIdentifier), key transport rsaEncryption (PKCS#1 v1.5) or
 *     RSAES-OAEP (SHA-1 / SHA-256), content encryption seedCBC
 *     (1.2.410.200004.1.4), AES-128/192/256-CBC or DES-EDE3-CBC. `openssl cms
 *     -encrypt` makes it (with -aes128 ... or, legacy provider, -seed-cbc).
 *  2. vidMsg, Gov24 style: RSAES-PKCS1-v1_5 of a 16-byte SEED key under the KM
 *     certificate, then SEED-CBC of R. The byte layout of the government
 *     client is not public; ours is DER
 *       VidMsg ::= SEQUENCE { encryptedKey OCTET STRING, iv OCTET STRING (16), encryptedRandom OCTET STRING }
 *     (*unconfirmed*: adjust when a real sample is available).
 * The plaintext is R itself (20 bytes), or its DER BIT STRING
 * (03 15 00 ‖ R), or the randomNum attribute value SET { BIT STRING }.
 *
 * Padding oracles: PKCS#1 v1.5 is unpadded with raw RSA and checked in
 * constant time; on any failure a random content key is used instead
 * (implicit rejection, RFC 5246 §7.4.7.1), so the content decryption fails
 * the same way and in the same time as with a wrong key, and every failure —
 * key transport, padding, content, plaintext shape — is one PkiError
 * DECRYPTION_FAILED with one message. Structure errors (not an
 * EnvelopedData, no recipient for our certificate) are MALFORMED_CMS, which
 * reveal nothing secret.
 */
import { constants, createDecipheriv, type KeyObject, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { algorithm } from '../cert/parse';
import type { AlgorithmIdentifier, Certificate } from '../cert/types';
import { bytes, type DerCursor, derCursor, integerBytes, octets, readOid, readSmallInt, seq, Tag, type Tlv } from '../der';
import { PkiError } from '../errors';
import { seedCbcDecrypt, seedCbcEncrypt } from './seed';

export const KM_OID = {
  envelopedData: '1.2.840.113549.1.7.3',
  data: '1.2.840.113549.1.7.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  seedCbc: '1.2.410.200004.1.4',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  sha256: '2.16.840.1.101.3.4.2.1',
  mgf1: '1.2.840.113549.1.1.8',
} as const;

/** Largest encrypted message accepted (an R is 20 bytes; certificates in originatorInfo are not needed). */
export const MAX_KM_MESSAGE = 16 * 1024;

const BER = { maxDepth: 16, ber: true };

export interface KmKeyPair {
  key: KeyObject;
  certificate: Certificate;
}

interface Recipient {
  rid: { type: 'issuerAndSerialNumber'; issuer: Uint8Array; serial: Uint8Array } | { type: 'subjectKeyIdentifier'; keyIdentifier: Uint8Array };
  keyEncryption: AlgorithmIdentifier;
  encryptedKey: Uint8Array;
}

interface Envelope {
  recipients: Recipient[];
  contentEncryption: AlgorithmIdentifier;
  encryptedContent: Uint8Array;
}

const bad = (m: string): PkiError => new PkiError('MALFORMED_CMS', `EnvelopedData: ${m}`);
const failed = (): PkiError => new PkiError('DECRYPTION_FAILED', 'the encrypted value could not be decrypted with the server key-management key');

function octetString(buf: Uint8Array, t: Tlv, c: DerCursor): Uint8Array {
  if (t.tag === Tag.OCTET_STRING || t.tag === 0x80) return bytes(buf, t);
  if (t.tag === (Tag.OCTET_STRING | 0x20) || t.tag === 0xa0) {
    const parts: Uint8Array[] = [];
    const inner = c.enter(t);
    while (!inner.atEnd()) {
      const x = inner.next();
      if (x.tag !== Tag.OCTET_STRING) throw bad('constructed OCTET STRING holds another type');
      parts.push(bytes(buf, x));
    }
    return Buffer.concat(parts);
  }
  throw bad(`expected an OCTET STRING, found tag 0x${t.tag.toString(16)}`);
}

/** Parse an EnvelopedData (ContentInfo or bare). MALFORMED_CMS for anything else. */
export function parseEnvelopedData(input: Uint8Array): Envelope {
  if (input.length > MAX_KM_MESSAGE) throw new PkiError('INPUT_TOO_LARGE', `EnvelopedData larger than ${MAX_KM_MESSAGE} bytes`);
  try {
    const top = derCursor(input, BER);
    const outerTlv = top.expect(Tag.SEQUENCE, 'ContentInfo');
    top.done('input');
    let outer = top.enter(outerTlv);
    if (outer.peekTag() === Tag.OID) {
      const ct = readOid(input, outer.next());
      if (ct !== KM_OID.envelopedData) throw bad(`contentType ${ct} is not id-envelopedData`);
      const ex = outer.expect(0xa0, 'content [0]');
      outer.done('ContentInfo');
      const inner = outer.enter(ex);
      const edTlv = inner.expect(Tag.SEQUENCE, 'EnvelopedData');
      inner.done('content [0]');
      outer = inner.enter(edTlv);
    }
    const ed = outer;
    const version = readSmallInt(input, ed.expect(Tag.INTEGER, 'version'));
    if (version < 0 || version > 4) throw bad(`version ${version}`);
    ed.optional(0xa0); // originatorInfo: not needed
    const riTlv = ed.expect(Tag.SET, 'recipientInfos');
    const ri = ed.enter(riTlv);
    const recipients: Recipient[] = [];
    while (!ri.atEnd()) {
      if (recipients.length >= 16) throw bad('more than 16 recipients');
      const t = ri.next();
      if (t.tag !== Tag.SEQUENCE) continue; // kari / kekri / pwri / ori: not for us
      const r = ri.enter(t);
      readSmallInt(input, r.expect(Tag.INTEGER, 'KeyTransRecipientInfo version'));
      let rid: Recipient['rid'];
      if (r.peekTag() === Tag.SEQUENCE) {
        const ias = r.enter(r.next());
        const issuerTlv = ias.expect(Tag.SEQUENCE, 'issuer');
        const serial = integerBytes(input, ias.expect(Tag.INTEGER, 'serialNumber'));
        ias.done('IssuerAndSerialNumber');
        rid = { type: 'issuerAndSerialNumber', issuer: input.subarray(issuerTlv.start, issuerTlv.end), serial };
      } else if (r.peekTag() === 0x80) {
        rid = { type: 'subjectKeyIdentifier', keyIdentifier: bytes(input, r.next()) };
      } else throw bad('RecipientIdentifier');
      const keyEncryption = algorithm(input, r.expect(Tag.SEQUENCE, 'keyEncryptionAlgorithm'), r);
      const encryptedKey = octetString(input, r.next(), r);
      r.done('KeyTransRecipientInfo');
      recipients.push({ rid, keyEncryption, encryptedKey });
    }
    const eciTlv = ed.expect(Tag.SEQUENCE, 'encryptedContentInfo');
    const eci = ed.enter(eciTlv);
    readOid(input, eci.expect(Tag.OID, 'contentType'));
    const contentEncryption = algorithm(input, eci.expect(Tag.SEQUENCE, 'contentEncryptionAlgorithm'), eci);
    if (eci.atEnd()) throw bad('no encryptedContent');
    const encryptedContent = octetString(input, eci.next(), eci);
    eci.done('EncryptedContentInfo');
    return { recipients, contentEncryption, encryptedContent };
  } catch (e) {
    if (e instanceof PkiError && (e.code === 'MALFORMED_CMS' || e.code === 'INPUT_TOO_LARGE')) throw e;
    throw bad(e instanceof Error ? e.message : String(e));
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

function isOurs(r: Recipient, cert: Certificate): boolean {
  if (r.rid.type === 'subjectKeyIdentifier') {
    const ski = cert.ext.subjectKeyIdentifier;
    return ski !== undefined && sameBytes(ski, r.rid.keyIdentifier);
  }
  return sameBytes(r.rid.serial, cert.serial) && sameBytes(r.rid.issuer, cert.issuer.der);
}

/**
 * RSAES-PKCS1-v1_5 decryption without a padding oracle: raw RSA, the padding
 * checked in constant time, and on failure (or a key of the wrong length) a
 * random key of `keyLength` bytes returned instead.
 */
export function rsaPkcs1DecryptKey(key: KeyObject, ciphertext: Uint8Array, keyLength: number): Buffer {
  const fallback = randomBytes(keyLength);
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    return fallback;
  }
  // EM = 00 02 PS(≥ 8 non-zero) 00 M ; find the separator without branching on secret data
  let good = (em[0]! === 0 ? 1 : 0) & (em[1]! === 2 ? 1 : 0);
  let sep = 0;
  let found = 0;
  for (let i = 2; i < em.length; i++) {
    const zero = em[i]! === 0 ? 1 : 0;
    const first = zero & (found ^ 1);
    sep = first ? i : sep;
    found |= zero;
  }
  good &= found & (sep >= 10 ? 1 : 0) & (em.length - sep - 1 === keyLength ? 1 : 0);
  const m = em.subarray(em.length - keyLength);
  const out = Buffer.alloc(keyLength);
  for (let i = 0; i < keyLength; i++) out[i] = good ? m[i]! : fallback[i]!;
  return out;
}

function oaepDecrypt(key: KeyObject, alg: AlgorithmIdentifier, ciphertext: Uint8Array): Buffer | undefined {
  // RSAES-OAEP-params: absent/empty = SHA-1; we read only the hash (SHA-256 when its OID appears)
  const hash = alg.params && Buffer.from(alg.params).includes(Buffer.from('608648016503040201', 'hex')) ? 'sha256' : 'sha1';
  try {
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext);
  } catch {
    return undefined;
  }
}

interface ContentCipher {
  name: 'seed' | 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';
  keyLength: number;
  ivLength: number;
}

function contentCipher(alg: AlgorithmIdentifier): ContentCipher {
  switch (alg.oid) {
    case KM_OID.seedCbc:
      return { name: 'seed', keyLength: 16, ivLength: 16 };
    case KM_OID.aes128Cbc:
      return { name: 'aes-128-cbc', keyLength: 16, ivLength: 16 };
    case KM_OID.aes192Cbc:
      return { name: 'aes-192-cbc', keyLength: 24, ivLength: 16 };
    case KM_OID.aes256Cbc:
      return { name: 'aes-256-cbc', keyLength: 32, ivLength: 16 };
    case KM_OID.desEde3Cbc:
      return { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 };
    default:
      throw new PkiError('UNSUPPORTED_ALGORITHM', `content encryption ${alg.oid}`);
  }
}

function ivOf(alg: AlgorithmIdentifier, length: number): Uint8Array {
  const p = alg.params;
  if (!p || p[0] !== Tag.OCTET_STRING || p[1] !== length || p.length !== length + 2) throw bad('content encryption IV');
  return p.subarray(2);
}

/** Decrypt CBC content; undefined on any failure (bad padding included). */
function decryptContent(cipher: ContentCipher, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer | undefined {
  if (cipher.name === 'seed') {
    const r = seedCbcDecrypt(key, iv, data);
    return r.ok ? r.plaintext : undefined;
  }
  try {
    const d = createDecipheriv(cipher.name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    return undefined;
  }
}

/** R from a decrypted plaintext: 20 raw bytes, DER BIT STRING, or SET { BIT STRING }. */
function randomFrom(p: Buffer | undefined): Buffer | undefined {
  if (!p) return undefined;
  if (p.length === 20) return p;
  const bit = (b: Buffer): Buffer | undefined => (b.length === 23 && b[0] === 0x03 && b[1] === 0x15 && b[2] === 0x00 ? b.subarray(3) : undefined);
  if (p.length === 23) return bit(p);
  if (p.length === 25 && p[0] === 0x31 && p[1] === 0x17) return bit(p.subarray(2));
  return undefined;
}

/** R from a CMS EnvelopedData addressed to the KM certificate. DECRYPTION_FAILED / MALFORMED_CMS / UNSUPPORTED_ALGORITHM. */
export function decryptEnvelopedRandom(input: Uint8Array, km: KmKeyPair): Buffer {
  const env = parseEnvelopedData(input);
  const mine = env.recipients.find((r) => isOurs(r, km.certificate));
  if (!mine) throw bad('no recipient is the server key-management certificate');
  const cipher = contentCipher(env.contentEncryption);
  const iv = ivOf(env.contentEncryption, cipher.ivLength);
  let cek: Buffer;
  if (mine.keyEncryption.oid === KM_OID.rsaEncryption) cek = rsaPkcs1DecryptKey(km.key, mine.encryptedKey, cipher.keyLength);
  else if (mine.keyEncryption.oid === KM_OID.rsaesOaep) {
    const k = oaepDecrypt(km.key, mine.keyEncryption, mine.encryptedKey);
    cek = k && k.length === cipher.keyLength ? k : randomBytes(cipher.keyLength);
  } else throw new PkiError('UNSUPPORTED_ALGORITHM', `key transport ${mine.keyEncryption.oid}`);
  const r = randomFrom(decryptContent(cipher, cek, iv, env.encryptedContent));
  if (!r) throw failed();
  return r;
}

/** R from a vidMsg (see above). DECRYPTION_FAILED / MALFORMED_CMS. */
export function decryptVidMsg(input: Uint8Array, km: KmKeyPair): Buffer {
  let encryptedKey: Uint8Array;
  let iv: Uint8Array;
  let data: Uint8Array;
  if (input.length > MAX_KM_MESSAGE) throw new PkiError('INPUT_TOO_LARGE', `vidMsg larger than ${MAX_KM_MESSAGE} bytes`);
  try {
    const top = derCursor(input, BER);
    const t = top.expect(Tag.SEQUENCE, 'VidMsg');
    top.done('input');
    const c = top.enter(t);
    encryptedKey = octetString(input, c.expect(Tag.OCTET_STRING, 'encryptedKey'), c);
    iv = octetString(input, c.expect(Tag.OCTET_STRING, 'iv'), c);
    data = octetString(input, c.expect(Tag.OCTET_STRING, 'encryptedRandom'), c);
    c.done('VidMsg');
  } catch (e) {
    throw new PkiError('MALFORMED_CMS', `vidMsg: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (iv.length !== 16) throw new PkiError('MALFORMED_CMS', 'vidMsg: iv must be 16 bytes');
  const key = rsaPkcs1DecryptKey(km.key, encryptedKey, 16);
  const r = randomFrom(decryptContent({ name: 'seed', keyLength: 16, ivLength: 16 }, key, iv, data));
  if (!r) throw failed();
  return r;
}

/** Tell the two shapes apart (an EnvelopedData starts with a ContentInfo OID or a version INTEGER; a VidMsg with an OCTET STRING). */
export function decryptEncryptedRandom(input: Uint8Array, km: KmKeyPair): { randomNum: Buffer; shape: 'envelopedData' | 'vidMsg' } {
  let second: number;
  try {
    const top = derCursor(input, BER);
    const t = top.next();
    second = top.enter(t).peekTag();
  } catch {
    throw new PkiError('MALFORMED_CMS', 'encryptedRandom is neither a CMS EnvelopedData nor a vidMsg');
  }
  if (second === Tag.OCTET_STRING) return { randomNum: decryptVidMsg(input, km), shape: 'vidMsg' };
  return { randomNum: decryptEnvelopedRandom(input, km), shape: 'envelopedData' };
}

// the client side (and tests): the same construction

/** Build a vidMsg for the KM certificate's public key: RSAES-PKCS1-v1_5(SEED key) ‖ iv ‖ SEED-CBC(BIT STRING R). */
export function encryptVidMsg(kmPublicKey: KeyObject, randomNum: Uint8Array): Buffer {
  if (randomNum.length !== 20) throw new PkiError('INVALID_ARGUMENT', 'randomNum must be 20 bytes');
  const key = randomBytes(16);
  const iv = randomBytes(16);
  const encryptedKey = publicEncrypt({ key: kmPublicKey, padding: constants.RSA_PKCS1_PADDING }, key);
  const plaintext = Buffer.concat([Buffer.from([0x03, 0x15, 0x00]), randomNum]);
  return seq(octets(encryptedKey), octets(iv), octets(seedCbcEncrypt(key, iv, plaintext)));
}
