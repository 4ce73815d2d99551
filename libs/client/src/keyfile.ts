/**
 * signPri.key decryption with WebCrypto (browsers and Node): the key
 * derivations (PBKDF1-style SHA-1 chain through SubtleCrypto.digest, PBKDF2
 * through deriveBits) here, and everything pure shared with libs/pki: the
 * file parser with its iteration bound (keyfile-format.ts), SEED-CBC with a
 * full padding check (seed.ts) and the PKCS#8 parser.
 *
 * A wrong password is a ClientError WRONG_PASSWORD — never a garbage key: all
 * padding bytes are checked, the plaintext must parse as PKCS#8 with an RSA
 * key, and WebCrypto must import it.
 */
import { seq } from '../../pki/src/der/writer';
import { isPkiError } from '../../pki/src/errors';
import {
  DEFAULT_MAX_ITERATIONS,
  KEY_OID,
  type KeyScheme,
  LEGACY_SEED_VARIANTS,
  type LegacyVariant,
  type LegacyVariantId,
  legacyKeyIv,
  type ParsedEpki,
  parseEncryptedPrivateKeyInfo,
  parsePkcs8,
  type Pbkdf2Prf,
} from '../../pki/src/npki/keyfile-format';
import { seedCbcDecrypt } from '../../pki/src/npki/seed';
import { buf, utf8 } from './bytes';
import { ClientError } from './errors';
import { type CryptoKey, digest, type HashName, subtle } from './webcrypto';

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
/** The signing algorithm of every key we unlock: what the server verifies. */
export const SIGN_ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export const PRF_HASH: Record<Pbkdf2Prf, HashName | null> = {
  hmacWithSHA1: 'SHA-1',
  hmacWithSHA224: null, // not in WebCrypto
  hmacWithSHA256: 'SHA-256',
  hmacWithSHA384: 'SHA-384',
  hmacWithSHA512: 'SHA-512',
};

export interface KeyFileInfo {
  scheme: KeyScheme;
  /** The encryption algorithm's OID. */
  algorithm: string;
  iterations: number;
  saltHex: string;
  prf?: Pbkdf2Prf;
  encryptedBytes: number;
}

export interface UnlockedKey {
  /** Non-extractable WebCrypto key for RSASSA-PKCS1-v1_5 with SHA-256. */
  privateKey: CryptoKey;
  /** The decrypted PKCS#8 (randomNum included). Kept only in memory; drop it when done. */
  pkcs8: Uint8Array;
  /** R (1.2.410.200004.10.1.1.3) for the VID identity check, when the file has it. */
  randomNum?: Uint8Array;
  /** RSA modulus and exponent (base64url, as in a JWK): to match the certificate. */
  publicJwk: { n: string; e: string };
  scheme: KeyScheme;
  iterations: number;
  prf?: Pbkdf2Prf;
  legacyVariant?: LegacyVariantId;
}

export interface UnlockOptions {
  /** Refuse files asking for more iterations (default 1,000,000, as libs/pki). */
  maxIterations?: number;
}

function parse(file: Uint8Array, maxIterations: number): ParsedEpki {
  try {
    return parseEncryptedPrivateKeyInfo(file, maxIterations);
  } catch (e) {
    if (isPkiError(e)) throw new ClientError('MALFORMED_KEY_FILE', e.message, e.details ?? {});
    throw e;
  }
}

