/**
 * parseCertificate: X.509 v1–v3 certificate DER → the Certificate model
 * (./types.ts), with one lean walk over the DER (no object tree, no copies: the
 * Uint8Array fields are views into the input).
 *
 * Errors (all PkiError):
 *   - INPUT_TOO_LARGE: more than `maxBytes` (default 1 MiB).
 *   - MALFORMED_CERTIFICATE: any structural failure. DER errors from the reader
 *     (MALFORMED_DER, NESTING_TOO_DEEP) are wrapped, keeping their message, with
 *     `details.cause` = the DER error's code and `details.offset`.
 *   - DUPLICATE_EXTENSION: one extension OID twice (`details.oid`).
 *   - MALFORMED_EXTENSION: a known extension that does not decode (`details.oid`).
 * Nothing else escapes: an unexpected exception is wrapped as MALFORMED_CERTIFICATE.
 *
 * Accepted though not strictly DER (seen in real CA output): version v1 encoded
 * explicitly, critical FALSE encoded, serials of up to 64 octets (RFC 5280 says
 * 20), negative or zero serials, an empty extensions SEQUENCE.
 */
import { hash } from 'node:crypto';
import { DEFAULT_MAX_INPUT, checkSize, decodePemAll, toDer } from '../der/encoding';
import { DerCursor, Tag, checkNesting, elementAt, malformed, readSingle, type Tlv, enterSingleSequence } from '../der/reader';
import { decodeOid, encoded, fnv1a, integerBytes, readBitString, readBooleanAt, readOid, readSmallInt, readTime, toHex } from '../der/values';
import { PkiError } from '../errors';
import { decodeExtensions } from './extensions';
import { namesEqual, readName } from './name';
import { OID, type AlgorithmIdentifier, type Certificate, type Extension, type PublicKeyType, type SubjectPublicKeyInfo } from './types';

export interface ParseCertificateOptions {
  /** Reject larger inputs with INPUT_TOO_LARGE. Default 1 MiB. */
  maxBytes?: number;
}

/** Largest serialNumber accepted, in octets (RFC 5280 says 20; some CAs use more). */
export const MAX_SERIAL_OCTETS = 64;

export function parseCertificate(der: Uint8Array, opts: ParseCertificateOptions = {}): Certificate {
  checkSize(der.length, opts.maxBytes ?? DEFAULT_MAX_INPUT, 'certificate');
  try {
    // fields are views of a plain Uint8Array: Buffer#subarray (a FastBuffer per field) is several times slower
    return walk(Buffer.isBuffer(der) ? new Uint8Array(der.buffer, der.byteOffset, der.byteLength) : der, der);
  } catch (e) {
    throw asCertificateError(e);
  }
}

function asCertificateError(e: unknown): PkiError {
  if (e instanceof PkiError) {
    if (e.code === 'MALFORMED_DER' || e.code === 'NESTING_TOO_DEEP') {
      return new PkiError('MALFORMED_CERTIFICATE', `certificate: ${e.message}`, { cause: e.code, ...e.details });
    }
    return e;
  }
  // defensive: the walk is written to throw only PkiErrors
  return new PkiError('MALFORMED_CERTIFICATE', `certificate: ${e instanceof Error ? e.message : String(e)}`);
}

function bad(message: string, offset?: number): PkiError {
  return new PkiError('MALFORMED_CERTIFICATE', message, offset === undefined ? undefined : { offset });
}

const KEY_TYPES: Readonly<Record<string, PublicKeyType>> = {
  [OID.rsaEncryption]: 'rsa',
  [OID.rsassaPss]: 'rsa-pss',
  [OID.ecPublicKey]: 'ec',
  [OID.ed25519]: 'ed25519',
  [OID.ed448]: 'ed448',
  [OID.dsa]: 'dsa',
};

