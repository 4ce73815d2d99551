/**
 * The pure part of NPKI signPri.key handling: the encryption schemes' OIDs,
 * parsing an EncryptedPrivateKeyInfo (algorithm, salt, iterations, with the
 * iteration bound) and a decrypted PKCS#8 (with the randomNum attribute). No
 * node:crypto here, so the browser client (libs/client) shares it; the key
 * derivation and decryption live in keyfile.ts (Node) and libs/client
 * (WebCrypto).
 */
import { PkiError } from '../errors';
import { bytes, type DerCursor, derCursor, type DerLimits, encoded, int, nul, octets, oid, readBitString, readOid, readSmallInt, seq, Tag, type Tlv } from '../der';
import { OID } from '../cert/types';

export const KEY_OID = {
  seedCBCWithSHA1: '1.2.410.200004.1.15',
  seedCBC: '1.2.410.200004.1.4',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
} as const;

export type KeyScheme = 'seedCBCWithSHA1' | 'pbes2' | 'legacy-seed';
export const PBKDF2_PRFS = ['hmacWithSHA1', 'hmacWithSHA224', 'hmacWithSHA256', 'hmacWithSHA384', 'hmacWithSHA512'] as const;
export type Pbkdf2Prf = (typeof PBKDF2_PRFS)[number];

/** Upper bound on a file's iteration count: a hostile file cannot make us burn more CPU. */
export const DEFAULT_MAX_ITERATIONS = 1_000_000;
/** Upper bound on a key file's size (RSA-4096 PKCS#8 is about 2.4 KB). */
export const MAX_KEY_FILE_SIZE = 64 * 1024;

/**
 * The legacy (top-level seedCBC) derivations we try, in order. `kdf`:
 * PBKDF1-SHA1 = SHA1^c(P‖S) (20 bytes, key = first 16); PBKDF2-SHA1. `iv`:
 * 'ascii' = the bytes of "0123456789012345"; 'sha1-of-dk-tail' = SHA1(DK[16..20))
 * as in seedCBCWithSHA1; 'dk-tail' = PBKDF2 output bytes 16..32.
 */
export const LEGACY_SEED_VARIANTS = [
  { id: 'pbkdf1-sha1/ascii-iv', kdf: 'pbkdf1-sha1', iv: 'ascii' },
  { id: 'pbkdf1-sha1/derived-iv', kdf: 'pbkdf1-sha1', iv: 'sha1-of-dk-tail' },
  { id: 'pbkdf2-sha1/ascii-iv', kdf: 'pbkdf2-sha1', iv: 'ascii' },
  { id: 'pbkdf2-sha1/derived-iv', kdf: 'pbkdf2-sha1', iv: 'dk-tail' },
] as const satisfies ReadonlyArray<{ id: string; kdf: 'pbkdf1-sha1' | 'pbkdf2-sha1'; iv: 'ascii' | 'sha1-of-dk-tail' | 'dk-tail' }>;

export type LegacyVariantId = (typeof LEGACY_SEED_VARIANTS)[number]['id'];
export type LegacyVariant = (typeof LEGACY_SEED_VARIANTS)[number];

/** The ASCII IV some legacy encoders use: the bytes of "0123456789012345". */
export const LEGACY_ASCII_IV: Uint8Array = new TextEncoder().encode('0123456789012345');

/**
 * Key and IV of a legacy variant from its KDF output `dk` (PBKDF1-SHA1: 20
 * bytes; PBKDF2-SHA1: 32). When the IV is SHA1(DK[16..20))[0..16), `ivSha1Of`
 * says what to hash (Node hashes synchronously, WebCrypto asynchronously).
 */
export function legacyKeyIv(v: LegacyVariant, dk: Uint8Array): { key: Uint8Array; iv: Uint8Array } | { key: Uint8Array; ivSha1Of: Uint8Array } {
  const key = dk.subarray(0, 16);
  switch (v.iv) {
    case 'ascii':
      return { key, iv: LEGACY_ASCII_IV };
    case 'sha1-of-dk-tail':
      return { key, ivSha1Of: dk.subarray(16, 20) };
    case 'dk-tail':
      return { key, iv: dk.subarray(16, 32) };
  }
}

