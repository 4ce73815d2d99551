/**
 * RSASSA-PSS verification done here rather than by OpenSSL's PSS padding, for
 * parameter sets Node's crypto cannot express: an MGF1 hash different from
 * the message hash (RFC 4055 allows it; Node's `verify` always uses the
 * message hash for MGF1). The RSA operation is the raw public-key primitive
 * (RSAVP1: `publicEncrypt` with RSA_NO_PADDING, s^e mod n); the encoding
 * check is EMSA-PSS-VERIFY of RFC 8017 §9.1.2, step by step.
 */
import { constants, createHash, publicEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { DigestName } from './digest';

const HASH_LEN: Readonly<Record<DigestName, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** MGF1 (RFC 8017 B.2.1) of `seed`, `length` octets, with `hash`. */
export function mgf1(hash: DigestName, seed: Uint8Array, length: number): Buffer {
  const hLen = HASH_LEN[hash];
  const out = Buffer.alloc(Math.ceil(length / hLen) * hLen);
  const counter = Buffer.alloc(4);
  for (let i = 0; i * hLen < length; i++) {
    counter.writeUInt32BE(i, 0);
    createHash(hash).update(seed).update(counter).digest().copy(out, i * hLen);
  }
  return out.subarray(0, length);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2): does `em` (emLen = ceil(emBits/8) octets) encode `message`? */
export function emsaPssVerify(message: Uint8Array, em: Uint8Array, emBits: number, hash: DigestName, mgfHash: DigestName, saltLength: number): boolean {
  const hLen = HASH_LEN[hash];
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen) return false;
  const mHash = createHash(hash).update(message).digest(); // steps 1-2
  if (emLen < hLen + saltLength + 2) return false; // 3
  if (em[emLen - 1] !== 0xbc) return false; // 4
  const dbLen = emLen - hLen - 1;
  const maskedDb = em.subarray(0, dbLen); // 5
  const h = em.subarray(dbLen, dbLen + hLen);
  const topBits = 8 * emLen - emBits;
  const topMask = topBits === 0 ? 0 : (0xff << (8 - topBits)) & 0xff;
  if ((maskedDb[0]! & topMask) !== 0) return false; // 6
  const db = mgf1(mgfHash, h, dbLen); // 7
  for (let i = 0; i < dbLen; i++) db[i]! ^= maskedDb[i]!; // 8
  db[0]! &= ~topMask & 0xff; // 9
  const psLen = emLen - hLen - saltLength - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false; // 10
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(dbLen - saltLength); // 11
  const h2 = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest(); // 12-13
  return timingSafeEqual(h, h2); // 14
}

/**
 * RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with `key` (an RSA public key of
 * `modulusBits`). Throws for a signature whose length is not the modulus
 * length or whose value is not below n (callers map that to BAD_SIGNATURE).
 */
export function rsaPssVerifyRaw(key: KeyObject, modulusBits: number, message: Uint8Array, signature: Uint8Array, hash: DigestName, mgfHash: DigestName, saltLength: number): boolean {
  const k = Math.ceil(modulusBits / 8);
  if (signature.length !== k) throw new Error(`PSS signature of ${signature.length} octets, modulus of ${k}`);
  const m = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, signature); // RSAVP1, k octets
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < k && m[0] !== 0) return false; // I2OSP(m, emLen) fails
  return emsaPssVerify(message, m.subarray(k - emLen), emBits, hash, mgfHash, saltLength);
}
