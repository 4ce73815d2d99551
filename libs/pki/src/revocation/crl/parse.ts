/**
 * parseCrl: CertificateList DER (RFC 5280 §5) → Crl, in one pass.
 *
 * The header (version, algorithms, issuer, times, crlExtensions) is read with
 * the ordinary DER cursor. The revokedCertificates list — up to millions of
 * entries — is scanned by a hand-inlined TLV loop that allocates nothing per
 * entry: a first pass counts entries and serial octets; the second appends
 * serial octets to one exactly-sized buffer, and revocation times,
 * reason codes and offsets go into typed arrays, and the rare extras
 * (invalidityDate, unknown critical entry extensions, certificateIssuer for
 * indirect CRLs) into sparse maps. ./index-table.ts then hashes the serials.
 *
 * Decisions on odd input (each deliberate):
 *   - Unsorted serials are fine (RFC 5280 does not order entries).
 *   - A serial listed twice for the same certificate issuer: the first entry
 *     wins for lookups; `crl.duplicates` counts the others. Not an error: one
 *     bad entry must not make the whole CRL (and every other revocation) unusable.
 *   - An empty revokedCertificates SEQUENCE is accepted like an absent one.
 *   - Unknown reasonCode values (7, > 10) read as 'unspecified': the entry still revokes.
 *   - Entry or CRL extensions in a v1 CRL, a duplicated extension in one place,
 *     an IDP made only of defaults or claiming two "onlyContains", a tbsCertList
 *     signature algorithm different from the outer one: MALFORMED_CRL.
 *   - Serials of up to 64 octets (as for certificates); negative and zero serials kept.
 *
 * Errors: INPUT_TOO_LARGE, MALFORMED_PEM (PEM input), otherwise MALFORMED_CRL
 * (DER errors wrapped, `details.cause` = the DER error code, `details.offset`).
 */
import {
  type DerCursor,
  Tag,
  checkSize,
  decodeOid,
  derCursor,
  encoded,
  readBigInt,
  readBitString,
  readBoolean,
  readSingle,
  readSmallInt,
  readTime,
  toDer,
  type Tlv,
  enterSingleSequence,
} from '../../der';
import { PkiError } from '../../errors';
import {
  decodeAltName,
  decodeAuthorityKeyIdentifier,
  decodeCrlDistributionPoints,
  decodeInfoAccess,
  readDistributionPointName,
  readReasonFlags,
} from '../../cert/extensions';
import { readGeneralNames } from '../../cert/general-name';
import { readName } from '../../cert/name';
import { algorithm, MAX_SERIAL_OCTETS, readExtensions } from '../../cert/parse';
import type { Extension, GeneralName } from '../../cert/types';
import { CrlIndex, type EntryColumns } from './index-table';
import { CRL_OID, type Crl, type IssuingDistributionPoint, type ParseCrlOptions } from './types';

export const DEFAULT_MAX_CRL_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_CRL_ENTRIES = 10_000_000;

export function parseCrl(input: Uint8Array, opts: ParseCrlOptions = {}): Crl {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_CRL_BYTES;
  checkSize(input.length, maxBytes, 'CRL');
  let der: Uint8Array;
  try {
    der = input.length > 0 && input[0] === 0x2d /* '-' */ ? toDer(input, 'X509 CRL', maxBytes) : input;
  } catch (e) {
    throw e instanceof PkiError ? e : new PkiError('MALFORMED_PEM', String(e));
  }
  try {
    return walk(der, opts.maxEntries ?? DEFAULT_MAX_CRL_ENTRIES);
  } catch (e) {
    throw asCrlError(e);
  }
}

function asCrlError(e: unknown): PkiError {
  if (e instanceof PkiError) {
    if (e.code === 'MALFORMED_CRL' || e.code === 'INPUT_TOO_LARGE') return e;
    return new PkiError('MALFORMED_CRL', `CRL: ${e.message}`, { cause: e.code, ...e.details });
  }
  // defensive: the walk is written to throw only PkiErrors
  return new PkiError('MALFORMED_CRL', `CRL: ${e instanceof Error ? e.message : String(e)}`);
}