// --- parsing EncryptedPrivateKeyInfo ---------------------------------------------

export const KEY_DER_LIMITS: DerLimits = { maxDepth: 12, ber: true };

export type ParsedEpki =
  | { scheme: 'seedCBCWithSHA1'; salt: Uint8Array; iterations: number; data: Uint8Array }
  | { scheme: 'pbes2'; salt: Uint8Array; iterations: number; prf: Pbkdf2Prf; iv: Uint8Array; data: Uint8Array }
  | { scheme: 'legacy-seed'; salt: Uint8Array; iterations: number; data: Uint8Array };

export function malformedKeyFile(message: string, details?: Record<string, unknown>): PkiError {
  return new PkiError('MALFORMED_KEY_FILE', message, details);
}

/** Parse the outer structure; throws MALFORMED_KEY_FILE. No key derivation here. */
export function parseEncryptedPrivateKeyInfo(file: Uint8Array, maxIterations = DEFAULT_MAX_ITERATIONS): ParsedEpki {
  if (file.length > MAX_KEY_FILE_SIZE) throw malformedKeyFile(`key file is ${file.length} bytes; the limit is ${MAX_KEY_FILE_SIZE}`);
  try {
    return parseEpki(file, maxIterations);
  } catch (e) {
    if (e instanceof PkiError && e.code !== 'MALFORMED_KEY_FILE') throw malformedKeyFile(`not an EncryptedPrivateKeyInfo: ${e.message}`, { cause: e.code });
    throw e;
  }
}

function parseEpki(file: Uint8Array, maxIterations: number): ParsedEpki {
  const top = derCursor(file, KEY_DER_LIMITS);
  const epki = top.expect(Tag.SEQUENCE, 'EncryptedPrivateKeyInfo');
  top.done('EncryptedPrivateKeyInfo');
  const c = top.enter(epki);
  const alg = c.enter(c.expect(Tag.SEQUENCE, 'encryptionAlgorithm'));
  const data = bytes(file, c.expect(Tag.OCTET_STRING, 'encryptedData'));
  c.done('EncryptedPrivateKeyInfo');
  if (data.length === 0 || data.length % 16 !== 0) throw malformedKeyFile(`encryptedData is ${data.length} bytes, not a positive multiple of 16`);
  const algOid = readOid(file, alg.expect(Tag.OID, 'encryptionAlgorithm.algorithm'));
  switch (algOid) {
    case KEY_OID.seedCBCWithSHA1: {
      const { salt, iterations } = saltIter(alg, file, maxIterations);
      return { scheme: 'seedCBCWithSHA1', salt, iterations, data };
    }
    case KEY_OID.seedCBC: {
      const { salt, iterations } = saltIter(alg, file, maxIterations);
      return { scheme: 'legacy-seed', salt, iterations, data };
    }
    case KEY_OID.pbes2:
      return { scheme: 'pbes2', ...pbes2Params(alg, file, maxIterations), data };
    default:
      throw malformedKeyFile(`unsupported key encryption algorithm ${algOid}`, { oid: algOid });
  }
}

/** AlgorithmIdentifier; parameters omitted when undefined. */
export function algorithmId(dotted: string, params?: Uint8Array): Buffer {
  return params === undefined ? seq(oid(dotted)) : seq(oid(dotted), params);
}

/**
 * The inverse of parseEncryptedPrivateKeyInfo: the DER of an
 * EncryptedPrivateKeyInfo from its parameters and encrypted data. PBES2 with
 * hmacWithSHA1 is written without a prf field, as NPKI files are.
 */
