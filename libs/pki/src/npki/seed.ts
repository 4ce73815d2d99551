/**
 * SEED, the Korean 128-bit block cipher (KISA; RFC 4269), and CBC mode with
 * PKCS#7 padding as the NPKI key files use it.
 *
 * Our own implementation: the S-boxes are generated at module load from their
 * algebraic definition (RFC 4269 §2: S1(x) = A1·x^247 ⊕ 169, S2(x) = A2·x^251
 * ⊕ 56 in GF(2^8) mod x^8+x^6+x^5+x+1), then folded with the G-function masks
 * into four 256-entry Uint32Array tables so that G is four lookups. Checked by
 * the RFC 4269 vectors and against OpenSSL in seed.spec.ts.
 *
 * CBC decryption checks every padding byte and returns a result instead of
 * throwing, so callers (keyfile.ts) can turn bad padding into WRONG_PASSWORD.
 */
import { PkiError } from '../errors';

export const SEED_BLOCK_SIZE = 16;
export const SEED_KEY_SIZE = 16;

// --- tables --------------------------------------------------------------------

/** GF(2^8) multiplication modulo x^8+x^6+x^5+x+1 (0x163). */
function gfMul(a: number, b: number): number {
  let r = 0;
  while (b !== 0) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x163;
    b >>= 1;
  }
  return r;
}

function gfPow(a: number, e: number): number {
  let r = 1;
  while (e !== 0) {
    if (e & 1) r = gfMul(r, a);
    a = gfMul(a, a);
    e >>= 1;
  }
  return r;
}

/**
 * The affine matrices A1 and A2 given by their columns: COLS[i] is A·e_i, the
 * image of the field element 2^i.
 */
const A1_COLS = [0x2c, 0xd0, 0x69, 0xc2, 0x41, 0x44, 0x58, 0xe2] as const;
const A2_COLS = [0xd0, 0x2a, 0xe1, 0x2c, 0x21, 0x30, 0xa2, 0x6c] as const;

function sbox(cols: readonly number[], exponent: number, constant: number): Uint8Array {
  const s = new Uint8Array(256);
  for (let x = 0; x < 256; x++) {
    const y = x === 0 ? 0 : gfPow(x, exponent);
    let v = constant;
    for (let i = 0; i < 8; i++) if (y & (1 << i)) v ^= cols[i]!;
    s[x] = v;
  }
  return s;
}

/** The two 8-bit S-boxes (exported for tests). */
export const SEED_S1 = sbox(A1_COLS, 247, 169);
export const SEED_S2 = sbox(A2_COLS, 251, 56);

const M0 = 0xfc;
const M1 = 0xf3;
const M2 = 0xcf;
const M3 = 0x3f;

/** SSk[x]: the G-function output contributed by input byte k (byte 0 = least significant). */
function ss(s: Uint8Array, m: readonly [number, number, number, number]): Uint32Array {
  const t = new Uint32Array(256);
  for (let x = 0; x < 256; x++) {
    const v = s[x]!;
    t[x] = (((v & m[3]) << 24) | ((v & m[2]) << 16) | ((v & m[1]) << 8) | (v & m[0])) >>> 0;
  }
  return t;
}

// Z0 = Y0&m0 ^ Y1&m1 ^ Y2&m2 ^ Y3&m3; Z1 rotates the masks by one, and so on (RFC 4269 §2).
const SS0 = ss(SEED_S1, [M0, M1, M2, M3]);
const SS1 = ss(SEED_S2, [M1, M2, M3, M0]);
const SS2 = ss(SEED_S1, [M2, M3, M0, M1]);
const SS3 = ss(SEED_S2, [M3, M0, M1, M2]);

function g(x: number): number {
  return SS0[x & 0xff]! ^ SS1[(x >>> 8) & 0xff]! ^ SS2[(x >>> 16) & 0xff]! ^ SS3[x >>> 24]!;
}

// --- block cipher --------------------------------------------------------------

/** An expanded SEED key: 16 rounds × (K0, K1). Immutable; reuse it for many blocks. */
export interface SeedKey {
  readonly roundKeys: Uint32Array;
}

export function seedKeySchedule(key: Uint8Array): SeedKey {
  if (key.length !== SEED_KEY_SIZE) throw new PkiError('INVALID_ARGUMENT', `SEED key must be 16 bytes, got ${key.length}`);
  let a = be32(key, 0);
  let b = be32(key, 4);
  let c = be32(key, 8);
  let d = be32(key, 12);
  const rk = new Uint32Array(32);
  let kc = 0x9e3779b9;
  for (let i = 0; i < 16; i++) {
    rk[2 * i] = g((a + c - kc) >>> 0);
    rk[2 * i + 1] = g((b - d + kc) >>> 0);
    if ((i & 1) === 0) {
      // A||B rotated right by 8 bits
      const t = a;
      a = ((a >>> 8) | (b << 24)) >>> 0;
      b = ((b >>> 8) | (t << 24)) >>> 0;
    } else {
      // C||D rotated left by 8 bits
      const t = c;
      c = ((c << 8) | (d >>> 24)) >>> 0;
      d = ((d << 8) | (t >>> 24)) >>> 0;
    }
    kc = ((kc << 1) | (kc >>> 31)) >>> 0;
  }
  return { roundKeys: rk };
}