function walk(buf: Uint8Array, der: Uint8Array): Certificate {
  const cert = enterSingleSequence(buf, 'Certificate');
  const tbsTlv = cert.expect(Tag.SEQUENCE, 'tbsCertificate');
  const signatureAlgorithm = algorithm(buf, cert.expect(Tag.SEQUENCE, 'signatureAlgorithm'), cert);
  const sigBits = readBitString(buf, cert.expect(Tag.BIT_STRING, 'signatureValue'));
  cert.done('Certificate');

  const tbs = cert.enter(tbsTlv);
  let version = 1;
  const vTlv = tbs.optional(0xa0);
  if (vTlv) {
    const vc = tbs.enter(vTlv);
    const v = readSmallInt(buf, vc.expect(Tag.INTEGER, 'version'));
    vc.done('version');
    if (v < 0 || v > 2) throw bad(`unknown certificate version ${v}`, vTlv.start);
    version = v + 1;
  }
  const serialTlv = tbs.expect(Tag.INTEGER, 'serialNumber');
  const serial = integerBytes(buf, serialTlv);
  if (serial.length > MAX_SERIAL_OCTETS) throw bad(`serialNumber of ${serial.length} octets (limit ${MAX_SERIAL_OCTETS})`, serialTlv.start);
  const tbsSignatureAlgorithm = algorithm(buf, tbs.expect(Tag.SEQUENCE, 'signature'), tbs);
  const issuer = readName(buf, tbs.expect(Tag.SEQUENCE, 'issuer'), tbs);
  const valTlv = tbs.expect(Tag.SEQUENCE, 'validity');
  const val = tbs.enter(valTlv);
  const notBefore = readTime(buf, val.next());
  const notAfter = readTime(buf, val.next());
  val.done('validity');
  const subject = readName(buf, tbs.expect(Tag.SEQUENCE, 'subject'), tbs);
  const spki = subjectPublicKeyInfo(buf, tbs.expect(Tag.SEQUENCE, 'subjectPublicKeyInfo'), tbs);

  let issuerUniqueId: Uint8Array | undefined;
  let subjectUniqueId: Uint8Array | undefined;
  const iu = tbs.optional(0x81);
  if (iu) issuerUniqueId = uniqueId(buf, iu);
  const su = tbs.optional(0x82);
  if (su) subjectUniqueId = uniqueId(buf, su);
  if ((iu || su) && version < 2) throw bad('unique identifiers in a v1 certificate', (iu ?? su)!.start);

  const extensions: Extension[] = [];
  const extTlv = tbs.optional(0xa3);
  if (extTlv) {
    if (version < 3) throw bad(`extensions in a v${version} certificate`, extTlv.start);
    const outer = tbs.enter(extTlv);
    const seqTlv = outer.expect(Tag.SEQUENCE, 'Extensions');
    outer.done('extensions');
    readExtensions(buf, seqTlv, outer, extensions);
  }
  tbs.done('tbsCertificate');

  const ext = decodeExtensions(extensions);
  // built in one shape (no `delete`, no data property turned accessor: either makes V8 keep the
  // object as a hash table, and every later `cert.field` read on a path a dictionary lookup)
  const certificate: Omit<Certificate, 'fingerprintSha256' | 'selfIssued'> = {
    der,
    tbsDer: encoded(buf, tbsTlv),
    version,
    serial,
    serialHex: toHex(serial),
    signatureAlgorithm,
    tbsSignatureAlgorithm,
    signature: sigBits.bytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    extensions,
    ext,
  };
  if (issuerUniqueId) certificate.issuerUniqueId = issuerUniqueId;
  if (subjectUniqueId) certificate.subjectUniqueId = subjectUniqueId;
  Object.defineProperty(certificate, 'fingerprintSha256', FINGERPRINT);
  Object.defineProperty(certificate, 'selfIssued', SELF_ISSUED);
  return certificate as Certificate;
}

/*
 * The two computed fields are enumerable own accessors, computed on first read
 * and kept. The getters are shared by every certificate (per-certificate
 * closures would give each its own hidden class), their results kept beside it.
 */
function computedOnce<T>(compute: (c: Certificate) => T): PropertyDescriptor {
  const values = new WeakMap<object, T>();
  return {
    enumerable: true,
    configurable: true,
    get(this: Certificate): T {
      let v = values.get(this);
      if (v === undefined) {
        v = compute(this);
        values.set(this, v);
      }
      return v;
    },
  };
}

/** SHA-256 of the DER, on first read (most parses never need it). */
const FINGERPRINT = computedOnce((c) => hash('sha256', c.der, 'hex'));

/** Issuer and subject compared (RFC 5280 §7.1) on first read: identical encodings need no decoding. */
const SELF_ISSUED = computedOnce((c) => namesEqual(c.issuer, c.subject));

/** Extensions checked for a repeated OID by a linear look before a Set is built. */
const LINEAR_REPEAT_CHECK = 16;

/**
 * Extensions ::= SEQUENCE OF Extension, shared by certificates, CRLs (list and
 * entries) and OCSP. A repeated OID is an error; `duplicate` builds it (the
 * caller's error code), DUPLICATE_EXTENSION by default.
 */