export function encodeEncryptedPrivateKeyInfo(p: ParsedEpki): Buffer {
  const saltIter = seq(octets(p.salt), int(p.iterations));
  switch (p.scheme) {
    case 'seedCBCWithSHA1':
      return seq(algorithmId(KEY_OID.seedCBCWithSHA1, saltIter), octets(p.data));
    case 'legacy-seed':
      return seq(algorithmId(KEY_OID.seedCBC, saltIter), octets(p.data));
    case 'pbes2': {
      const kdfParams = p.prf === 'hmacWithSHA1' ? saltIter : seq(octets(p.salt), int(p.iterations), algorithmId(KEY_OID[p.prf], nul()));
      const params = seq(algorithmId(KEY_OID.pbkdf2, kdfParams), algorithmId(KEY_OID.seedCBC, octets(p.iv)));
      return seq(algorithmId(KEY_OID.pbes2, params), octets(p.data));
    }
  }
}

/** params SEQUENCE { salt OCTET STRING, iterationCount INTEGER } then end of AlgorithmIdentifier. */
function saltIter(alg: DerCursor, file: Uint8Array, maxIterations: number): { salt: Uint8Array; iterations: number } {
  const p = alg.enter(alg.expect(Tag.SEQUENCE, 'salt/iteration parameters'));
  alg.done('encryptionAlgorithm');
  const salt = readSalt(file, p.expect(Tag.OCTET_STRING, 'salt'));
  const iterations = readIterations(file, p.expect(Tag.INTEGER, 'iterationCount'), maxIterations);
  p.done('salt/iteration parameters');
  return { salt, iterations };
}

function readSalt(file: Uint8Array, t: Tlv): Uint8Array {
  const salt = bytes(file, t);
  if (salt.length < 1 || salt.length > 64) throw malformedKeyFile(`salt of ${salt.length} bytes`);
  return salt;
}

function readIterations(file: Uint8Array, t: Tlv, max: number): number {
  const n = readSmallInt(file, t);
  if (n < 1 || n > max) throw malformedKeyFile(`iteration count ${n} outside 1..${max}`, { iterations: n });
  return n;
}

function pbes2Params(alg: DerCursor, file: Uint8Array, maxIterations: number): { salt: Uint8Array; iterations: number; prf: Pbkdf2Prf; iv: Uint8Array } {
  const p = alg.enter(alg.expect(Tag.SEQUENCE, 'PBES2-params'));
  alg.done('encryptionAlgorithm');
  const kdf = p.enter(p.expect(Tag.SEQUENCE, 'keyDerivationFunc'));
  const enc = p.enter(p.expect(Tag.SEQUENCE, 'encryptionScheme'));
  p.done('PBES2-params');

  const kdfOid = readOid(file, kdf.expect(Tag.OID, 'keyDerivationFunc.algorithm'));
  if (kdfOid !== KEY_OID.pbkdf2) throw malformedKeyFile(`unsupported PBES2 key derivation ${kdfOid}`, { oid: kdfOid });
  const kp = kdf.enter(kdf.expect(Tag.SEQUENCE, 'PBKDF2-params'));
  kdf.done('keyDerivationFunc');
  // salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier }: only the first is used in practice
  const salt = readSalt(file, kp.expect(Tag.OCTET_STRING, 'PBKDF2 salt'));
  const iterations = readIterations(file, kp.expect(Tag.INTEGER, 'PBKDF2 iterationCount'), maxIterations);
  if (kp.peekTag() === Tag.INTEGER) {
    const keyLength = readSmallInt(file, kp.next());
    if (keyLength !== 16) throw malformedKeyFile(`PBKDF2 keyLength ${keyLength}; SEED needs 16`);
  }
  let prf: Pbkdf2Prf = 'hmacWithSHA1';
  const prfTlv = kp.optional(Tag.SEQUENCE);
  if (prfTlv) {
    const pc = kp.enter(prfTlv);
    const prfOid = readOid(file, pc.expect(Tag.OID, 'PBKDF2 prf'));
    const name = PBKDF2_PRFS.find((k) => KEY_OID[k] === prfOid);
    if (name === undefined) throw malformedKeyFile(`unsupported PBKDF2 PRF ${prfOid}`, { oid: prfOid });
    pc.optional(Tag.NULL);
    pc.done('PBKDF2 prf');
    prf = name;
  }
  kp.done('PBKDF2-params');

  const encOid = readOid(file, enc.expect(Tag.OID, 'encryptionScheme.algorithm'));
  if (encOid !== KEY_OID.seedCBC) throw malformedKeyFile(`unsupported PBES2 encryption scheme ${encOid}`, { oid: encOid });
  const iv = bytes(file, enc.expect(Tag.OCTET_STRING, 'seedCBC IV'));
  if (iv.length !== 16) throw malformedKeyFile(`seedCBC IV of ${iv.length} bytes`);
  enc.done('encryptionScheme');
  return { salt, iterations, prf, iv };
}

