/**
 * PKCS#12 (.pfx / .p12) files as browsers and OpenSSL 3 export them: PBES2
 * (PBKDF2 with HMAC-SHA-1/256/384/512) and AES-CBC, decrypted with WebCrypto.
 * The legacy PKCS#12 PBEs (3DES, RC2) are not in WebCrypto and give
 * UNSUPPORTED_KEY. A wrong password fails decryption or parsing: WRONG_PASSWORD.
 * The file's MAC is not verified (the decryption and the key/certificate
 * match are what the password unlocks).
 */
import { bytes, derCursor, type DerCursor, type DerLimits, readOid, readSmallInt, Tag, type Tlv } from '../../pki/src/der';
import { buf, concatBytes, utf8 } from './bytes';
import { ClientError } from './errors';
import { importPkcs8 } from './keyfile';
import { type HashName, subtle } from './webcrypto';

const LIMITS: DerLimits = { maxDepth: 16, ber: true };
const MAX_PFX_SIZE = 256 * 1024;
const MAX_ITERATIONS = 1_000_000;

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
} as const;
const PRF: Record<string, HashName> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512',
};
const AES_CBC: Record<string, number> = { '2.16.840.1.101.3.4.1.2': 16, '2.16.840.1.101.3.4.1.22': 24, '2.16.840.1.101.3.4.1.42': 32 };

export interface PfxContents {
  /** The certificates (DER), in file order. */
  certificates: Uint8Array[];
  key: Awaited<ReturnType<typeof importPkcs8>> & { ok: true };
}

function malformed(message: string): ClientError {
  return new ClientError('MALFORMED_KEY_FILE', `not a PKCS#12 file we can read: ${message}`);
}

/** OCTET STRING content, primitive or (BER) constructed. */
function octets(buf: Uint8Array, t: Tlv, c: DerCursor): Uint8Array {
  if ((t.tag & 0x20) === 0) return bytes(buf, t);
  const inner = c.enter(t);
  const parts: Uint8Array[] = [];
  while (!inner.atEnd()) parts.push(bytes(buf, inner.expect(Tag.OCTET_STRING, 'OCTET STRING segment')));
  return concatBytes(...parts);
}

/** AlgorithmIdentifier PBES2 → decrypt `data` with the password. */
async function pbes2Decrypt(buf0: Uint8Array, alg: DerCursor, data: Uint8Array, password: Uint8Array): Promise<Uint8Array> {
  const oid = readOid(buf0, alg.expect(Tag.OID, 'algorithm'));
  if (oid !== OIDS.pbes2) throw new ClientError('UNSUPPORTED_KEY', `PKCS#12 encryption ${oid} is not in WebCrypto (only PBES2 with AES-CBC): re-export the file with AES`, { oid });
  const p = alg.enter(alg.expect(Tag.SEQUENCE, 'PBES2-params'));
  const kdf = p.enter(p.expect(Tag.SEQUENCE, 'keyDerivationFunc'));
  const enc = p.enter(p.expect(Tag.SEQUENCE, 'encryptionScheme'));
  if (readOid(buf0, kdf.expect(Tag.OID, 'kdf')) !== OIDS.pbkdf2) throw new ClientError('UNSUPPORTED_KEY', 'PBES2 without PBKDF2');
  const kp = kdf.enter(kdf.expect(Tag.SEQUENCE, 'PBKDF2-params'));
  const salt = bytes(buf0, kp.expect(Tag.OCTET_STRING, 'salt'));
  const iterations = readSmallInt(buf0, kp.expect(Tag.INTEGER, 'iterations'));
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw malformed(`iteration count ${iterations} outside 1..${MAX_ITERATIONS}`);
  if (kp.peekTag() === Tag.INTEGER) kp.next();
  let hash: HashName = 'SHA-1';
  const prf = kp.optional(Tag.SEQUENCE);
  if (prf) {
    const prfOid = readOid(buf0, kp.enter(prf).expect(Tag.OID, 'prf'));
    const h = PRF[prfOid];
    if (!h) throw new ClientError('UNSUPPORTED_KEY', `PBKDF2 PRF ${prfOid} is not in WebCrypto`);
    hash = h;
  }
  const encOid = readOid(buf0, enc.expect(Tag.OID, 'encryptionScheme'));
  const keyBytes = AES_CBC[encOid];
  if (keyBytes === undefined) throw new ClientError('UNSUPPORTED_KEY', `PKCS#12 cipher ${encOid} is not in WebCrypto (AES-CBC only)`, { oid: encOid });
  const iv = bytes(buf0, enc.expect(Tag.OCTET_STRING, 'IV'));
  const s = subtle();
  const base = await s.importKey('raw', buf(password), 'PBKDF2', false, ['deriveKey']);
  const key = await s.deriveKey({ name: 'PBKDF2', hash, salt: buf(salt), iterations }, base, { name: 'AES-CBC', length: keyBytes * 8 }, false, ['decrypt']);
  try {
    return new Uint8Array(await s.decrypt({ name: 'AES-CBC', iv: buf(iv) }, key, buf(data)));
  } catch {
    throw new ClientError('WRONG_PASSWORD', 'the password does not decrypt this PKCS#12 file', { check: 'padding' });
  }
}