export function readExtensions(
  buf: Uint8Array,
  seqTlv: Tlv,
  parent: DerCursor,
  out: Extension[],
  duplicate: (oid: string, offset: number) => Error = (oid, offset) =>
    new PkiError('DUPLICATE_EXTENSION', `extension ${oid} appears twice`, { oid, offset }),
): void {
  // what parent.enter(seqTlv) and, per Extension, a cursor's expect/optional/done check, walked with
  // elementAt: no Tlv or cursor per element (DER limits, as every caller reads)
  if (!seqTlv.constructed) throw malformed('expected a constructed element', seqTlv.start);
  checkNesting(parent.depth + 1, parent.limits, seqTlv.start);
  const limits = parent.limits;
  const end = seqTlv.valueEnd;
  const r = { valueStart: 0, valueEnd: 0 };
  const first = out.length;
  // repeats: a look along the few read so far (most certificates have fewer than ten), a Set past that
  let seen: Set<string> | undefined;
  for (let pos = seqTlv.valueStart; pos < end; ) {
    const eStart = pos;
    pos = elementAt(buf, pos, end, Tag.SEQUENCE, 'Extension', limits, r);
    checkNesting(parent.depth + 2, limits, eStart);
    const eEnd = r.valueEnd;
    let q = elementAt(buf, r.valueStart, eEnd, Tag.OID, 'extnID', limits, r);
    const oid = decodeOid(buf, r.valueStart, r.valueEnd);
    let critical = false;
    if (q < eEnd && buf[q] === Tag.BOOLEAN) {
      const critStart = q;
      q = elementAt(buf, q, eEnd, -1, 'critical', limits, r);
      critical = readBooleanAt(buf, critStart, r.valueStart, r.valueEnd);
    }
    q = elementAt(buf, q, eEnd, Tag.OCTET_STRING, 'extnValue', limits, r);
    const value = buf.subarray(r.valueStart, r.valueEnd);
    if (q !== eEnd) throw malformed(`Extension: ${eEnd - q} unexpected trailing bytes`, q);
    if (out.length - first < LINEAR_REPEAT_CHECK) {
      for (let i = first; i < out.length; i++) if (out[i]!.oid === oid) throw duplicate(oid, eStart);
    } else {
      if (!seen) {
        seen = new Set<string>();
        for (let i = first; i < out.length; i++) seen.add(out[i]!.oid);
      }
      if (seen.has(oid)) throw duplicate(oid, eStart);
      seen.add(oid);
    }
    out.push({ oid, critical, value });
  }
}

/**
 * AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }.
 *
 * The few short encodings every certificate and CMS message repeats
 * (sha256WithRSAEncryption + NULL, rsaEncryption + NULL, sha256, a named EC
 * curve) are read once: a DER encoding of at most INTERN_MAX_BYTES that parsed
 * is kept, frozen, with copies of its bytes, and the same bytes met again (at
 * a depth the limits allow) return that object. Equal bytes parse to equal
 * values; the objects are shared, so read-only, like cached certificates.
 */
export function algorithm(buf: Uint8Array, tlv: Tlv, parent: DerCursor): AlgorithmIdentifier {
  const len = tlv.end - tlv.start;
  let h = 0;
  if (len <= INTERN_MAX_BYTES) {
    h = fnv1a(buf, tlv.start, tlv.end);
    const hit = interned.get(h);
    if (hit !== undefined && parent.depth + 1 <= parent.limits.maxDepth && sameRange(hit.der, buf, tlv.start, tlv.end)) return hit;
  }
  const out = readAlgorithm(buf, tlv, parent);
  return (len <= INTERN_MAX_BYTES && interned.size < INTERN_MAX && !interned.has(h) && intern(h, out.der)) || out;
}

function readAlgorithm(buf: Uint8Array, tlv: Tlv, parent: DerCursor): AlgorithmIdentifier {
  const c = parent.enter(tlv);
  const oid = readOid(buf, c.expect(Tag.OID, 'algorithm'));
  const out: AlgorithmIdentifier = { oid, der: encoded(buf, tlv) };
  if (!c.atEnd()) out.params = encoded(buf, c.next());
  c.done('AlgorithmIdentifier');
  return out;
}

const INTERN_MAX_BYTES = 32;
const INTERN_MAX = 256;
/** Interned AlgorithmIdentifiers by an FNV-1a hash of their DER; a hit counts only when the bytes are equal. */
const interned = new Map<number, AlgorithmIdentifier>();

/** Keep (and return) a private, strictly DER-checked copy; none when DER refuses it (a BER reader accepted it). */
function intern(h: number, der: Uint8Array): AlgorithmIdentifier | undefined {
  const copy = new Uint8Array(der);
  let alg: AlgorithmIdentifier;
  try {
    const root = new DerCursor(copy);
    alg = readAlgorithm(copy, root.expect(Tag.SEQUENCE, 'AlgorithmIdentifier'), root);
    root.done('AlgorithmIdentifier');
  } catch {
    return undefined;
  }
  const frozen = Object.freeze(alg);
  interned.set(h, frozen);
  return frozen;
}

