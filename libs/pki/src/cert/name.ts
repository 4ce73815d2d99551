/**
 * X.501 Names: decoding, the RFC 5280 §7.1 comparison key and an RFC 4514-style
 * text form.
 *
 * Comparison key (`Name.key`), a simplification of RFC 4518 string prep:
 *   - string values (PrintableString, UTF8String, BMPString, TeletexString,
 *     UniversalString, IA5String, VisibleString, NumericString) are compared as
 *     text whatever their string type: Unicode NFKC, `toLowerCase()` (not the
 *     full RFC 4518 case-fold table), leading/trailing whitespace trimmed and
 *     internal whitespace runs collapsed to one space.
 *     Skipped from RFC 4518: the "map to nothing" table (soft hyphen, zero-width
 *     characters, ...), prohibited-character and bidi checks, the special
 *     insignificant-space rules of numericString/telephoneNumber, and
 *     TeletexString's T.61 repertoire (decoded as Latin-1).
 *   - other values (and string values whose octets do not decode) by their DER.
 *   - a multi-valued RDN as a set: its attribute keys are sorted.
 * Each attribute key is `<oid>=s<escaped text>` or `<oid>=x<hex DER>`; `\`, `+`
 * and `,` are escaped inside the text, so attribute and RDN separators cannot
 * appear inside a value and different names never share a key.
 *
 * Decoding failures are MALFORMED_DER (the certificate parser wraps them).
 * readName checks the structure at once and decodes values, key and text on
 * first read; namesEqual settles identical encodings and different RDN counts
 * without decoding.
 */
import { DEFAULT_LIMITS, DerCursor, Tag, checkNesting, elementAt, malformed, readSingle, type DerLimits, type Tlv } from '../der/reader';
import { decodeOid, encoded, readOid, readString, toHex } from '../der/values';
import { OID, type Name, type RelativeDistinguishedName } from './types';

const STRING_TAGS = new Set<number>([
  Tag.PRINTABLE_STRING,
  Tag.UTF8_STRING,
  Tag.BMP_STRING,
  Tag.TELETEX_STRING,
  Tag.UNIVERSAL_STRING,
  Tag.IA5_STRING,
  Tag.VISIBLE_STRING,
  Tag.NUMERIC_STRING,
]);

/** Short names used in `Name.text`; other attribute types appear as their dotted OID. */
export const NAME_SHORT: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.serialNumber]: 'SERIALNUMBER',
  [OID.emailAddress]: 'E',
  [OID.domainComponent]: 'DC',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** Is this identifier octet one of the string types compared as text? */
export function isStringTag(tag: number): boolean {
  return STRING_TAGS.has(tag);
}

/**
 * A Name (RDNSequence) from its element in `buf`. The structure is checked
 * now (every error readName can raise is raised here); the values, the
 * comparison key and the text are decoded on first read, from the Name's own
 * DER (a view into `buf`: callers keep `buf` unchanged, as for every other
 * parsed field). Most certificates parsed on a hot path (a CMS signer, a
 * cached intermediate) are matched by bytes and never need their names decoded.
 */
export function readName(buf: Uint8Array, tlv: Tlv, parent?: DerCursor): Name {
  const limits = parent?.limits ?? DEFAULT_LIMITS;
  const count = limits.ber ? walkName(buf, tlv, parent, false).count : countRdns(buf, tlv, parent?.depth ?? 0, limits);
  return new LazyName(encoded(buf, tlv), count);
}

/**
 * walkName's structure check (`decode` false) under DER limits, with no Tlv or
 * cursor per element (a certificate's two Names made a fifth of its parse
 * garbage): the same checks in the same order, the same errors. `depth` is
 * the depth of the cursor the Name is read from. Returns the RDN count.
 */