/** Encrypt or decrypt one block from src[so..so+16) into dst[do..do+16) (may alias). */
function cryptBlock(rk: Uint32Array, decrypt: boolean, src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
  let l0 = be32(src, so);
  let l1 = be32(src, so + 4);
  let r0 = be32(src, so + 8);
  let r1 = be32(src, so + 12);
  for (let i = 0; i < 16; i += 2) {
    // two Feistel rounds per iteration so the halves never swap
    let k = decrypt ? 30 - 2 * i : 2 * i;
    let c = r0 ^ rk[k]!;
    let dd = g((c ^ r1 ^ rk[k + 1]!) >>> 0);
    c = g((dd + c) >>> 0);
    dd = g((c + dd) >>> 0);
    l0 = (l0 ^ ((c + dd) >>> 0)) >>> 0;
    l1 = (l1 ^ dd) >>> 0;

    k = decrypt ? 28 - 2 * i : 2 * i + 2;
    c = l0 ^ rk[k]!;
    dd = g((c ^ l1 ^ rk[k + 1]!) >>> 0);
    c = g((dd + c) >>> 0);
    dd = g((c + dd) >>> 0);
    r0 = (r0 ^ ((c + dd) >>> 0)) >>> 0;
    r1 = (r1 ^ dd) >>> 0;
  }
  put32(dst, dof, r0);
  put32(dst, dof + 4, r1);
  put32(dst, dof + 8, l0);
  put32(dst, dof + 12, l1);
}

export function seedEncryptBlock(key: SeedKey, src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number): void {
  checkBlockRange(src, srcOffset, dst, dstOffset);
  cryptBlock(key.roundKeys, false, src, srcOffset, dst, dstOffset);
}

export function seedDecryptBlock(key: SeedKey, src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number): void {
  checkBlockRange(src, srcOffset, dst, dstOffset);
  cryptBlock(key.roundKeys, true, src, srcOffset, dst, dstOffset);
}

// --- CBC with PKCS#7 -----------------------------------------------------------

/** SEED-CBC encryption with PKCS#7 padding (always 1..16 bytes of padding). */
export function seedCbcEncrypt(key: Uint8Array | SeedKey, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  const rk = expand(key);
  checkIv(iv);
  const pad = SEED_BLOCK_SIZE - (plaintext.length % SEED_BLOCK_SIZE);
  const out = Buffer.allocUnsafe(plaintext.length + pad);
  out.set(plaintext, 0);
  out.fill(pad, plaintext.length);
  let prev: Uint8Array = iv;
  let prevOff = 0;
  for (let off = 0; off < out.length; off += SEED_BLOCK_SIZE) {
    for (let j = 0; j < SEED_BLOCK_SIZE; j++) out[off + j]! ^= prev[prevOff + j]!;
    cryptBlock(rk, false, out, off, out, off);
    prev = out;
    prevOff = off;
  }
  return out;
}

export type SeedCbcDecryptResult =
  | { ok: true; plaintext: Buffer }
  | { ok: false; reason: 'BAD_LENGTH' | 'BAD_PADDING' };

/**
 * SEED-CBC decryption; removes PKCS#7 padding after checking that every
 * padding byte equals the padding length (1..16). Bad padding is a result,
 * not an exception: with a password-derived key it usually means a wrong password.
 */
export function seedCbcDecrypt(key: Uint8Array | SeedKey, iv: Uint8Array, ciphertext: Uint8Array): SeedCbcDecryptResult {
  const rk = expand(key);
  checkIv(iv);
  const n = ciphertext.length;
  if (n === 0 || n % SEED_BLOCK_SIZE !== 0) return { ok: false, reason: 'BAD_LENGTH' };
  const out = Buffer.allocUnsafe(n);
  let prev: Uint8Array = iv;
  let prevOff = 0;
  for (let off = 0; off < n; off += SEED_BLOCK_SIZE) {
    cryptBlock(rk, true, ciphertext, off, out, off);
    for (let j = 0; j < SEED_BLOCK_SIZE; j++) out[off + j]! ^= prev[prevOff + j]!;
    prev = ciphertext;
    prevOff = off;
  }
  const pad = out[n - 1]!;
  // examine all 16 trailing bytes whatever pad says, without an early exit
  let bad = pad === 0 || pad > SEED_BLOCK_SIZE ? 1 : 0;
  for (let j = 1; j <= SEED_BLOCK_SIZE; j++) {
    const inPad = j <= pad ? 1 : 0;
    bad |= inPad & (out[n - j] !== pad ? 1 : 0);
  }
  if (bad !== 0) return { ok: false, reason: 'BAD_PADDING' };
  return { ok: true, plaintext: out.subarray(0, n - pad) };
}

// --- helpers -------------------------------------------------------------------

function expand(key: Uint8Array | SeedKey): Uint32Array {
  return key instanceof Uint8Array ? seedKeySchedule(key).roundKeys : key.roundKeys;
}

function checkIv(iv: Uint8Array): void {
  if (iv.length !== SEED_BLOCK_SIZE) throw new PkiError('INVALID_ARGUMENT', `SEED-CBC IV must be 16 bytes, got ${iv.length}`);
}

function checkBlockRange(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
  if (!(so >= 0 && so + SEED_BLOCK_SIZE <= src.length && dof >= 0 && dof + SEED_BLOCK_SIZE <= dst.length)) {
    throw new PkiError('INVALID_ARGUMENT', 'SEED block offset outside the buffer');
  }
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
