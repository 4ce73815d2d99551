/**
 * PKCS#12 (RFC 7292) import and export for moving a joint certificate between
 * devices as a .pfx / .p12, keeping the NPKI randomNum (R) the VID check needs.
 *
 * Import: PFX v3 with password integrity (HMAC-SHA-1/-224/-256/-384/-512 under
 * the RFC 7292 Appendix B key derivation; checked in constant time before
 * anything is decrypted); AuthenticatedSafe of plain `data` and
 * `encryptedData` ContentInfos; keyBag, pkcs8ShroudedKeyBag and certBag
 * (x509Certificate) SafeBags. Encryption: PBES2 (PBKDF2 with any HMAC-SHA PRF;
 * AES-128/192/256-CBC, DES-EDE3-CBC or SEED-CBC) as OpenSSL 3 writes by
 * default, and pbeWithSHAAnd3-KeyTripleDES-CBC as older tools (and `openssl
 * pkcs12 -legacy` for keys) write. RC2 (`-legacy` certificate bags) is
 * UNSUPPORTED_ALGORITHM: re-export with `-certpbe AES-256-CBC` or `-descert`.
 * Errors: WRONG_PASSWORD (the MAC does not verify, or a bag does not decrypt),
 * MALFORMED_KEY_FILE (structure), UNSUPPORTED_ALGORITHM, INPUT_TOO_LARGE;
 * nothing else.
 *
 * R: the shrouded key bag holds the whole PKCS#8, attributes included, so a
 * PFX we export keeps R and one we import gives it back. OpenSSL does NOT keep
 * it: `openssl pkcs12 -export` writes the key without the PKCS#8 attributes,
 * so after a round trip through OpenSSL R is gone (`randomNum` undefined);
 * when R is known (from the original signPri.key) `exportPkcs12` /
 * `addRandomNum` re-inject it.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { algorithm } from '../cert/parse';
import type { AlgorithmIdentifier } from '../cert/types';
import { DIGEST_BY_OID, DIGEST_OID, type DigestName } from '../crypto/digest';
import { bytes, type DerCursor, derCursor, encoded, explicit, int, nul, octets, oid, readOid, readSmallInt, seq, set, Tag, type Tlv, tlv } from '../der';
import { PkiError } from '../errors';
import { addRandomNum, parsePkcs8 } from './keyfile';
import { seedCbcDecrypt } from './seed';

export const P12_OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbeSha3Des: '1.2.840.113549.1.12.1.3',
  pbeSha40Rc2: '1.2.840.113549.1.12.1.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  seedCbc: '1.2.410.200004.1.4',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
} as const;

const HMAC_OIDS: Record<string, DigestName> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const CIPHERS: Record<string, { name: string; key: number; iv: number }> = {
  [P12_OID.aes128Cbc]: { name: 'aes-128-cbc', key: 16, iv: 16 },
  [P12_OID.aes192Cbc]: { name: 'aes-192-cbc', key: 24, iv: 16 },
  [P12_OID.aes256Cbc]: { name: 'aes-256-cbc', key: 32, iv: 16 },
  [P12_OID.desEde3Cbc]: { name: 'des-ede3-cbc', key: 24, iv: 8 },
  [P12_OID.seedCbc]: { name: 'seed', key: 16, iv: 16 },
};

/** Largest .pfx accepted, and the most iterations a file may ask for. */
export const MAX_PFX_SIZE = 256 * 1024;
export const MAX_P12_ITERATIONS = 1_000_000;
const BER = { maxDepth: 24, ber: true };

export interface Pkcs12Contents {
  /** PKCS#8 PrivateKeyInfo DER, as stored (attributes included when the exporter kept them). */
  pkcs8: Buffer;
  /** R from the key's randomNum attribute; undefined when the exporter dropped it (OpenSSL does). */
  randomNum?: Buffer;
  /** DER certificates, in file order. */
  certificates: Buffer[];
  mac: { digest: string; iterations: number } | null;
}

const malformed = (m: string): PkiError => new PkiError('MALFORMED_KEY_FILE', `PKCS#12: ${m}`);
const wrongPassword = (): PkiError => new PkiError('WRONG_PASSWORD', 'PKCS#12: wrong password (or a damaged file)');

