/**
 * parseSignedData: CMS (RFC 5652 §5) / PKCS#7 v1.5 (RFC 2315) SignedData →
 * plain data, with one lean walk over the encoding. The reader runs in BER
 * mode (indefinite lengths, non-minimal lengths, constructed OCTET STRINGs):
 * clients and `openssl cms -sign -stream` produce BER. Byte fields are views
 * into the input, except eContent sent as a constructed OCTET STRING, which is
 * reassembled into a fresh buffer.
 *
 * Accepted shapes:
 *   - ContentInfo { id-signedData, [0] EXPLICIT SignedData } (the standard);
 *   - a bare SignedData SEQUENCE (some clients omit the wrapper). The two are
 *     told apart by the first element (OID vs INTEGER), so accepting both is
 *     unambiguous; the wrapper carries nothing that is signed. Refuse bare
 *     SignedData with `limits.allowBareSignedData = false`. `wrapped` records
 *     which shape arrived.
 *
 * Checked here (structure, RFC 5652 §5 and §11):
 *   - versions: SignedData 0..5, SignerInfo 0, 1 or 3 (0: a KOSCOM toolkit; the sid choice is not
 *     required to match the version: old clients get that wrong, and it is not
 *     security-relevant);
 *   - eContent, when present, is an OCTET STRING (primitive or constructed).
 *     PKCS#7 content of a non-data type that is not an OCTET STRING is refused;
 *   - signedAttrs: at least one attribute, every attribute with ≥ 1 value, at
 *     most one contentType / messageDigest / signingTime attribute, each with
 *     exactly one value of the right type; signedAttrs must be DER (its DER is
 *     what was signed, §5.4), checked by re-reading it in strict DER mode;
 *   - counts limited (certificates, CRLs, signers, attributes, digest
 *     algorithms), input size and nesting depth limited.
 * Not checked here (verify.ts decides): algorithms, whether the signer's
 * digestAlgorithm appears in digestAlgorithms (verifiers commonly ignore that
 * set, so do we), certificate contents (kept raw; parsed on demand).
 *
 * Errors: PkiError INPUT_TOO_LARGE, or MALFORMED_CMS for anything else (DER
 * reader errors are wrapped keeping `details.cause` and `details.offset`).
 */
// direct module imports: the compiled barrel re-exports are getters, measurable on this hot path
import { checkSize } from '../der/encoding';
import { DerCursor, Tag, checkElements, readTlv, type DerLimits, type Tlv } from '../der/reader';
import { bytes, encoded, integerBytes, readOid, readSmallInt, readTime } from '../der/values';
import { algorithm } from '../cert/parse';
import type { AlgorithmIdentifier } from '../cert/types';
import { PkiError } from '../errors';

export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

export interface CmsLimits {
  /** Largest accepted input in bytes. Default 1 MiB. */
  maxBytes: number;
  /** Deepest nesting of constructed elements. Default 32. */
  maxDepth: number;
  /** Entries in `certificates`. Default 32. */
  maxCertificates: number;
  /** Entries in `crls`. Default 16. */
  maxCrls: number;
  /** SignerInfos. Default 8. */
  maxSignerInfos: number;
  /** Attributes in one signedAttrs / unsignedAttrs, and values in one attribute. Default 32. */
  maxAttributes: number;
  /** Entries in digestAlgorithms. Default 8. */
  maxDigestAlgorithms: number;
  /** Accept a SignedData without its ContentInfo wrapper. Default true. */
  allowBareSignedData: boolean;
}

export const DEFAULT_CMS_LIMITS: Readonly<CmsLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxCertificates: 32,
  maxCrls: 16,
  maxSignerInfos: 8,
  maxAttributes: 32,
  maxDigestAlgorithms: 8,
  allowBareSignedData: true,
});

/** SignerIdentifier (RFC 5652 §5.3). */
export type SignerIdentifier =
  | {
      type: 'issuerAndSerialNumber';
      /** DER of the issuer Name (compare with `Name.key` after decoding, not by bytes alone). */
      issuer: Uint8Array;
      /** serialNumber content octets, two's complement, as encoded. */
      serial: Uint8Array;
    }
  | { type: 'subjectKeyIdentifier'; keyIdentifier: Uint8Array };