function bad(message: string, offset?: number): PkiError {
  return new PkiError('MALFORMED_CRL', message, offset === undefined ? undefined : { offset });
}

function walk(buf: Uint8Array, maxEntries: number): Crl {
  const list = enterSingleSequence(buf, 'CertificateList');
  const tbsTlv = list.expect(Tag.SEQUENCE, 'tbsCertList');
  const signatureAlgorithm = algorithm(buf, list.expect(Tag.SEQUENCE, 'signatureAlgorithm'), list);
  const sig = readBitString(buf, list.expect(Tag.BIT_STRING, 'signatureValue'));
  list.done('CertificateList');

  const tbs = list.enter(tbsTlv);
  let version = 1;
  const vTlv = tbs.optional(Tag.INTEGER);
  if (vTlv) {
    const v = readSmallInt(buf, vTlv);
    // RFC 5280: the field is present only for v2 (1); an explicit v1 (0) is tolerated
    if (v !== 1 && v !== 0) throw bad(`unknown CRL version ${v}`, vTlv.start);
    version = v + 1;
  }
  const inner = algorithm(buf, tbs.expect(Tag.SEQUENCE, 'signature'), tbs);
  if (!sameBytes(inner.der, signatureAlgorithm.der)) throw bad('tbsCertList signature algorithm differs from signatureAlgorithm');
  const issuer = readName(buf, tbs.expect(Tag.SEQUENCE, 'issuer'), tbs);
  const thisUpdate = readTime(buf, tbs.next());
  let nextUpdate: number | undefined;
  const nt = tbs.peekTag();
  if (nt === Tag.UTC_TIME || nt === Tag.GENERALIZED_TIME) nextUpdate = readTime(buf, tbs.next());
  const revokedTlv = tbs.optional(Tag.SEQUENCE);
  const extTlv = tbs.optional(0xa0);
  tbs.done('tbsCertList');

  const extensions: Extension[] = [];
  if (extTlv) {
    if (version < 2) throw bad('crlExtensions in a v1 CRL', extTlv.start);
    const outer = tbs.enter(extTlv);
    const seqTlv = outer.expect(Tag.SEQUENCE, 'crlExtensions');
    outer.done('crlExtensions');
    readCrlExtensions(buf, seqTlv, outer, extensions);
  }
  const ext = decodeCrlExtensions(extensions);

  const cols = revokedTlv ? scanEntries(buf, revokedTlv.valueStart, revokedTlv.valueEnd, version, maxEntries) : emptyColumns();
  const index = new CrlIndex(cols);

  const crl: Crl = {
    der: buf,
    tbsDer: encoded(buf, tbsTlv),
    version,
    signatureAlgorithm,
    signature: sig.bytes,
    signatureUnusedBits: sig.unusedBits,
    issuer,
    thisUpdate,
    ...(nextUpdate !== undefined ? { nextUpdate } : {}),
    extensions,
    ...ext,
    unknownCriticalEntryExtensions: cols.unknownCritical.size,
    size: cols.count,
    duplicates: index.duplicates,
    hasCertificateIssuerEntries: cols.issuerOf !== undefined,
    lookup: (serial, certIssuerKey) => index.lookup(serial, certIssuerKey, issuer.key),
    entry: (i) => index.entry(i),
  };
  return crl;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function readCrlExtensions(buf: Uint8Array, seqTlv: Tlv, parent: DerCursor, out: Extension[]): void {
  readExtensions(buf, seqTlv, parent, out, (oid, offset) => bad(`CRL extension ${oid} appears twice`, offset));
}

type CrlExtensionFields = Pick<
  Crl,
  | 'crlNumber'
  | 'authorityKeyIdentifier'
  | 'issuingDistributionPoint'
  | 'deltaCrlIndicator'
  | 'freshestCrl'
  | 'issuerAltName'
  | 'authorityInfoAccess'
  | 'unknownCriticalExtensions'
>;

function decodeCrlExtensions(extensions: readonly Extension[]): CrlExtensionFields {
  const out: { -readonly [K in keyof CrlExtensionFields]: CrlExtensionFields[K] } = { unknownCriticalExtensions: [] };
  const unknown: string[] = [];
  for (const e of extensions) {
    try {
      switch (e.oid) {
        case CRL_OID.crlNumber:
          out.crlNumber = crlNumber(e.value, 'cRLNumber');
          break;
        case CRL_OID.deltaCrlIndicator:
          out.deltaCrlIndicator = crlNumber(e.value, 'BaseCRLNumber');
          break;
        case CRL_OID.authorityKeyIdentifier:
          out.authorityKeyIdentifier = decodeAuthorityKeyIdentifier(e.value);
          break;
        case CRL_OID.issuingDistributionPoint:
          out.issuingDistributionPoint = decodeIssuingDistributionPoint(e.value);
          break;
        case CRL_OID.freshestCrl:
          out.freshestCrl = decodeCrlDistributionPoints(e.value);
          break;
        case CRL_OID.issuerAltName:
          out.issuerAltName = decodeAltName(e.value);
          break;
        case CRL_OID.authorityInfoAccess:
          out.authorityInfoAccess = decodeInfoAccess(e.value);
          break;
        default:
          if (e.critical) unknown.push(e.oid);
      }
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new PkiError('MALFORMED_CRL', `CRL extension ${e.oid}: ${msg}`, { oid: e.oid });
    }
  }
  out.unknownCriticalExtensions = unknown;
  if (out.deltaCrlIndicator !== undefined && out.crlNumber === undefined) throw bad('delta CRL without cRLNumber');
  return out;
}

/** CRLNumber ::= INTEGER (0..MAX), at most 20 octets. */
function crlNumber(value: Uint8Array, what: string): bigint {
  const tlv = readSingle(value, what);
  if (tlv.tag !== Tag.INTEGER) throw bad(`${what}: expected INTEGER`);
  if (tlv.valueEnd - tlv.valueStart > 21) throw bad(`${what} longer than 20 octets`);
  const n = readBigInt(value, tlv);
  if (n < 0n) throw bad(`${what} is negative`);
  return n;
}

/** IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1], ... } */
export function decodeIssuingDistributionPoint(value: Uint8Array): IssuingDistributionPoint {
  const root = derCursor(value);
  const seq = root.expect(Tag.SEQUENCE, 'IssuingDistributionPoint');
  root.done('IssuingDistributionPoint');
  const c = root.enter(seq);
  const out: IssuingDistributionPoint = {
    onlyContainsUserCerts: false,
    onlyContainsCACerts: false,
    indirectCrl: false,
    onlyContainsAttributeCerts: false,
    der: value,
  };
  const dp = c.optional(0xa0);
  if (dp) Object.assign(out, readDistributionPointName(value, dp, c));
  const flag = (tag: number): boolean => {
    const t = c.optional(tag);
    return t ? readBoolean(value, t) : false;
  };
  out.onlyContainsUserCerts = flag(0x81);
  out.onlyContainsCACerts = flag(0x82);
  const r = c.optional(0x83);
  if (r) out.onlySomeReasons = readReasonFlags(value, r);
  out.indirectCrl = flag(0x84);
  out.onlyContainsAttributeCerts = flag(0x85);
  c.done('IssuingDistributionPoint');
  const only = Number(out.onlyContainsUserCerts) + Number(out.onlyContainsCACerts) + Number(out.onlyContainsAttributeCerts);
  if (only > 1) throw bad('IssuingDistributionPoint asserts more than one onlyContains* field');
  if (!dp && !r && only === 0 && !out.indirectCrl) throw bad('IssuingDistributionPoint made only of default values');
  return out;
}

// ---------------------------------------------------------------------------
// The revokedCertificates scan.

/** Value range of the last header read by `hdr` (module scratch: the scan is synchronous). */
let vs = 0;
let ve = 0;

/** Read a DER TLV header at pos (bounded by end); returns the identifier octet, sets vs/ve. */
function hdr(buf: Uint8Array, pos: number, end: number): number {
  if (pos + 2 > end) throw bad('truncated element', pos);
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw bad('unexpected high-tag-number element', pos);
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len >= 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw bad('indefinite length is not DER', pos);
    if (n > 4) throw bad('length too large', pos);
    if (p + n > end) throw bad('truncated length', pos);
    if (buf[p] === 0) throw bad('non-minimal length encoding', pos);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
    if (len < 0x80) throw bad('non-minimal length encoding', pos);
  }
  if (len > end - p) throw bad(`length ${len} exceeds the ${end - p} bytes available`, pos);
  vs = p;
  ve = p + len;
  return tag;
}