/** Read the bags of a PFX: certificates and the one private key. */
export async function openPfx(file: Uint8Array, password: string): Promise<PfxContents> {
  if (file.length > MAX_PFX_SIZE) throw malformed(`${file.length} bytes; the limit is ${MAX_PFX_SIZE}`);
  const pw = utf8(password);
  const certificates: Uint8Array[] = [];
  const shrouded: Uint8Array[] = [];
  const plainKeys: Uint8Array[] = [];
  const bags = (sc: Uint8Array): void => {
    const top = derCursor(sc, LIMITS);
    const list = top.enter(top.expect(Tag.SEQUENCE, 'SafeContents'));
    while (!list.atEnd()) {
      const bag = list.enter(list.expect(Tag.SEQUENCE, 'SafeBag'));
      const id = readOid(sc, bag.expect(Tag.OID, 'bagId'));
      const value = bag.enter(bag.expect(0xa0, 'bagValue'));
      if (id === OIDS.certBag) {
        const cb = value.enter(value.expect(Tag.SEQUENCE, 'CertBag'));
        if (readOid(sc, cb.expect(Tag.OID, 'certId')) !== OIDS.x509Certificate) continue;
        const v = cb.enter(cb.expect(0xa0, 'certValue'));
        certificates.push(octets(sc, v.next(), v));
      } else if (id === OIDS.shroudedKeyBag) {
        const t = value.expect(Tag.SEQUENCE, 'EncryptedPrivateKeyInfo');
        shrouded.push(sc.subarray(t.start, t.end));
      } else if (id === OIDS.keyBag) {
        const t = value.expect(Tag.SEQUENCE, 'PrivateKeyInfo');
        plainKeys.push(sc.subarray(t.start, t.end));
      }
    }
  };
  try {
    const top = derCursor(file, LIMITS);
    const pfx = top.enter(top.expect(Tag.SEQUENCE, 'PFX'));
    if (readSmallInt(file, pfx.expect(Tag.INTEGER, 'version')) !== 3) throw malformed('version is not 3');
    const ci = pfx.enter(pfx.expect(Tag.SEQUENCE, 'authSafe'));
    if (readOid(file, ci.expect(Tag.OID, 'contentType')) !== OIDS.data) throw malformed('authSafe is not data (public-key integrity mode)');
    const wrap = ci.enter(ci.expect(0xa0, 'content'));
    const authSafe = octets(file, wrap.next(), wrap);
    const as = derCursor(authSafe, LIMITS);
    const safes = as.enter(as.expect(Tag.SEQUENCE, 'AuthenticatedSafe'));
    while (!safes.atEnd()) {
      const c = safes.enter(safes.expect(Tag.SEQUENCE, 'ContentInfo'));
      const type = readOid(authSafe, c.expect(Tag.OID, 'contentType'));
      const content = c.enter(c.expect(0xa0, 'content'));
      if (type === OIDS.data) bags(octets(authSafe, content.next(), content));
      else if (type === OIDS.encryptedData) {
        const ed = content.enter(content.expect(Tag.SEQUENCE, 'EncryptedData'));
        ed.expect(Tag.INTEGER, 'version');
        const eci = ed.enter(ed.expect(Tag.SEQUENCE, 'EncryptedContentInfo'));
        eci.expect(Tag.OID, 'contentType');
        const alg = eci.enter(eci.expect(Tag.SEQUENCE, 'contentEncryptionAlgorithm'));
        const t = eci.next();
        const data = octets(authSafe, t, eci); // [0] IMPLICIT OCTET STRING, primitive or constructed
        bags(await pbes2Decrypt(authSafe, alg, data, pw));
      }
    }
  } catch (e) {
    if (e instanceof ClientError) throw e;
    throw malformed((e as Error).message);
  }
  let plaintext = plainKeys[0];
  if (!plaintext && shrouded[0]) {
    const k = shrouded[0];
    const c = derCursor(k, LIMITS);
    const epki = c.enter(c.expect(Tag.SEQUENCE, 'EncryptedPrivateKeyInfo'));
    const alg = epki.enter(epki.expect(Tag.SEQUENCE, 'encryptionAlgorithm'));
    const data = bytes(k, epki.expect(Tag.OCTET_STRING, 'encryptedData'));
    plaintext = await pbes2Decrypt(k, alg, data, pw);
  }
  if (!plaintext) throw malformed('no private key in the file');
  const key = await importPkcs8(plaintext);
  if (!key.ok) throw new ClientError(key.check === 'not-rsa' ? 'UNSUPPORTED_KEY' : 'WRONG_PASSWORD', key.check === 'not-rsa' ? 'the PKCS#12 key is not RSA' : 'the password does not decrypt this PKCS#12 file', { check: key.check });
  if (certificates.length === 0) throw malformed('no certificate in the file');
  return { certificates, key };
}