export interface Pkcs8Info {
  version: number;
  /** privateKeyAlgorithm OID. */
  algorithm: string;
  /** R from the randomNum attribute, when present. */
  randomNum?: Buffer;
  /** Each attribute's whole DER, in order (randomNum included). */
  attributes: Uint8Array[];
  /** Offsets of the parts, to rebuild the structure. */
  parts: { head: Uint8Array; tail: Uint8Array };
}

/**
 * Parse a PKCS#8 PrivateKeyInfo / OneAsymmetricKey far enough to validate its
 * shape and read the attributes. Throws MALFORMED_DER-family PkiErrors.
 */
export function parsePkcs8(pkcs8: Uint8Array): Pkcs8Info {
  const top = derCursor(pkcs8, KEY_DER_LIMITS);
  const outer = top.expect(Tag.SEQUENCE, 'PrivateKeyInfo');
  top.done('PrivateKeyInfo');
  const c = top.enter(outer);
  const version = readSmallInt(pkcs8, c.expect(Tag.INTEGER, 'version'));
  if (version !== 0 && version !== 1) throw malformedKeyFile(`PKCS#8 version ${version}`);
  const alg = c.enter(c.expect(Tag.SEQUENCE, 'privateKeyAlgorithm'));
  const algorithm = readOid(pkcs8, alg.expect(Tag.OID, 'privateKeyAlgorithm.algorithm'));
  const pk = c.expect(Tag.OCTET_STRING, 'privateKey');
  if (pk.valueEnd === pk.valueStart) throw malformedKeyFile('empty privateKey');
  const headEnd = pk.end;
  const attributes: Uint8Array[] = [];
  let randomNum: Buffer | undefined;
  const attrs = c.optional(0xa0);
  if (attrs) {
    const ac = c.enter(attrs);
    while (!ac.atEnd()) {
      const a = ac.expect(Tag.SEQUENCE, 'Attribute');
      attributes.push(encoded(pkcs8, a));
      const ai = ac.enter(a);
      const type = readOid(pkcs8, ai.expect(Tag.OID, 'Attribute.type'));
      const values = ai.enter(ai.expect(Tag.SET, 'Attribute.values'));
      ai.done('Attribute');
      if (type === OID.npkiRandomNum && values.peekTag() === Tag.BIT_STRING) {
        const bs = readBitString(pkcs8, values.next());
        if (bs.unusedBits === 0 && bs.bytes.length > 0) randomNum = Buffer.from(bs.bytes);
      }
    }
  }
  const tailStart = c.pos;
  // [1] publicKey (OneAsymmetricKey v2)
  if (!c.optional(0x81)) c.optional(0xa1);
  c.done('PrivateKeyInfo');
  const info: Pkcs8Info = {
    version,
    algorithm,
    attributes,
    parts: { head: pkcs8.subarray(outer.valueStart, headEnd), tail: pkcs8.subarray(tailStart, outer.valueEnd) },
  };
  if (randomNum) info.randomNum = randomNum;
  return info;
}

/** The randomNum R of a PKCS#8, or undefined. */
export function randomNumOf(pkcs8: Uint8Array): Buffer | undefined {
  return parsePkcs8(pkcs8).randomNum;
}

