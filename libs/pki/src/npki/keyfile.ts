/**
 * NPKI private-key files (signPri.key): password-encrypted PKCS#8
 * EncryptedPrivateKeyInfo with SEED-CBC, in the three encodings seen in the
 * wild (see /work/shared/NPKI.md):
 *
 *  1. seedCBCWithSHA1 (1.2.410.200004.1.15): DK = SHA1^c(P‖S), key = DK[0..16),
 *     IV = SHA1(DK[16..20))[0..16).
 *  2. PBES2 (1.2.840.113549.1.5.13) + PBKDF2 (PRF default HMAC-SHA1) + seedCBC
 *     (1.2.410.200004.1.4) with the IV as parameter. OpenSSL writes the same.
 *  3. Legacy: seedCBC (1.2.410.200004.1.4) at top level with {salt, iter}.
 *     Implementations disagree on the derivation, so LEGACY_SEED_VARIANTS is a
 *     list tried in order; the first whose plaintext has fully valid padding,
 *     parses as PKCS#8 with an RSA key and loads in OpenSSL wins.
 *
 * A wrong password yields WRONG_PASSWORD, never a garbage key: all padding
 * bytes are checked, the plaintext is parsed as PKCS#8 and loaded with
 * crypto.createPrivateKey. A structurally broken file yields MALFORMED_KEY_FILE
 * before any key derivation; iteration counts are bounded.
 */
import { createHash, createPrivateKey, createPublicKey, hash, type KeyObject, pbkdf2Sync, randomBytes } from 'node:crypto';
import { PkiError } from '../errors';
import { bitString, derCursor, oid, readOid, seq, setOf, sortDerElements, tlv } from '../der';
import { OID } from '../cert/types';
import {
  DEFAULT_MAX_ITERATIONS,
  encodeEncryptedPrivateKeyInfo,
  KEY_DER_LIMITS,
  type KeyScheme,
  LEGACY_SEED_VARIANTS,
  type LegacyVariant,
  type LegacyVariantId,
  legacyKeyIv,
  parseEncryptedPrivateKeyInfo,
  parsePkcs8,
  type Pbkdf2Prf,
  type Pkcs8Info,
} from './keyfile-format';
import { seedCbcDecrypt, seedCbcEncrypt } from './seed';

export * from './keyfile-format';

const PRF_DIGEST: Record<Pbkdf2Prf, string> = {
  hmacWithSHA1: 'sha1',
  hmacWithSHA224: 'sha224',
  hmacWithSHA256: 'sha256',
  hmacWithSHA384: 'sha384',
  hmacWithSHA512: 'sha512',
};

export interface DecryptedKey {
  /** PKCS#8 PrivateKeyInfo DER, as decrypted (randomNum attribute included). */
  pkcs8: Buffer;
  privateKey: KeyObject;
  /** R from the randomNum attribute (1.2.410.200004.10.1.1.3), when present. */
  randomNum?: Buffer;
  scheme: KeyScheme;
  iterations: number;
  /** PBES2 only: the PBKDF2 PRF. */
  prf?: Pbkdf2Prf;
  /** Legacy only: which entry of LEGACY_SEED_VARIANTS decrypted it. */
  legacyVariant?: LegacyVariantId;
}

export interface DecryptOptions {
  /** Reject files asking for more iterations (default DEFAULT_MAX_ITERATIONS). */
  maxIterations?: number;
}

// --- key derivation ------------------------------------------------------------

/** Password bytes: strings as UTF-8; pass a Uint8Array for other encodings (EUC-KR). */
export function passwordBytes(password: string | Uint8Array): Buffer {
  return typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
}

/** PBKDF1-style SHA-1 chain: SHA1(P‖S), then SHA-1 applied c−1 more times (20 bytes). */
export function sha1Chain(password: Uint8Array, salt: Uint8Array, iterations: number): Buffer {
  let dk = createHash('sha1').update(password).update(salt).digest();
  // one-shot crypto.hash: ~40% faster per iteration than createHash().update().digest()
  for (let i = 1; i < iterations; i++) dk = hash('sha1', dk, 'buffer');
  return dk;
}

/** seedCBCWithSHA1 (1.2.410.200004.1.15) key and IV. */
export function deriveSeedCbcWithSha1(
  password: string | Uint8Array,
  salt: Uint8Array,
  iterations: number,
): { dk: Buffer; key: Buffer; iv: Buffer } {
  const dk = sha1Chain(passwordBytes(password), salt, iterations);
  return { dk, key: dk.subarray(0, 16), iv: createHash('sha1').update(dk.subarray(16, 20)).digest().subarray(0, 16) };
}