// --- RFC 7292 Appendix B key derivation ----------------------------------------------

/** BMPString of the password with two zero bytes at the end (Appendix B.1); the empty password is empty. */
export function p12Password(password: string): Buffer {
  if (password.length === 0) return Buffer.alloc(0);
  const b = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) b.writeUInt16BE(password.charCodeAt(i), i * 2);
  return b;
}

/** Appendix B.2: id 1 = key, 2 = IV, 3 = MAC key. */
export function p12Kdf(digest: string, password: Buffer, salt: Uint8Array, iterations: number, id: 1 | 2 | 3, n: number): Buffer {
  const u = createHash(digest).digest().length;
  const v = digest === 'sha384' || digest === 'sha512' ? 128 : 64;
  const D = Buffer.alloc(v, id);
  const fill = (src: Uint8Array): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out = Buffer.alloc(Math.ceil(n / u) * u);
  for (let block = 0; block * u < n; block++) {
    let A = createHash(digest).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(digest).update(A).digest();
    A.copy(out, block * u);
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u]!;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const x = I[j + k]! + B[k]! + carry;
        I[j + k] = x & 0xff;
        carry = x >> 8;
      }
    }
  }
  return out.subarray(0, n);
}

// --- decryption of encrypted content / shrouded keys -----------------------------------

function iterationsOf(buf: Uint8Array, t: Tlv): number {
  const n = readSmallInt(buf, t);
  if (n < 1 || n > MAX_P12_ITERATIONS) throw malformed(`iteration count ${n}`);
  return n;
}

function cipherDecrypt(name: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  if (name === 'seed') {
    const r = seedCbcDecrypt(key, iv, data);
    if (!r.ok) throw wrongPassword();
    return r.plaintext;
  }
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw wrongPassword();
  }
}

/** Decrypt under a PKCS#12 PBE or PBES2 AlgorithmIdentifier. */
function pbeDecrypt(alg: AlgorithmIdentifier, password: string, data: Uint8Array): Buffer {
  const p = alg.params;
  if (!p) throw malformed(`${alg.oid} without parameters`);
  const c = derCursor(p, BER);
  const pc = c.enter(c.expect(Tag.SEQUENCE, 'PBE parameters'));
  if (alg.oid === P12_OID.pbeSha3Des) {
    const salt = bytes(p, pc.expect(Tag.OCTET_STRING, 'salt'));
    const iter = iterationsOf(p, pc.expect(Tag.INTEGER, 'iterations'));
    const pw = p12Password(password);
    return cipherDecrypt('des-ede3-cbc', p12Kdf('sha1', pw, salt, iter, 1, 24), p12Kdf('sha1', pw, salt, iter, 2, 8), data);
  }
  if (alg.oid === P12_OID.pbeSha40Rc2) throw new PkiError('UNSUPPORTED_ALGORITHM', 'PKCS#12: RC2 (pbeWithSHAAnd40BitRC2-CBC) is not supported; export with -certpbe AES-256-CBC');
  if (alg.oid !== P12_OID.pbes2) throw new PkiError('UNSUPPORTED_ALGORITHM', `PKCS#12: encryption ${alg.oid}`);
  const kdf = algorithm(p, pc.expect(Tag.SEQUENCE, 'keyDerivationFunc'), pc);
  const enc = algorithm(p, pc.expect(Tag.SEQUENCE, 'encryptionScheme'), pc);
  if (kdf.oid !== P12_OID.pbkdf2 || !kdf.params) throw new PkiError('UNSUPPORTED_ALGORITHM', `PKCS#12: key derivation ${kdf.oid}`);
  const kc = derCursor(kdf.params, BER);
  const kp = kc.enter(kc.expect(Tag.SEQUENCE, 'PBKDF2-params'));
  const salt = bytes(kdf.params, kp.expect(Tag.OCTET_STRING, 'salt'));
  const iter = iterationsOf(kdf.params, kp.expect(Tag.INTEGER, 'iterationCount'));
  kp.optional(Tag.INTEGER); // keyLength
  let prf = 'sha1';
  if (!kp.atEnd()) {
    const prfAlg = algorithm(kdf.params, kp.expect(Tag.SEQUENCE, 'prf'), kp);
    const h = HMAC_OIDS[prfAlg.oid];
    if (!h) throw new PkiError('UNSUPPORTED_ALGORITHM', `PKCS#12: PBKDF2 PRF ${prfAlg.oid}`);
    prf = h;
  }
  const cipher = CIPHERS[enc.oid];
  if (!cipher) throw new PkiError('UNSUPPORTED_ALGORITHM', `PKCS#12: cipher ${enc.oid}`);
  const ivp = enc.params;
  if (!ivp || ivp[0] !== Tag.OCTET_STRING || ivp.length !== cipher.iv + 2 || ivp[1] !== cipher.iv) throw malformed('cipher IV');
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iter, cipher.key, prf);
  return cipherDecrypt(cipher.name, key, ivp.subarray(2), data);
}