function emptyColumns(): EntryColumns {
  return {
    count: 0,
    serials: new Uint8Array(0),
    serialEnd: new Uint32Array(0),
    revokedAt: new Float64Array(0),
    reason: new Uint8Array(0),
    invalidity: new Map(),
    unknownCritical: new Set(),
    issuerOf: undefined,
    issuers: [],
  };
}

function scanEntries(buf: Uint8Array, start: number, end: number, version: number, maxEntries: number): EntryColumns {
  // pass 1: count entries and serial octets, so every column is allocated once at its exact size
  let cap = 0;
  let serialBytes = 0;
  for (let pos = start; pos < end; ) {
    if (hdr(buf, pos, end) !== Tag.SEQUENCE) throw bad('revokedCertificates: expected an entry SEQUENCE', pos);
    const eEnd = ve;
    if (++cap > maxEntries) throw bad(`more than ${maxEntries} CRL entries`, pos);
    if (hdr(buf, vs, eEnd) === Tag.INTEGER) serialBytes += ve - vs;
    pos = eEnd;
  }
  const serials = new Uint8Array(serialBytes);
  let sLen = 0;
  const serialEnd = new Uint32Array(cap);
  const revokedAt = new Float64Array(cap);
  const reason = new Uint8Array(cap);
  const invalidity = new Map<number, number>();
  const unknownCritical = new Set<number>();
  let issuerOf: Uint32Array | undefined;
  const issuers: GeneralName[][] = [];
  const issuerIds = new Map<string, number>();
  let curIssuer = 0;
  let n = 0;
  let pos = start;
  while (pos < end) {
    if (hdr(buf, pos, end) !== Tag.SEQUENCE) throw bad('revokedCertificates: expected an entry SEQUENCE', pos);
    const eEnd = ve;
    pos = ve;
    // userCertificate INTEGER
    let p = vs;
    if (hdr(buf, p, eEnd) !== Tag.INTEGER) throw bad('CRL entry: expected serial INTEGER', p);
    const s0 = vs;
    const sl = ve - vs;
    if (sl === 0) throw bad('CRL entry: empty serial', p);
    if (sl > MAX_SERIAL_OCTETS) throw bad(`CRL entry: serial of ${sl} octets (limit ${MAX_SERIAL_OCTETS})`, p);
    if (sl > 1) {
      const a = buf[s0]!;
      const b = buf[s0 + 1]!;
      if ((a === 0 && b < 0x80) || (a === 0xff && b >= 0x80)) throw bad('CRL entry: non-minimal serial INTEGER', p);
    }
    for (let i = 0; i < sl; i++) serials[sLen + i] = buf[s0 + i]!;
    sLen += sl;
    serialEnd[n] = sLen;
    p = ve;
    // revocationDate Time
    const tt = hdr(buf, p, eEnd);
    revokedAt[n] = fastTime(buf, tt, vs, ve, p);
    p = ve;
    reason[n] = 0xff;
    if (p < eEnd) {
      if (version < 2) throw bad('CRL entry extensions in a v1 CRL', p);
      if (hdr(buf, p, eEnd) !== Tag.SEQUENCE) throw bad('CRL entry: expected crlEntryExtensions SEQUENCE', p);
      const xEnd = ve;
      const changed = entryExtensions(buf, vs, xEnd, n, reason, invalidity, unknownCritical);
      if (changed !== undefined) {
        // certificateIssuer: this and the following entries belong to that issuer
        const key = issuerKey(changed);
        let id = issuerIds.get(key);
        if (id === undefined) {
          id = issuers.length + 1;
          issuerIds.set(key, id);
          issuers.push(changed);
        }
        curIssuer = id;
        issuerOf ??= new Uint32Array(cap);
      }
      p = xEnd;
    }
    if (p !== eEnd) throw bad('CRL entry: trailing bytes', p);
    if (issuerOf) issuerOf[n] = curIssuer;
    n++;
  }
  return { count: n, serials, serialEnd, revokedAt, reason, invalidity, unknownCritical, issuerOf, issuers };
}