function countRdns(buf: Uint8Array, tlv: Tlv, depth: number, limits: DerLimits): number {
  if (tlv.tag !== Tag.SEQUENCE) throw malformed('Name: expected SEQUENCE', tlv.start);
  checkNesting(depth + 1, limits, tlv.start);
  const r = { valueStart: 0, valueEnd: 0 };
  let count = 0;
  for (let pos = tlv.valueStart; pos < tlv.valueEnd; count++) {
    const setStart = pos;
    pos = elementAt(buf, pos, tlv.valueEnd, Tag.SET, 'RelativeDistinguishedName', limits, r);
    checkNesting(depth + 2, limits, setStart);
    const setEnd = r.valueEnd;
    let atvs = 0;
    let prevStart = -1;
    let prevEnd = -1;
    for (let p = r.valueStart; p < setEnd; atvs++) {
      const atvStart = p;
      p = elementAt(buf, p, setEnd, Tag.SEQUENCE, 'AttributeTypeAndValue', limits, r);
      if (prevStart >= 0 && sameBytes(buf, prevStart, prevEnd, buf, atvStart, p)) {
        throw malformed('duplicate attribute in a RelativeDistinguishedName', atvStart);
      }
      prevStart = atvStart;
      prevEnd = p;
      checkNesting(depth + 3, limits, atvStart);
      const atvEnd = r.valueEnd;
      let q = elementAt(buf, r.valueStart, atvEnd, Tag.OID, 'attribute type', limits, r);
      decodeOid(buf, r.valueStart, r.valueEnd);
      q = elementAt(buf, q, atvEnd, -1, 'attribute value', limits, r);
      if (q !== atvEnd) throw malformed(`AttributeTypeAndValue: ${atvEnd - q} unexpected trailing bytes`, q);
    }
    if (atvs === 0) throw malformed('empty RelativeDistinguishedName', setStart);
  }
  return count;
}

/** Walk a Name: structure only, or (`decode`) its values, key and text too. */
function walkName(buf: Uint8Array, tlv: Tlv, parent: DerCursor | undefined, decode: boolean): { count: number; decoded?: DecodedName } {
  if (tlv.tag !== Tag.SEQUENCE) throw malformed('Name: expected SEQUENCE', tlv.start);
  const outer = parent ?? new DerCursor(buf, tlv.start, tlv.end);
  const cur = outer.enter(tlv);
  const rdns: RelativeDistinguishedName[] = [];
  const rdnKeys: string[] = [];
  const rdnTexts: string[] = [];
  let count = 0;
  while (!cur.atEnd()) {
    const setTlv = cur.expect(Tag.SET, 'RelativeDistinguishedName');
    const r = walkRdn(buf, setTlv, cur, decode);
    count++;
    if (!r) continue;
    rdns.push(r.rdn);
    rdnKeys.push(r.key);
    rdnTexts.push(r.text);
  }
  if (!decode) return { count };
  rdnTexts.reverse();
  return { count, decoded: { rdns, key: rdnKeys.join(','), text: rdnTexts.join(',') } };
}

interface DecodedName {
  rdns: RelativeDistinguishedName[];
  key: string;
  text: string;
}

/** A Name whose values, key and text are decoded on first read (see readName). */
class LazyName implements Name {
  #decoded: DecodedName | undefined;
  readonly #rdnCount: number;

  constructor(
    readonly der: Uint8Array,
    rdnCount: number,
  ) {
    this.#rdnCount = rdnCount;
  }

  /** Number of RDNs, known without decoding (equal names have as many). */
  static rdnCount(name: Name): number {
    return #rdnCount in name ? name.#rdnCount : name.rdns.length;
  }

  get rdns(): RelativeDistinguishedName[] {
    return this.#decode().rdns;
  }

  get key(): string {
    return this.#decode().key;
  }

  get text(): string {
    return this.#decode().text;
  }

  /** The plain form (JSON, logs): every field, as an eagerly decoded Name had. */
  toJSON(): Name {
    const d = this.#decode();
    return { der: this.der, rdns: d.rdns, key: d.key, text: d.text };
  }

  #decode(): DecodedName {
    // the structure was checked by readName, so this cannot throw
    return (this.#decoded ??= walkName(this.der, readSingle(this.der, 'Name'), undefined, true).decoded!);
  }
}

export interface DecodedRdn {
  rdn: RelativeDistinguishedName;
  /** Comparison key of this RDN (attribute keys sorted, joined by '+'). */
  key: string;
  /** RFC 4514 text of this RDN. */
  text: string;
}

/**
 * Decode the attributes of a RelativeDistinguishedName: a SET, or an element
 * with an IMPLICIT tag replacing it (nameRelativeToCRLIssuer [1]).
 */
export function readRdn(buf: Uint8Array, setTlv: Tlv, cur: DerCursor): DecodedRdn {
  return walkRdn(buf, setTlv, cur, true)!;
}