// --- parsing -------------------------------------------------------------------------

function octetContent(buf: Uint8Array, t: Tlv, c: DerCursor): Uint8Array {
  if (t.tag === Tag.OCTET_STRING || t.tag === 0x80) return bytes(buf, t);
  if (t.tag === (Tag.OCTET_STRING | 0x20) || t.tag === 0xa0) {
    const inner = c.enter(t);
    const parts: Uint8Array[] = [];
    while (!inner.atEnd()) parts.push(octetContent(buf, inner.next(), inner));
    return Buffer.concat(parts);
  }
  throw malformed(`expected OCTET STRING, found tag 0x${t.tag.toString(16)}`);
}

/** ContentInfo { data, [0] OCTET STRING } → the octets. */
function dataContent(buf: Uint8Array, tlv: Tlv, parent: DerCursor): { type: string; c: DerCursor; inner: Tlv } {
  const ci = parent.enter(tlv);
  const type = readOid(buf, ci.expect(Tag.OID, 'contentType'));
  const ex = ci.expect(0xa0, 'content [0]');
  const c = ci.enter(ex);
  return { type, c, inner: c.next() };
}

function safeContents(buf: Uint8Array, password: string, out: { keys: Buffer[]; certs: Buffer[] }): void {
  const top = derCursor(buf, BER);
  const sc = top.enter(top.expect(Tag.SEQUENCE, 'SafeContents'));
  let n = 0;
  while (!sc.atEnd()) {
    if (++n > 64) throw malformed('more than 64 SafeBags');
    const bagTlv = sc.expect(Tag.SEQUENCE, 'SafeBag');
    const bag = sc.enter(bagTlv);
    const type = readOid(buf, bag.expect(Tag.OID, 'bagId'));
    const vc = bag.enter(bag.expect(0xa0, 'bagValue'));
    const value = vc.expect(Tag.SEQUENCE, 'bagValue');
    if (type === P12_OID.keyBag) out.keys.push(Buffer.from(encoded(buf, value)));
    else if (type === P12_OID.pkcs8ShroudedKeyBag) {
      const e = vc.enter(value);
      const alg = algorithm(buf, e.expect(Tag.SEQUENCE, 'encryptionAlgorithm'), e);
      const data = octetContent(buf, e.next(), e);
      out.keys.push(pbeDecrypt(alg, password, data));
    } else if (type === P12_OID.certBag) {
      const cb = vc.enter(value);
      const certType = readOid(buf, cb.expect(Tag.OID, 'certId'));
      const cv = cb.enter(cb.expect(0xa0, 'certValue'));
      if (certType === P12_OID.x509Certificate) out.certs.push(Buffer.from(octetContent(buf, cv.next(), cv)));
    }
    // other bags (CRL, secret, nested safeContents) are ignored
  }
}