export interface CmsAttribute {
  type: string;
  /** DER of each value in the attrValues SET. */
  values: Uint8Array[];
  /** DER of the whole Attribute. */
  der: Uint8Array;
}

export interface SignedAttributes {
  /**
   * What the signature covers: the DER of the signedAttrs with the SET OF tag
   * 0x31 in place of the [0] IMPLICIT tag (RFC 5652 §5.4). A fresh copy.
   */
  signedBytes: Uint8Array;
  /** DER of the [0] element as it arrived. */
  der: Uint8Array;
  attributes: CmsAttribute[];
  /** contentType attribute value (an OID), when present. */
  contentType?: string;
  /** messageDigest attribute value (OCTET STRING contents), when present. */
  messageDigest?: Uint8Array;
  /** signingTime attribute value, epoch milliseconds (UTCTime or GeneralizedTime). */
  signingTime?: number;
}

export interface SignerInfo {
  version: number;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmIdentifier;
  signedAttrs?: SignedAttributes;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  unsignedAttrs?: CmsAttribute[];
  /** DER (or BER) of the whole SignerInfo. */
  der: Uint8Array;
}

export interface SignedData {
  /** True when the input was a ContentInfo, false for a bare SignedData. */
  wrapped: boolean;
  version: number;
  digestAlgorithms: AlgorithmIdentifier[];
  eContentType: string;
  /** The encapsulated content, or undefined when detached. */
  eContent?: Uint8Array;
  /** Raw encoding of each `certificate` (SEQUENCE) entry of `certificates`. */
  certificates: Uint8Array[];
  /** Raw encoding of other CertificateChoices (extended, attribute, other certificates): recorded, not used. */
  otherCertificates: Uint8Array[];
  /** Raw encoding of each RevocationInfoChoice in `crls`. */
  crls: Uint8Array[];
  signerInfos: SignerInfo[];
}