/** Walk one RDN: structure only, or (`decode`) its values, key and text too. */
function walkRdn(buf: Uint8Array, setTlv: Tlv, cur: DerCursor, decode: boolean): DecodedRdn | undefined {
  const set = cur.enter(setTlv);
  let count = 0;
  const rdn: RelativeDistinguishedName = [];
  const keys: string[] = [];
  const texts: string[] = [];
  let prevStart = -1;
  let prevEnd = -1;
  while (!set.atEnd()) {
    const atvTlv = set.expect(Tag.SEQUENCE, 'AttributeTypeAndValue');
    // DER orders SET OF by encoding; we accept any order (the key sorts) but reject repeated attributes
    if (prevStart >= 0 && sameBytes(buf, prevStart, prevEnd, buf, atvTlv.start, atvTlv.end)) {
      throw malformed('duplicate attribute in a RelativeDistinguishedName', atvTlv.start);
    }
    prevStart = atvTlv.start;
    prevEnd = atvTlv.end;
    const atv = set.enter(atvTlv);
    const type = readOid(buf, atv.expect(Tag.OID, 'attribute type'));
    const vTlv = atv.next();
    atv.done('AttributeTypeAndValue');
    count++;
    if (!decode) continue;
    const valueDer = encoded(buf, vTlv);
    let value: string | undefined;
    if (STRING_TAGS.has(vTlv.tag)) {
      try {
        value = readString(buf, vTlv);
      } catch {
        value = undefined; // undecodable text: compared and shown by its DER
      }
    }
    const short = NAME_SHORT[type] ?? type;
    if (value !== undefined) {
      rdn.push({ type, valueTag: vTlv.tag, value, valueDer });
      keys.push(`${type}=s${escapeKey(normalizeForKey(value))}`);
      texts.push(`${short}=${escape4514(value)}`);
    } else {
      const hex = toHex(valueDer);
      rdn.push({ type, valueTag: vTlv.tag, value: hex, valueDer });
      keys.push(`${type}=x${hex}`);
      texts.push(`${short}=#${hex}`);
    }
  }
  if (count === 0) throw malformed('empty RelativeDistinguishedName', setTlv.start);
  if (!decode) return undefined;
  if (keys.length > 1) keys.sort();
  return { rdn, key: keys.join('+'), text: texts.join('+') };
}

/** Decode a Name from its standalone DER encoding. */
export function nameFromDer(der: Uint8Array): Name {
  const tlv = readSingle(der, 'Name');
  return readName(der, tlv);
}

/** Number of RDNs of `name` (0: an empty name), known without decoding its values. */
export function rdnCount(name: Name): number {
  return LazyName.rdnCount(name);
}

/** RFC 5280 §7.1 name equality (see the module comment for the normalisation). */
export function namesEqual(a: Name, b: Name): boolean {
  // identical encodings are equal names (and have equal keys), different RDN counts are not: no decoding needed
  if (sameBytes(a.der, 0, a.der.length, b.der, 0, b.der.length)) return true;
  return LazyName.rdnCount(a) === LazyName.rdnCount(b) && a.key === b.key;
}

/** The attribute values of one type, in order (e.g. all CNs). */
export function nameValues(name: Name, type: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const atv of rdn) if (atv.type === type) out.push(atv.value);
  return out;
}

 
const ASCII_SIMPLE = /^[\x21-\x7e]*(?: [\x21-\x7e]+)*$/;
const WS = /\s+/g;

/** The normalised text of a string attribute value (see the module comment). */
export function normalizeForKey(s: string): string {
  // fast path: printable ASCII with single inner spaces, nothing to fold but case
  if (ASCII_SIMPLE.test(s)) return s.toLowerCase();
  return s.normalize('NFKC').toLowerCase().replace(WS, ' ').trim();
}

function escapeKey(s: string): string {
  return /[\\+,]/.test(s) ? s.replace(/[\\+,]/g, '\\$&') : s;
}

/** RFC 4514 §2.4 escaping of an attribute value. */
export function escape4514(s: string): string {
  // eslint-disable-next-line no-control-regex
  let out = /[,+"\\<>;\x00]/.test(s) ? s.replace(/[,+"\\<>;]/g, '\\$&').replace(/\x00/g, '\\00') : s;
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.length > 1 && out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function sameBytes(buf: Uint8Array, a: number, aEnd: number, other: Uint8Array, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let i = 0; i < aEnd - a; i++) if (buf[a + i] !== other[b + i]) return false;
  return true;
}