/** Read a .pfx / .p12. */
export function importPkcs12(pfx: Uint8Array, password: string): Pkcs12Contents {
  if (pfx.length > MAX_PFX_SIZE) throw new PkiError('INPUT_TOO_LARGE', `PKCS#12 larger than ${MAX_PFX_SIZE} bytes`);
  let authSafe: Uint8Array;
  let mac: Pkcs12Contents['mac'] = null;
  try {
    const top = derCursor(pfx, BER);
    const pfxTlv = top.expect(Tag.SEQUENCE, 'PFX');
    top.done('PFX');
    const p = top.enter(pfxTlv);
    if (readSmallInt(pfx, p.expect(Tag.INTEGER, 'version')) !== 3) throw malformed('version must be 3');
    const { type, c, inner } = dataContent(pfx, p.expect(Tag.SEQUENCE, 'authSafe'), p);
    if (type !== P12_OID.data) throw new PkiError('UNSUPPORTED_ALGORITHM', 'PKCS#12: public-key integrity mode is not supported');
    authSafe = octetContent(pfx, inner, c);
    if (!p.atEnd()) {
      const md = p.enter(p.expect(Tag.SEQUENCE, 'MacData'));
      const di = md.enter(md.expect(Tag.SEQUENCE, 'DigestInfo'));
      const dAlg = algorithm(pfx, di.expect(Tag.SEQUENCE, 'digestAlgorithm'), di);
      const digestValue = bytes(pfx, di.expect(Tag.OCTET_STRING, 'digest'));
      const salt = bytes(pfx, md.expect(Tag.OCTET_STRING, 'macSalt'));
      const it = md.atEnd() ? 1 : iterationsOf(pfx, md.expect(Tag.INTEGER, 'iterations'));
      const digest = DIGEST_BY_OID[dAlg.oid];
      if (!digest) throw new PkiError('UNSUPPORTED_ALGORITHM', `PKCS#12: MAC digest ${dAlg.oid}`);
      const key = p12Kdf(digest, p12Password(password), salt, it, 3, createHash(digest).digest().length);
      const mine = createHmac(digest, key).update(authSafe).digest();
      if (mine.length !== digestValue.length || !timingSafeEqual(mine, digestValue)) throw wrongPassword();
      mac = { digest, iterations: it };
    }
  } catch (e) {
    throw e instanceof PkiError && e.code !== 'MALFORMED_DER' && e.code !== 'NESTING_TOO_DEEP' ? e : malformed(e instanceof Error ? e.message : String(e));
  }
  const out = { keys: [] as Buffer[], certs: [] as Buffer[] };
  try {
    const top = derCursor(authSafe, BER);
    const as = top.enter(top.expect(Tag.SEQUENCE, 'AuthenticatedSafe'));
    while (!as.atEnd()) {
      const { type, c, inner } = dataContent(authSafe, as.expect(Tag.SEQUENCE, 'ContentInfo'), as);
      if (type === P12_OID.data) safeContents(octetContent(authSafe, inner, c), password, out);
      else if (type === P12_OID.encryptedData) {
        const ed = c.enter(inner);
        readSmallInt(authSafe, ed.expect(Tag.INTEGER, 'EncryptedData version'));
        const eci = ed.enter(ed.expect(Tag.SEQUENCE, 'EncryptedContentInfo'));
        readOid(authSafe, eci.expect(Tag.OID, 'contentType'));
        const alg = algorithm(authSafe, eci.expect(Tag.SEQUENCE, 'contentEncryptionAlgorithm'), eci);
        safeContents(pbeDecrypt(alg, password, octetContent(authSafe, eci.next(), eci)), password, out);
      } else throw new PkiError('UNSUPPORTED_ALGORITHM', `PKCS#12: content type ${type}`);
    }
  } catch (e) {
    throw e instanceof PkiError && e.code !== 'MALFORMED_DER' && e.code !== 'NESTING_TOO_DEEP' ? e : malformed(e instanceof Error ? e.message : String(e));
  }
  if (out.keys.length !== 1) throw malformed(`${out.keys.length} private keys (exactly one expected)`);
  const pkcs8 = out.keys[0]!;
  let randomNum: Buffer | undefined;
  try {
    randomNum = parsePkcs8(pkcs8).randomNum;
    createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch {
    throw mac ? malformed('the private key is not a PKCS#8 key') : wrongPassword();
  }
  const res: Pkcs12Contents = { pkcs8, certificates: out.certs, mac };
  if (randomNum) res.randomNum = randomNum;
  return res;
}

// --- export ----------------------------------------------------------------------------

export interface Pkcs12ExportOptions {
  /** 'aes' (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC; the default) or '3des' (pbeWithSHAAnd3-KeyTripleDES-CBC, for old tools). */
  encryption?: 'aes' | '3des';
  /** MAC digest: 'sha256' (default) or 'sha1' (old tools). */
  mac?: 'sha256' | 'sha1';
  iterations?: number;
  /** Re-inject this R as the key's randomNum attribute (when an earlier export dropped it). */
  randomNum?: Uint8Array;
}

function pbeEncrypt(data: Buffer, password: string, o: Required<Pick<Pkcs12ExportOptions, 'encryption' | 'iterations'>>): { alg: Buffer; ct: Buffer } {
  const salt = randomBytes(16);
  if (o.encryption === '3des') {
    const pw = p12Password(password);
    const key = p12Kdf('sha1', pw, salt, o.iterations, 1, 24);
    const iv = p12Kdf('sha1', pw, salt, o.iterations, 2, 8);
    const c = createCipheriv('des-ede3-cbc', key, iv);
    return { alg: seq(oid(P12_OID.pbeSha3Des), seq(octets(salt), int(o.iterations))), ct: Buffer.concat([c.update(data), c.final()]) };
  }
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, o.iterations, 32, 'sha256');
  const c = createCipheriv('aes-256-cbc', key, iv);
  const alg = seq(
    oid(P12_OID.pbes2),
    seq(seq(oid(P12_OID.pbkdf2), seq(octets(salt), int(o.iterations), seq(oid('1.2.840.113549.2.9'), nul()))), seq(oid(P12_OID.aes256Cbc), octets(iv))),
  );
  return { alg, ct: Buffer.concat([c.update(data), c.final()]) };
}