/** Parse a ContentInfo(SignedData) or a bare SignedData. Throws PkiError (see the module comment). */
export function parseSignedData(input: Uint8Array, limits?: Partial<CmsLimits>): SignedData {
  const lim: Readonly<CmsLimits> = limits === undefined ? DEFAULT_CMS_LIMITS : { ...DEFAULT_CMS_LIMITS, ...limits };
  checkSize(input.length, lim.maxBytes, 'CMS message');
  // walk a plain Uint8Array view: Buffer#subarray (a FastBuffer per field) is several times slower
  const buf = Buffer.isBuffer(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
  try {
    return walk(buf, lim);
  } catch (e) {
    throw asCmsError(e);
  }
}

function asCmsError(e: unknown): PkiError {
  if (e instanceof PkiError) {
    if (e.code === 'MALFORMED_CMS' || e.code === 'INPUT_TOO_LARGE') return e;
    return new PkiError('MALFORMED_CMS', `CMS: ${e.message}`, { ...e.details, cause: e.code });
  }
  // defensive: the walk throws only PkiErrors
  return new PkiError('MALFORMED_CMS', `CMS: ${e instanceof Error ? e.message : String(e)}`);
}

function bad(message: string, offset?: number): PkiError {
  return new PkiError('MALFORMED_CMS', message, offset === undefined ? undefined : { offset });
}

/** The reader's limits for the default maxDepth, shared (a per-message object otherwise). */
const DEFAULT_BER_LIMITS: Readonly<DerLimits> = Object.freeze({ maxDepth: DEFAULT_CMS_LIMITS.maxDepth, ber: true });

function walk(buf: Uint8Array, lim: Readonly<CmsLimits>): SignedData {
  const derLimits: DerLimits = lim.maxDepth === DEFAULT_BER_LIMITS.maxDepth ? DEFAULT_BER_LIMITS : { maxDepth: lim.maxDepth, ber: true };
  if (buf.length === 0) throw bad('CMS: empty input');
  const top = new DerCursor(buf, 0, buf.length, 0, derLimits);
  const outerTlv = top.expect(Tag.SEQUENCE, 'ContentInfo');
  top.done('CMS message');
  const outer = top.enter(outerTlv);
  let wrapped: boolean;
  let sdTlv: Tlv;
  let sdParent: DerCursor;
  if (outer.peekTag() === Tag.OID) {
    wrapped = true;
    const ct = readOid(buf, outer.next());
    if (ct !== CMS_OID.signedData) throw bad(`ContentInfo contentType ${ct} is not id-signedData`, outerTlv.start);
    const explicit = outer.expect(0xa0, 'ContentInfo content [0]');
    outer.done('ContentInfo');
    const inner = outer.enter(explicit);
    sdTlv = inner.expect(Tag.SEQUENCE, 'SignedData');
    inner.done('ContentInfo content [0]');
    sdParent = inner;
  } else if (outer.peekTag() === Tag.INTEGER) {
    if (!lim.allowBareSignedData) throw bad('a bare SignedData without ContentInfo is not accepted', 0);
    wrapped = false;
    sdTlv = outerTlv;
    sdParent = top;
  } else {
    throw bad('neither a ContentInfo nor a SignedData', 0);
  }

  const sd = sdParent.enter(sdTlv);
  const version = readSmallInt(buf, sd.expect(Tag.INTEGER, 'SignedData version'));
  if (version < 0 || version > 5) throw bad(`SignedData version ${version}`, sdTlv.start);

  const digestAlgorithms: AlgorithmIdentifier[] = [];
  const daTlv = sd.expect(Tag.SET, 'digestAlgorithms');
  const da = sd.enter(daTlv);
  while (!da.atEnd()) {
    if (digestAlgorithms.length >= lim.maxDigestAlgorithms) throw bad(`more than ${lim.maxDigestAlgorithms} digestAlgorithms`, daTlv.start);
    digestAlgorithms.push(algorithm(buf, da.expect(Tag.SEQUENCE, 'DigestAlgorithmIdentifier'), da));
  }

  const eciTlv = sd.expect(Tag.SEQUENCE, 'encapContentInfo');
  const eci = sd.enter(eciTlv);
  const eContentType = readOid(buf, eci.expect(Tag.OID, 'eContentType'));
  let eContent: Uint8Array | undefined;
  const ecTlv = eci.optional(0xa0);
  if (ecTlv) {
    const ec = eci.enter(ecTlv);
    const osTlv = ec.next();
    ec.done('eContent [0]');
    if (osTlv.tag === Tag.OCTET_STRING) eContent = bytes(buf, osTlv);
    else if (osTlv.tag === (Tag.OCTET_STRING | 0x20)) eContent = reassemble(buf, osTlv, ec);
    else throw bad(`eContent is not an OCTET STRING (tag 0x${osTlv.tag.toString(16)}; PKCS#7 non-data content is not supported)`, osTlv.start);
  }
  eci.done('encapContentInfo');

  const certificates: Uint8Array[] = [];
  const otherCertificates: Uint8Array[] = [];
  const certsTlv = sd.optional(0xa0);
  if (certsTlv) {
    const cs = sd.enter(certsTlv);
    while (!cs.atEnd()) {
      if (certificates.length + otherCertificates.length >= lim.maxCertificates) throw bad(`more than ${lim.maxCertificates} certificates`, certsTlv.start);
      const t = cs.next();
      if (t.tag === Tag.SEQUENCE) certificates.push(encoded(buf, t));
      else if (t.tag === 0xa0 || t.tag === 0xa1 || t.tag === 0xa2 || t.tag === 0xa3) otherCertificates.push(encoded(buf, t));
      else throw bad(`unknown CertificateChoices tag 0x${t.tag.toString(16)}`, t.start);
    }
  }

  const crls: Uint8Array[] = [];
  const crlsTlv = sd.optional(0xa1);
  if (crlsTlv) {
    const cs = sd.enter(crlsTlv);
    while (!cs.atEnd()) {
      if (crls.length >= lim.maxCrls) throw bad(`more than ${lim.maxCrls} crls`, crlsTlv.start);
      const t = cs.next();
      if (t.tag !== Tag.SEQUENCE && t.tag !== 0xa1) throw bad(`unknown RevocationInfoChoice tag 0x${t.tag.toString(16)}`, t.start);
      crls.push(encoded(buf, t));
    }
  }

  const siSetTlv = sd.expect(Tag.SET, 'signerInfos');
  const siSet = sd.enter(siSetTlv);
  const signerInfos: SignerInfo[] = [];
  while (!siSet.atEnd()) {
    if (signerInfos.length >= lim.maxSignerInfos) throw bad(`more than ${lim.maxSignerInfos} signerInfos`, siSetTlv.start);
    signerInfos.push(signerInfo(buf, siSet.expect(Tag.SEQUENCE, 'SignerInfo'), siSet, lim));
  }
  sd.done('SignedData');

  const out: SignedData = { wrapped, version, digestAlgorithms, eContentType, certificates, otherCertificates, crls, signerInfos };
  if (eContent) out.eContent = eContent;
  return out;
}

/** Concatenate the chunks of a constructed OCTET STRING (BER), recursively. */
function reassemble(buf: Uint8Array, tlv: Tlv, parent: DerCursor): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const collect = (t: Tlv, p: DerCursor): void => {
    const c = p.enter(t);
    while (!c.atEnd()) {
      const chunk = c.next();
      if (chunk.tag === Tag.OCTET_STRING) {
        const b = bytes(buf, chunk);
        parts.push(b);
        total += b.length;
      } else if (chunk.tag === (Tag.OCTET_STRING | 0x20)) {
        collect(chunk, c);
      } else {
        throw bad(`constructed OCTET STRING holds tag 0x${chunk.tag.toString(16)}`, chunk.start);
      }
    }
  };
  collect(tlv, parent);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function signerInfo(buf: Uint8Array, tlv: Tlv, parent: DerCursor, lim: Readonly<CmsLimits>): SignerInfo {
  const c = parent.enter(tlv);
  const version = readSmallInt(buf, c.expect(Tag.INTEGER, 'SignerInfo version'));
  if (version !== 0 && version !== 1 && version !== 3) throw bad(`SignerInfo version ${version}`, tlv.start);

  let sid: SignerIdentifier;
  const sidTag = c.peekTag();
  if (sidTag === Tag.SEQUENCE) {
    const iasTlv = c.next();
    const ias = c.enter(iasTlv);
    const issuer = encoded(buf, ias.expect(Tag.SEQUENCE, 'issuer'));
    const serial = integerBytes(buf, ias.expect(Tag.INTEGER, 'serialNumber'));
    ias.done('IssuerAndSerialNumber');
    sid = { type: 'issuerAndSerialNumber', issuer, serial };
  } else if (sidTag === 0x80) {
    const t = c.next();
    const keyIdentifier = bytes(buf, t);
    if (keyIdentifier.length === 0) throw bad('empty subjectKeyIdentifier', t.start);
    sid = { type: 'subjectKeyIdentifier', keyIdentifier };
  } else if (sidTag === 0xa0) {
    // BER: a constructed [0] (chunked OCTET STRING) — legal but unseen; keep it simple
    const t = c.next();
    sid = { type: 'subjectKeyIdentifier', keyIdentifier: reassemble(buf, t, c) };
    if (sid.keyIdentifier.length === 0) throw bad('empty subjectKeyIdentifier', t.start);
  } else {
    throw bad(`SignerIdentifier: unexpected tag 0x${sidTag.toString(16)}`, c.pos);
  }

  const digestAlgorithm = algorithm(buf, c.expect(Tag.SEQUENCE, 'digestAlgorithm'), c);
  let signedAttrs: SignedAttributes | undefined;
  const saTlv = c.optional(0xa0);
  if (saTlv) signedAttrs = signedAttributes(buf, saTlv, c, lim);
  const signatureAlgorithm = algorithm(buf, c.expect(Tag.SEQUENCE, 'signatureAlgorithm'), c);
  const sigTlv = c.next();
  let signature: Uint8Array;
  if (sigTlv.tag === Tag.OCTET_STRING) signature = bytes(buf, sigTlv);
  else if (sigTlv.tag === (Tag.OCTET_STRING | 0x20)) signature = reassemble(buf, sigTlv, c);
  else throw bad('signature: expected OCTET STRING', sigTlv.start);
  if (signature.length === 0) throw bad('empty signature', sigTlv.start);
  let unsignedAttrs: CmsAttribute[] | undefined;
  const uaTlv = c.optional(0xa1);
  if (uaTlv) unsignedAttrs = attributes(buf, uaTlv, c, lim);
  c.done('SignerInfo');

  const out: SignerInfo = { version, sid, digestAlgorithm, signatureAlgorithm, signature, der: encoded(buf, tlv) };
  if (signedAttrs) out.signedAttrs = signedAttrs;
  if (unsignedAttrs) out.unsignedAttrs = unsignedAttrs;
  return out;
}

function attributes(buf: Uint8Array, tlv: Tlv, parent: DerCursor, lim: Readonly<CmsLimits>): CmsAttribute[] {
  const c = parent.enter(tlv);
  const out: CmsAttribute[] = [];
  while (!c.atEnd()) {
    if (out.length >= lim.maxAttributes) throw bad(`more than ${lim.maxAttributes} attributes`, tlv.start);
    const aTlv = c.expect(Tag.SEQUENCE, 'Attribute');
    const a = c.enter(aTlv);
    const type = readOid(buf, a.expect(Tag.OID, 'attrType'));
    const vsTlv = a.expect(Tag.SET, 'attrValues');
    a.done('Attribute');
    const vs = a.enter(vsTlv);
    const values: Uint8Array[] = [];
    while (!vs.atEnd()) {
      if (values.length >= lim.maxAttributes) throw bad(`attribute ${type}: more than ${lim.maxAttributes} values`, vsTlv.start);
      values.push(encoded(buf, vs.next()));
    }
    if (values.length === 0) throw bad(`attribute ${type} has no value`, aTlv.start);
    out.push({ type, values, der: encoded(buf, aTlv) });
  }
  return out;
}

function signedAttributes(buf: Uint8Array, tlv: Tlv, parent: DerCursor, lim: Readonly<CmsLimits>): SignedAttributes {
  if (tlv.indefinite) throw bad('signedAttrs must be DER (indefinite length found)', tlv.start);
  const der = encoded(buf, tlv);
  assertDer(der, lim.maxDepth);
  const attrs = attributes(buf, tlv, parent, lim);
  if (attrs.length === 0) throw bad('empty signedAttrs', tlv.start);
  // a copy from Node's buffer pool (Uint8Array#slice allocates an ArrayBuffer of its own)
  const signedBytes = Buffer.allocUnsafe(der.length);
  signedBytes.set(der);
  signedBytes[0] = Tag.SET;
  const out: SignedAttributes = { signedBytes, der, attributes: attrs };
  for (const a of attrs) {
    switch (a.type) {
      case CMS_OID.contentType:
        if (out.contentType !== undefined) throw bad('two contentType attributes', tlv.start);
        out.contentType = readOid(a.values[0]!, single(a, Tag.OID));
        break;
      case CMS_OID.messageDigest: {
        if (out.messageDigest !== undefined) throw bad('two messageDigest attributes', tlv.start);
        out.messageDigest = bytes(a.values[0]!, single(a, Tag.OCTET_STRING));
        break;
      }
      case CMS_OID.signingTime: {
        if (out.signingTime !== undefined) throw bad('two signingTime attributes', tlv.start);
        const v = a.values[0]!;
        const t = single(a, v[0] === Tag.GENERALIZED_TIME ? Tag.GENERALIZED_TIME : Tag.UTC_TIME);
        out.signingTime = readTime(v, t);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The one value of a single-valued attribute, as a TLV over `a.values[0]`, with the required tag. */
function single(a: CmsAttribute, tag: number): Tlv {
  if (a.values.length !== 1) throw bad(`attribute ${a.type} must have exactly one value`);
  const v = a.values[0]!;
  const t = readTlv(v, 0, v.length, 0, STRICT);
  if (t.tag !== tag || t.end !== v.length) throw bad(`attribute ${a.type}: value of the wrong type`);
  return t;
}

/** Walk an element and everything inside it with the strict DER reader. */
function assertDer(der: Uint8Array, maxDepth: number): void {
  try {
    checkElements(der, 0, der.length, 0, maxDepth === STRICT.maxDepth ? STRICT : { maxDepth, ber: false });
  } catch (e) {
    if (e instanceof PkiError) throw bad(`signedAttrs must be DER: ${e.message}`);
    throw e;
  }
}

const STRICT: Readonly<DerLimits> = Object.freeze({ maxDepth: DEFAULT_CMS_LIMITS.maxDepth, ber: false });