const OID_REASON = 0x15;
const OID_INVALIDITY = 0x18;
const OID_CERT_ISSUER = 0x1d;

/**
 * crlEntryExtensions of entry n (the SEQUENCE's value range). Returns the
 * certificateIssuer names when the entry carries one.
 */
function entryExtensions(
  buf: Uint8Array,
  start: number,
  end: number,
  n: number,
  reason: Uint8Array,
  invalidity: Map<number, number>,
  unknownCritical: Set<number>,
): GeneralName[] | undefined {
  let seen = 0;
  let unknownOids: Set<string> | undefined;
  let issuer: GeneralName[] | undefined;
  let pos = start;
  while (pos < end) {
    if (hdr(buf, pos, end) !== Tag.SEQUENCE) throw bad('CRL entry: expected Extension SEQUENCE', pos);
    const xEnd = ve;
    let p = vs;
    pos = xEnd;
    if (hdr(buf, p, xEnd) !== Tag.OID) throw bad('CRL entry extension: expected extnID', p);
    const oS = vs;
    const oE = ve;
    p = ve;
    let critical = false;
    if (p < xEnd && buf[p] === Tag.BOOLEAN) {
      hdr(buf, p, xEnd);
      if (ve - vs !== 1 || (buf[vs] !== 0 && buf[vs] !== 0xff)) throw bad('CRL entry extension: bad critical BOOLEAN', p);
      critical = buf[vs] === 0xff;
      p = ve;
    }
    if (hdr(buf, p, xEnd) !== Tag.OCTET_STRING) throw bad('CRL entry extension: expected extnValue', p);
    const valS = vs;
    const valE = ve;
    if (ve !== xEnd) throw bad('CRL entry extension: trailing bytes', ve);
    // id-ce (55 1d) nn: compare the octets, no OID string on the hot path
    const ce = oE - oS === 3 && buf[oS] === 0x55 && buf[oS + 1] === 0x1d ? buf[oS + 2]! : -1;
    const bit = ce === OID_REASON ? 1 : ce === OID_INVALIDITY ? 2 : ce === OID_CERT_ISSUER ? 4 : 0;
    if (bit !== 0) {
      if ((seen & bit) !== 0) throw bad(`CRL entry extension 2.5.29.${ce} appears twice`, oS);
      seen |= bit;
    }
    if (ce === OID_REASON) {
      if (hdr(buf, valS, valE) !== Tag.ENUMERATED || ve !== valE) throw bad('reasonCode: expected one ENUMERATED', valS);
      const len = ve - vs;
      if (len === 0) throw bad('reasonCode: empty ENUMERATED', valS);
      if (len > 1 && buf[vs] === 0 && buf[vs + 1]! < 0x80) throw bad('reasonCode: non-minimal ENUMERATED', valS);
      // 0..10 except 7; anything else (incl. negative or long) is stored as 'unspecified' (0)
      const v = len === 1 ? buf[vs]! : 0x100;
      reason[n] = v <= 10 && v !== 7 ? v : 0;
    } else if (ce === OID_INVALIDITY) {
      const t = hdr(buf, valS, valE);
      if (t !== Tag.GENERALIZED_TIME || ve !== valE) throw bad('invalidityDate: expected one GeneralizedTime', valS);
      invalidity.set(n, fastTime(buf, t, vs, ve, valS));
    } else if (ce === OID_CERT_ISSUER) {
      const value = buf.subarray(valS, valE);
      const c = derCursor(value);
      const t = c.expect(Tag.SEQUENCE, 'certificateIssuer');
      c.done('certificateIssuer');
      issuer = readGeneralNames(value, t, c);
    } else {
      if (ce === -1 || critical) {
        const oid = decodeOid(buf, oS, oE);
        unknownOids ??= new Set();
        if (unknownOids.has(oid)) throw bad(`CRL entry extension ${oid} appears twice`, oS);
        unknownOids.add(oid);
      }
      if (critical) unknownCritical.add(n);
    }
  }
  return issuer;
}