function sameRange(a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

function subjectPublicKeyInfo(buf: Uint8Array, tlv: Tlv, parent: DerCursor): SubjectPublicKeyInfo {
  const c = parent.enter(tlv);
  const alg = algorithm(buf, c.expect(Tag.SEQUENCE, 'SubjectPublicKeyInfo.algorithm'), c);
  const key = readBitString(buf, c.expect(Tag.BIT_STRING, 'subjectPublicKey'));
  c.done('SubjectPublicKeyInfo');
  const keyType = KEY_TYPES[alg.oid] ?? 'unknown';
  const out: SubjectPublicKeyInfo = { der: encoded(buf, tlv), algorithm: alg, publicKey: key.bytes, keyType };
  if (keyType === 'rsa' || keyType === 'rsa-pss') {
    if (key.unusedBits !== 0) throw bad('RSA public key BIT STRING has unused bits', tlv.start);
    const rsa = rsaPublicKeySizes(key.bytes);
    out.rsaBits = rsa.modulusBits;
    out.rsaExponentBits = rsa.exponentBits;
    if (rsa.exponent !== undefined) out.rsaExponent = rsa.exponent;
  } else if (keyType === 'ec' && alg.params && alg.params[0] === Tag.OID) {
    // namedCurve; explicit parameters (a SEQUENCE) or implicitCA (NULL) leave `curve` undefined
    const p = alg.params;
    const pt = readSingle(p, 'EC parameters');
    out.curve = readOid(p, pt);
  }
  return out;
}

/** Bit length of a non-negative big-endian integer (0 for zero). */
function unsignedBits(v: Uint8Array): number {
  let i = 0;
  while (i < v.length && v[i] === 0) i++;
  return i === v.length ? 0 : (v.length - i - 1) * 8 + (32 - Math.clz32(v[i]!));
}

/**
 * Sizes of a PKCS#1 RSAPublicKey: modulus bits, public exponent bits, and the
 * exponent itself when it fits in 32 bits (what key-size policies look at
 * before any signature math: crypto/signature.ts).
 */
export function rsaPublicKeySizes(rsaPublicKey: Uint8Array): { modulusBits: number; exponentBits: number; exponent?: number } {
  const root = new DerCursor(rsaPublicKey);
  const seq = root.expect(Tag.SEQUENCE, 'RSAPublicKey');
  root.done('RSAPublicKey');
  const c = root.enter(seq);
  const n = integerBytes(rsaPublicKey, c.expect(Tag.INTEGER, 'modulus'));
  const e = integerBytes(rsaPublicKey, c.expect(Tag.INTEGER, 'publicExponent'));
  c.done('RSAPublicKey');
  if ((n[0]! & 0x80) !== 0) throw malformed('negative RSA modulus');
  const modulusBits = unsignedBits(n);
  if (modulusBits === 0) throw malformed('zero RSA modulus');
  if ((e[0]! & 0x80) !== 0) throw malformed('negative RSA public exponent');
  const exponentBits = unsignedBits(e);
  let exponent: number | undefined;
  if (exponentBits <= 32) {
    exponent = 0;
    for (const b of e) exponent = exponent * 256 + b;
  }
  return exponent === undefined ? { modulusBits, exponentBits } : { modulusBits, exponentBits, exponent };
}

/** Bit length of the modulus of a PKCS#1 RSAPublicKey. */
export function rsaModulusBits(rsaPublicKey: Uint8Array): number {
  return rsaPublicKeySizes(rsaPublicKey).modulusBits;
}

function uniqueId(buf: Uint8Array, tlv: Tlv): Uint8Array {
  if (tlv.constructed) throw bad('unique identifier: constructed encoding', tlv.start);
  return readBitString(buf, { ...tlv, tag: Tag.BIT_STRING }).bytes;
}

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

/**
 * Certificates from an upload or a file: a PEM bundle (CERTIFICATE blocks;
 * other blocks such as keys are skipped, text around blocks ignored), a single
 * DER certificate, or base64 of one. At least one certificate or a PkiError.
 */
export function parseCertificates(input: Uint8Array | string, opts: ParseCertificateOptions = {}): Certificate[] {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_INPUT;
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (input.length > 0 && input[0] !== Tag.SEQUENCE) {
    const s = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
    if (s.includes('-----BEGIN')) text = s;
  }
  if (text !== undefined && text.includes('-----BEGIN')) {
    const blocks = decodePemAll(text, maxBytes * 8).filter((b) => CERT_LABELS.has(b.label));
    if (blocks.length === 0) throw new PkiError('MALFORMED_PEM', 'no CERTIFICATE block in the PEM input');
    return blocks.map((b) => parseCertificate(b.der, { maxBytes }));
  }
  return [parseCertificate(toDer(input, undefined, maxBytes), { maxBytes })];
}
