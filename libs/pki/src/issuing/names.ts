/**
 * Distinguished names for test certificates, with control over the string
 * type of every value (PrintableString vs UTF8String, lowercase `c=kr`, ...).
 *
 * A NameSpec is one of:
 *  - an array of RDNs in **DER order** (most significant first: C, O, OU, CN),
 *    each RDN a `[type, value, stringType?]` tuple or an array of tuples for a
 *    multi-valued RDN; `type` is a short name (C, O, OU, CN, L, ST, E, DC,
 *    SERIALNUMBER, UID, STREET; any case) or a dotted OID; a Uint8Array value
 *    is written as is (the DER of any ASN.1 value);
 *  - a string in RFC 4514 order (least significant first, as people write DNs):
 *    `'CN=Test RootCA, OU=Korea Certification Authority Central, O=KISA, C=KR'`,
 *    `+` joining multi-valued RDNs, `\,` escaping; default string types apply;
 *  - the DER of a whole Name (Uint8Array), used verbatim.
 *
 * Default string types: C and SERIALNUMBER PrintableString, E and DC
 * IA5String, everything else UTF8String (what Korean CAs write).
 */
import { PkiError } from '../errors';
import { bmp, ia5, numeric, oid, printable, seq, setOf, teletex, universal, utf8, visible } from '../der';
import { OID } from '../cert/types';

export type StringType = 'utf8' | 'printable' | 'ia5' | 'bmp' | 'teletex' | 'visible' | 'numeric' | 'universal';
export type AttributeSpec = readonly [type: string, value: string | Uint8Array, stringType?: StringType];
export type RdnSpec = AttributeSpec | readonly AttributeSpec[];
export type NameSpec = string | readonly RdnSpec[] | Uint8Array;

export const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  C: OID.countryName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  CN: OID.commonName,
  L: OID.localityName,
  ST: OID.stateOrProvinceName,
  SN: OID.surname,
  SERIALNUMBER: OID.serialNumber,
  E: OID.emailAddress,
  EMAILADDRESS: OID.emailAddress,
  DC: OID.domainComponent,
  UID: '0.9.2342.19200300.100.1.1',
  STREET: '2.5.4.9',
  GIVENNAME: '2.5.4.42',
  TITLE: '2.5.4.12',
};

const DEFAULT_TYPE: Readonly<Record<string, StringType>> = {
  [OID.countryName]: 'printable',
  [OID.serialNumber]: 'printable',
  [OID.emailAddress]: 'ia5',
  [OID.domainComponent]: 'ia5',
};

export const STRING_ENCODERS: Readonly<Record<StringType, (s: string) => Buffer>> = {
  utf8,
  printable,
  ia5,
  bmp,
  teletex,
  visible,
  numeric,
  universal,
};

export function attributeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const o = ATTRIBUTE_OIDS[type.toUpperCase()];
  if (o === undefined) throw new PkiError('INVALID_ARGUMENT', `unknown attribute type "${type}"`);
  return o;
}

function encodeAttribute([type, value, stringType]: AttributeSpec): Buffer {
  const o = attributeOid(type);
  const v = value instanceof Uint8Array ? Buffer.from(value) : STRING_ENCODERS[stringType ?? DEFAULT_TYPE[o] ?? 'utf8'](value);
  return seq(oid(o), v);
}

function isAttribute(rdn: RdnSpec): rdn is AttributeSpec {
  return typeof rdn[0] === 'string';
}

/** DER of a Name. */
export function encodeName(spec: NameSpec): Buffer {
  if (spec instanceof Uint8Array) return Buffer.from(spec);
  const rdns = typeof spec === 'string' ? parseDn(spec) : spec;
  return seq(...rdns.map(encodeRdn));
}

/** DER of one RelativeDistinguishedName (a SET OF, sorted). */
export function encodeRdn(rdn: RdnSpec): Buffer {
  return isAttribute(rdn) ? setOf(encodeAttribute(rdn)) : setOf(...rdn.map(encodeAttribute));
}

/** Parse an RFC 4514-style string (least significant RDN first) into RDNs in DER order. */
export function parseDn(dn: string): AttributeSpec[][] {
  if (dn.trim() === '') return [];
  const rdns: AttributeSpec[][] = [];
  let cur: AttributeSpec[] = [];
  let buf = '';
  const flushAttr = (): void => {
    const eq = buf.indexOf('=');
    if (eq <= 0) throw new PkiError('INVALID_ARGUMENT', `bad RDN "${buf}" in "${dn}"`);
    cur.push([buf.slice(0, eq).trim(), unescape(buf.slice(eq + 1).trim())]);
    buf = '';
  };
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === '\\' && i + 1 < dn.length) {
      buf += ch + dn[++i]!;
    } else if (ch === ',' || ch === '+') {
      flushAttr();
      if (ch === ',') {
        rdns.push(cur);
        cur = [];
      }
    } else {
      buf += ch;
    }
  }
  flushAttr();
  rdns.push(cur);
  return rdns.reverse();
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}