function deriveLegacy(v: LegacyVariant, pw: Buffer, salt: Uint8Array, iter: number, cache: Map<string, Buffer>): { key: Uint8Array; iv: Uint8Array } {
  let dk = cache.get(v.kdf);
  if (dk === undefined) {
    dk = v.kdf === 'pbkdf1-sha1' ? sha1Chain(pw, salt, iter) : pbkdf2Sync(pw, salt, iter, 32, 'sha1');
    cache.set(v.kdf, dk);
  }
  const r = legacyKeyIv(v, dk);
  return 'iv' in r ? r : { key: r.key, iv: createHash('sha1').update(r.ivSha1Of).digest().subarray(0, 16) };
}

// --- decryption --------------------------------------------------------------------

type Attempt = { ok: true; pkcs8: Buffer; info: Pkcs8Info; privateKey: KeyObject } | { ok: false; check: 'padding' | 'pkcs8' | 'key' };

function attempt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, requireRsa: boolean): Attempt {
  const r = seedCbcDecrypt(key, iv, data);
  if (!r.ok) return { ok: false, check: 'padding' };
  let info: Pkcs8Info;
  try {
    info = parsePkcs8(r.plaintext);
  } catch {
    return { ok: false, check: 'pkcs8' };
  }
  if (requireRsa && info.algorithm !== OID.rsaEncryption) return { ok: false, check: 'pkcs8' };
  try {
    const privateKey = createPrivateKey({ key: r.plaintext, format: 'der', type: 'pkcs8' });
    return { ok: true, pkcs8: r.plaintext, info, privateKey };
  } catch {
    return { ok: false, check: 'key' };
  }
}

/**
 * Decrypt a signPri.key. Throws PkiError WRONG_PASSWORD (details.check says
 * which check failed: padding, pkcs8, key) or MALFORMED_KEY_FILE.
 */
export function decryptSignPriKey(encrypted: Uint8Array, password: string | Uint8Array, opts: DecryptOptions = {}): DecryptedKey {
  const p = parseEncryptedPrivateKeyInfo(encrypted, opts.maxIterations ?? DEFAULT_MAX_ITERATIONS);
  const pw = passwordBytes(password);
  let result: Attempt;
  let legacyVariant: LegacyVariantId | undefined;
  switch (p.scheme) {
    case 'seedCBCWithSHA1': {
      const { key, iv } = deriveSeedCbcWithSha1(pw, p.salt, p.iterations);
      result = attempt(key, iv, p.data, false);
      break;
    }
    case 'pbes2': {
      const key = pbkdf2Sync(pw, p.salt, p.iterations, 16, PRF_DIGEST[p.prf]);
      result = attempt(key, p.iv, p.data, false);
      break;
    }
    case 'legacy-seed': {
      const cache = new Map<string, Buffer>();
      result = { ok: false, check: 'padding' };
      for (const v of LEGACY_SEED_VARIANTS) {
        const { key, iv } = deriveLegacy(v, pw, p.salt, p.iterations, cache);
        result = attempt(key, iv, p.data, true);
        if (result.ok) {
          legacyVariant = v.id;
          break;
        }
      }
      break;
    }
  }
  if (!result.ok) throw new PkiError('WRONG_PASSWORD', 'the password does not decrypt this key file', { check: result.check, scheme: p.scheme });
  const out: DecryptedKey = { pkcs8: result.pkcs8, privateKey: result.privateKey, scheme: p.scheme, iterations: p.iterations };
  if (result.info.randomNum) out.randomNum = result.info.randomNum;
  if (p.scheme === 'pbes2') out.prf = p.prf;
  if (legacyVariant) out.legacyVariant = legacyVariant;
  return out;
}

// --- encryption --------------------------------------------------------------------

export interface EncryptOptions {
  scheme?: KeyScheme;
  iterations?: number;
  salt?: Uint8Array;
  /** PBES2 only (the other schemes derive their IV). */
  iv?: Uint8Array;
  /** PBES2 only; hmacWithSHA1 (the default) is written without a prf field, as NPKI files are. */
  prf?: Pbkdf2Prf;
  /** legacy-seed only; default the first of LEGACY_SEED_VARIANTS. */
  legacyVariant?: LegacyVariantId;
}