/** Write a .pfx holding the key (PKCS#8, R kept or re-injected) and its certificates. */
export function exportPkcs12(pkcs8: Uint8Array, certificates: readonly Uint8Array[], password: string, opts: Pkcs12ExportOptions = {}): Buffer {
  const o = { encryption: opts.encryption ?? 'aes', iterations: opts.iterations ?? 2048 } as const;
  const key = opts.randomNum ? addRandomNum(pkcs8, opts.randomNum) : Buffer.from(pkcs8);
  const localKeyId = createHash('sha1').update(key).digest();
  const attrs = set(seq(oid(P12_OID.localKeyId), set(octets(localKeyId))));
  const shrouded = pbeEncrypt(key, password, o);
  const keyBag = seq(oid(P12_OID.pkcs8ShroudedKeyBag), explicit(0, seq(shrouded.alg, octets(shrouded.ct))), attrs);
  const certBags = certificates.map((der, i) =>
    seq(oid(P12_OID.certBag), explicit(0, seq(oid(P12_OID.x509Certificate), explicit(0, octets(der)))), ...(i === 0 ? [attrs] : [])),
  );
  const certSafe = pbeEncrypt(seq(...certBags), password, o);
  const encryptedCerts = seq(oid(P12_OID.encryptedData), explicit(0, seq(int(0), seq(oid(P12_OID.data), certSafe.alg, tlv(0x80, certSafe.ct)))));
  const keyData = seq(oid(P12_OID.data), explicit(0, octets(seq(keyBag))));
  const authSafe = seq(encryptedCerts, keyData);
  const macDigest = opts.mac ?? 'sha256';
  const macSalt = randomBytes(16);
  const macKey = p12Kdf(macDigest, p12Password(password), macSalt, o.iterations, 3, createHash(macDigest).digest().length);
  const mac = createHmac(macDigest, macKey).update(authSafe).digest();
  const digestOid = DIGEST_OID[macDigest];
  return seq(int(3), seq(oid(P12_OID.data), explicit(0, octets(authSafe))), seq(seq(seq(oid(digestOid), nul()), octets(mac)), octets(macSalt), int(o.iterations)));
}