/** Interning key of a certificateIssuer GeneralNames value. */
function issuerKey(names: GeneralName[]): string {
  return names
    .map((g) => (g.type === 'directoryName' ? `dn:${g.name.key}` : `${g.type}:${JSON.stringify(g)}`))
    .sort()
    .join('|');
}

const DAY_MS = 86_400_000;
const CUM_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function d2(buf: Uint8Array, i: number): number {
  const a = buf[i]! - 48;
  const b = buf[i + 1]! - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * UTCTime / GeneralizedTime to epoch ms without allocating. Anything but the
 * plain 13/15-octet Z forms (or an invalid digit/range) goes to readTime,
 * which accepts fractions or throws the precise error.
 */
function fastTime(buf: Uint8Array, tag: number, s: number, e: number, start: number): number {
  let year: number;
  let i: number;
  if (tag === Tag.UTC_TIME && e - s === 13 && buf[e - 1] === 0x5a) {
    const yy = d2(buf, s);
    year = yy < 0 ? -1 : yy >= 50 ? 1900 + yy : 2000 + yy;
    i = s + 2;
  } else if (tag === Tag.GENERALIZED_TIME && e - s === 15 && buf[e - 1] === 0x5a) {
    const hi = d2(buf, s);
    const lo = d2(buf, s + 2);
    year = hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
    i = s + 4;
  } else {
    return slowTime(buf, tag, s, e, start);
  }
  const mon = d2(buf, i);
  const day = d2(buf, i + 2);
  const hh = d2(buf, i + 4);
  const mm = d2(buf, i + 6);
  const ss = d2(buf, i + 8);
  if (year < 0 || mon < 1 || mon > 12 || day < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) {
    return slowTime(buf, tag, s, e, start);
  }
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = mon === 2 ? (leap ? 29 : 28) : mon === 4 || mon === 6 || mon === 9 || mon === 11 ? 30 : 31;
  if (day > dim) return slowTime(buf, tag, s, e, start);
  // days since 1970-01-01 (proleptic Gregorian)
  const y1 = year - 1;
  const days =
    365 * (year - 1970) + (Math.floor(y1 / 4) - Math.floor(y1 / 100) + Math.floor(y1 / 400) - 477) + CUM_DAYS[mon - 1]! + (mon > 2 && leap ? 1 : 0) + day - 1;
  return days * DAY_MS + hh * 3_600_000 + mm * 60_000 + ss * 1000;
}

function slowTime(buf: Uint8Array, tag: number, s: number, e: number, start: number): number {
  const tlv: Tlv = { tag, tagNumber: tag & 0x1f, constructed: false, start, valueStart: s, valueEnd: e, end: e, indefinite: false };
  return readTime(buf, tlv);
}