/** What a signPri.key is encrypted with, without the password. Throws MALFORMED_KEY_FILE. */
export function describeKeyFile(file: Uint8Array, opts: UnlockOptions = {}): KeyFileInfo {
  const p = parse(file, opts.maxIterations ?? DEFAULT_MAX_ITERATIONS);
  const algorithm = p.scheme === 'seedCBCWithSHA1' ? KEY_OID.seedCBCWithSHA1 : p.scheme === 'pbes2' ? KEY_OID.pbes2 : KEY_OID.seedCBC;
  const info: KeyFileInfo = { scheme: p.scheme, algorithm, iterations: p.iterations, saltHex: hex(p.salt), encryptedBytes: p.data.length };
  if (p.scheme === 'pbes2') info.prf = p.prf;
  return info;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** DK = SHA1(P‖S), then SHA-1 applied c−1 more times (20 bytes). */
export async function sha1Chain(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const first = new Uint8Array(password.length + salt.length);
  first.set(password);
  first.set(salt, password.length);
  let dk = await digest('SHA-1', first);
  for (let i = 1; i < iterations; i++) dk = await digest('SHA-1', dk);
  return dk;
}

/** seedCBCWithSHA1 (1.2.410.200004.1.15): key = DK[0..16), IV = SHA1(DK[16..20))[0..16). */
export async function deriveSeedCbcWithSha1(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const dk = await sha1Chain(password, salt, iterations);
  return { key: dk.subarray(0, 16), iv: (await digest('SHA-1', dk.subarray(16, 20))).subarray(0, 16) };
}

export async function pbkdf2(password: Uint8Array, salt: Uint8Array, iterations: number, bytes: number, hash: HashName): Promise<Uint8Array> {
  const s = subtle();
  const base = await s.importKey('raw', buf(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await s.deriveBits({ name: 'PBKDF2', hash, salt: buf(salt), iterations }, base, bytes * 8));
}

export type Pkcs8Import =
  | { ok: true; pkcs8: Uint8Array; randomNum?: Uint8Array; privateKey: CryptoKey; publicJwk: { n: string; e: string } }
  | { ok: false; check: 'pkcs8' | 'key' | 'not-rsa' };
type Attempt = Pkcs8Import | { ok: false; check: 'padding' };

/** A decrypted PKCS#8 into WebCrypto (RSASSA-PKCS1-v1_5, SHA-256): parsed first, RSA only, imported without its attributes. */
export async function importPkcs8(plaintext: Uint8Array): Promise<Pkcs8Import> {
  let info;
  try {
    info = parsePkcs8(plaintext);
  } catch {
    return { ok: false, check: 'pkcs8' };
  }
  if (info.algorithm !== RSA_ENCRYPTION) return { ok: false, check: 'not-rsa' };
  // WebCrypto is handed the key without the NPKI attributes (some engines refuse them)
  const bare = new Uint8Array(seq(info.parts.head));
  try {
    const s = subtle();
    const extractable = await s.importKey('pkcs8', buf(bare), SIGN_ALGORITHM, true, ['sign']);
    const jwk = await s.exportKey('jwk', extractable);
    const privateKey = await s.importKey('pkcs8', buf(bare), SIGN_ALGORITHM, false, ['sign']);
    const out: Pkcs8Import = { ok: true, pkcs8: new Uint8Array(plaintext), privateKey, publicJwk: { n: jwk.n ?? '', e: jwk.e ?? '' } };
    if (info.randomNum) out.randomNum = new Uint8Array(info.randomNum);
    return out;
  } catch {
    return { ok: false, check: 'key' };
  } finally {
    bare.fill(0);
  }
}

async function attempt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Attempt> {
  const r = seedCbcDecrypt(key, iv, data);
  if (!r.ok) return { ok: false, check: 'padding' };
  return importPkcs8(r.plaintext);
}

/** Key and IV of a legacy (top-level seedCBC) variant; `cache` keeps the KDF output across variants. */
export async function deriveLegacy(v: LegacyVariant, pw: Uint8Array, p: { salt: Uint8Array; iterations: number }, cache: Map<string, Uint8Array>): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  let dk = cache.get(v.kdf);
  if (dk === undefined) {
    dk = v.kdf === 'pbkdf1-sha1' ? await sha1Chain(pw, p.salt, p.iterations) : await pbkdf2(pw, p.salt, p.iterations, 32, 'SHA-1');
    cache.set(v.kdf, dk);
  }
  const r = legacyKeyIv(v, dk);
  return 'iv' in r ? r : { key: r.key, iv: (await digest('SHA-1', r.ivSha1Of)).subarray(0, 16) };
}

/** Password bytes: strings as UTF-8; pass a Uint8Array for other encodings (EUC-KR). */
export function passwordBytes(password: string | Uint8Array): Uint8Array {
  return typeof password === 'string' ? utf8(password) : password;
}

/**
 * Decrypt a signPri.key (seedCBCWithSHA1, PBES2 + SEED, or the legacy
 * top-level seedCBC variants). Throws ClientError WRONG_PASSWORD,
 * MALFORMED_KEY_FILE or UNSUPPORTED_KEY.
 */
export async function unlockKeyFile(file: Uint8Array, password: string | Uint8Array, opts: UnlockOptions = {}): Promise<UnlockedKey> {
  const p = parse(file, opts.maxIterations ?? DEFAULT_MAX_ITERATIONS);
  const pw = passwordBytes(password);
  let result: Attempt = { ok: false, check: 'padding' };
  let legacyVariant: LegacyVariantId | undefined;
  switch (p.scheme) {
    case 'seedCBCWithSHA1': {
      const { key, iv } = await deriveSeedCbcWithSha1(pw, p.salt, p.iterations);
      result = await attempt(key, iv, p.data);
      break;
    }
    case 'pbes2': {
      const hash = PRF_HASH[p.prf];
      if (hash === null) throw new ClientError('UNSUPPORTED_KEY', `PBKDF2 with ${p.prf} is not available in WebCrypto`, { prf: p.prf });
      result = await attempt(await pbkdf2(pw, p.salt, p.iterations, 16, hash), p.iv, p.data);
      break;
    }
    case 'legacy-seed': {
      const cache = new Map<string, Uint8Array>();
      for (const v of LEGACY_SEED_VARIANTS) {
        const { key, iv } = await deriveLegacy(v, pw, p, cache);
        result = await attempt(key, iv, p.data);
        if (result.ok) {
          legacyVariant = v.id;
          break;
        }
      }
      break;
    }
  }
  if (!result.ok) {
    if (result.check === 'not-rsa' && p.scheme !== 'legacy-seed') throw new ClientError('UNSUPPORTED_KEY', 'the key file holds a key that is not RSA', { scheme: p.scheme });
    throw new ClientError('WRONG_PASSWORD', 'the password does not decrypt this key file', { check: result.check, scheme: p.scheme });
  }
  const out: UnlockedKey = { privateKey: result.privateKey, pkcs8: result.pkcs8, publicJwk: result.publicJwk, scheme: p.scheme, iterations: p.iterations };
  if (result.randomNum) out.randomNum = result.randomNum;
  if (p.scheme === 'pbes2') out.prf = p.prf;
  if (legacyVariant) out.legacyVariant = legacyVariant;
  return out;
}