/** Encrypt a PKCS#8 PrivateKeyInfo as an NPKI signPri.key (default seedCBCWithSHA1, 2048 iterations, random 8-byte salt). */
export function encryptSignPriKey(pkcs8: Uint8Array, password: string | Uint8Array, opts: EncryptOptions = {}): Buffer {
  const scheme = opts.scheme ?? 'seedCBCWithSHA1';
  const iterations = opts.iterations ?? 2048;
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new PkiError('INVALID_ARGUMENT', `iterations must be a positive integer`);
  const salt = opts.salt ?? randomBytes(8);
  if (salt.length < 1 || salt.length > 64) throw new PkiError('INVALID_ARGUMENT', 'salt must be 1..64 bytes');
  if (opts.iv !== undefined && scheme !== 'pbes2') throw new PkiError('INVALID_ARGUMENT', `scheme ${scheme} derives its IV`);
  if (opts.prf !== undefined && scheme !== 'pbes2') throw new PkiError('INVALID_ARGUMENT', `prf applies to pbes2 only`);
  if (opts.legacyVariant !== undefined && scheme !== 'legacy-seed') throw new PkiError('INVALID_ARGUMENT', 'legacyVariant applies to legacy-seed only');
  try {
    parsePkcs8(pkcs8);
  } catch (e) {
    throw new PkiError('INVALID_ARGUMENT', `not a PKCS#8 PrivateKeyInfo: ${(e as Error).message}`);
  }
  const pw = passwordBytes(password);
  switch (scheme) {
    case 'seedCBCWithSHA1': {
      const { key, iv } = deriveSeedCbcWithSha1(pw, salt, iterations);
      return encodeEncryptedPrivateKeyInfo({ scheme, salt, iterations, data: seedCbcEncrypt(key, iv, pkcs8) });
    }
    case 'legacy-seed': {
      const id = opts.legacyVariant ?? LEGACY_SEED_VARIANTS[0].id;
      const v = LEGACY_SEED_VARIANTS.find((x) => x.id === id);
      if (v === undefined) throw new PkiError('INVALID_ARGUMENT', `unknown legacy variant ${String(id)}`);
      const { key, iv } = deriveLegacy(v, pw, salt, iterations, new Map());
      return encodeEncryptedPrivateKeyInfo({ scheme, salt, iterations, data: seedCbcEncrypt(key, iv, pkcs8) });
    }
    case 'pbes2': {
      const prf = opts.prf ?? 'hmacWithSHA1';
      const iv = opts.iv ?? randomBytes(16);
      if (iv.length !== 16) throw new PkiError('INVALID_ARGUMENT', 'SEED-CBC IV must be 16 bytes');
      const key = pbkdf2Sync(pw, salt, iterations, 16, PRF_DIGEST[prf]);
      return encodeEncryptedPrivateKeyInfo({ scheme, salt, iterations, prf, iv, data: seedCbcEncrypt(key, iv, pkcs8) });
    }
  }
}

// --- PKCS#8 and the randomNum attribute ----------------------------------------------

/**
 * Insert or replace the randomNum attribute (1.2.410.200004.10.1.1.3) of a
 * PKCS#8, keeping the other attributes: toolkit keys then look like NPKI keys.
 */
export function addRandomNum(pkcs8: Uint8Array, randomNum: Uint8Array): Buffer {
  if (randomNum.length === 0) throw new PkiError('INVALID_ARGUMENT', 'randomNum must not be empty');
  let info: Pkcs8Info;
  try {
    info = parsePkcs8(pkcs8);
  } catch (e) {
    throw new PkiError('INVALID_ARGUMENT', `not a PKCS#8 PrivateKeyInfo: ${(e as Error).message}`);
  }
  const rAttr = seq(oid(OID.npkiRandomNum), setOf(bitString(randomNum)));
  const others = info.attributes.filter((a) => {
    const c = derCursor(a, KEY_DER_LIMITS);
    const ai = c.enter(c.next());
    return readOid(a, ai.next()) !== OID.npkiRandomNum;
  });
  // [0] IMPLICIT SET OF Attribute: DER orders the elements by encoding
  return seq(info.parts.head, tlv(0xa0, ...sortDerElements([...others, rAttr])), info.parts.tail);
}

// --- key ↔ certificate ----------------------------------------------------------------

export type KeyCertMatch = { ok: true } | { ok: false; reason: 'KEY_CERT_MISMATCH' | 'CERT_KEY_UNREADABLE' };

/**
 * Does the private key belong to the certificate? Compares public keys as
 * OpenSSL re-encodes them (so an absent vs NULL RSA parameter does not matter).
 * Accepts our Certificate or anything with `spki.der`.
 */
export function keyMatchesCertificate(key: KeyObject, cert: { spki: { der: Uint8Array } }): KeyCertMatch {
  const ours = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (ours.equals(Buffer.from(cert.spki.der))) return { ok: true };
  let theirs: Buffer;
  try {
    theirs = createPublicKey({ key: Buffer.from(cert.spki.der), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
  } catch {
    return { ok: false, reason: 'CERT_KEY_UNREADABLE' };
  }
  return ours.equals(theirs) ? { ok: true } : { ok: false, reason: 'KEY_CERT_MISMATCH' };
}

/** Throws KEY_CERT_MISMATCH unless the key belongs to the certificate. */
export function assertKeyMatchesCertificate(key: KeyObject, cert: { spki: { der: Uint8Array } }): void {
  const m = keyMatchesCertificate(key, cert);
  if (!m.ok) throw new PkiError('KEY_CERT_MISMATCH', 'the private key does not belong to the certificate', { reason: m.reason });
}
