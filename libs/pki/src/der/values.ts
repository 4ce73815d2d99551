/**
 * Decoders for primitive DER values. Each takes a Tlv from the reader and the
 * buffer it indexes, checks the encoding strictly, and returns a plain value.
 */
import { PkiError } from '../errors';
import { malformed, Tag, type Tlv } from './reader';

export function bytes(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.valueStart, tlv.valueEnd);
}

/** The whole encoding of the element (header and value). */
export function encoded(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}

export function readBoolean(buf: Uint8Array, tlv: Tlv): boolean {
  return readBooleanAt(buf, tlv.start, tlv.valueStart, tlv.valueEnd);
}

/** readBoolean for the element at `start` with its value in buf[valueStart, valueEnd) (walks without a Tlv: reader.ts elementAt). */
export function readBooleanAt(buf: Uint8Array, start: number, valueStart: number, valueEnd: number): boolean {
  if (valueEnd - valueStart !== 1) throw malformed('BOOLEAN must be one octet', start);
  const v = buf[valueStart]!;
  if (v !== 0 && v !== 0xff) throw malformed('BOOLEAN must be 0x00 or 0xff in DER', start);
  return v === 0xff;
}

/** INTEGER content octets, checked for minimal two's-complement encoding. */
export function integerBytes(buf: Uint8Array, tlv: Tlv): Uint8Array {
  checkInteger(buf, tlv);
  return buf.subarray(tlv.valueStart, tlv.valueEnd);
}

function checkInteger(buf: Uint8Array, tlv: Tlv): void {
  const len = tlv.valueEnd - tlv.valueStart;
  if (len === 0) throw malformed('empty INTEGER', tlv.start);
  if (len > 1) {
    const a = buf[tlv.valueStart]!;
    const b = buf[tlv.valueStart + 1]!;
    if ((a === 0 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0)) {
      throw malformed('non-minimal INTEGER encoding', tlv.start);
    }
  }
}

/** Two's-complement bytes to bigint. */
export function bigintFromTwos(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if ((b[0]! & 0x80) !== 0) v -= 1n << BigInt(b.length * 8);
  return v;
}

export function readBigInt(buf: Uint8Array, tlv: Tlv): bigint {
  return bigintFromTwos(integerBytes(buf, tlv));
}

/** A small INTEGER (or ENUMERATED) as a number; rejects values outside ±2^47. */
export function readSmallInt(buf: Uint8Array, tlv: Tlv): number {
  checkInteger(buf, tlv);
  const len = tlv.valueEnd - tlv.valueStart;
  if (len > 6) throw malformed('INTEGER too large', tlv.start);
  // at most 48 bits: exact in a double (no BigInt, no view)
  let v = 0;
  for (let i = tlv.valueStart; i < tlv.valueEnd; i++) v = v * 256 + buf[i]!;
  return (buf[tlv.valueStart]! & 0x80) !== 0 ? v - 2 ** (8 * len) : v;
}

/** Decoded OIDs by an FNV-1a hash of their content octets; a hit counts only when the octets are equal. */
const oidCache = new Map<number, { octets: Uint8Array; oid: string }>();

/** OBJECT IDENTIFIER in dotted form. Strict: minimal subidentifiers, no truncation. */
export function readOid(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== Tag.OID) throw malformed('expected OBJECT IDENTIFIER', tlv.start);
  return decodeOid(buf, tlv.valueStart, tlv.valueEnd);
}

/**
 * FNV-1a over buf[start, end), its offset basis mixed with `length` (the
 * range's by default): the number key of the byte-keyed caches (OIDs here,
 * AlgorithmIdentifiers, the CMS certificate cache). A small integer: `>>> 0`
 * would make half of the keys heap numbers.
 */
export function fnv1a(buf: Uint8Array, start: number, end: number, length = end - start): number {
  let h = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h | 0;
}

/** fnv1a over a string's UTF-16 code units (short ASCII keys: the path cache's), its length mixed in. */
export function fnv1aString(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

export function decodeOid(buf: Uint8Array, start: number, end: number): string {
  if (end <= start) throw malformed('empty OBJECT IDENTIFIER', start);
  if (end - start > 64) throw malformed('OBJECT IDENTIFIER too long', start);
  // short OIDs are decoded often (algorithms, attribute types): memoise by bytes (a number key:
  // building a string key cost more than the lookup saved)
  const h = fnv1a(buf, start, end);
  const hit = oidCache.get(h);
  if (hit !== undefined && hit.octets.length === end - start) {
    let same = true;
    for (let i = 0; i < hit.octets.length; i++) {
      if (hit.octets[i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit.oid;
  }
  const arcs: string[] = [];
  let v = 0n;
  let small = 0;
  let useBig = false;
  let fresh = true;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (fresh && b === 0x80) throw malformed('non-minimal OID subidentifier', start);
    fresh = false;
    if (!useBig && small > 2 ** 45) {
      useBig = true;
      v = BigInt(small);
    }
    if (useBig) v = (v << 7n) | BigInt(b & 0x7f);
    else small = small * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      const val = useBig ? v : BigInt(small);
      if (arcs.length === 0) {
        if (val < 40n) arcs.push('0', val.toString());
        else if (val < 80n) arcs.push('1', (val - 40n).toString());
        else arcs.push('2', (val - 80n).toString());
      } else arcs.push(val.toString());
      v = 0n;
      small = 0;
      useBig = false;
      fresh = true;
    }
  }
  if (!fresh) throw malformed('truncated OID subidentifier', start);
  const oid = arcs.join('.');
  if (oidCache.size < 4096 && hit === undefined) oidCache.set(h, { octets: new Uint8Array(buf.subarray(start, end)), oid }); // a copy (Buffer#slice is a view)
  return oid;
}

/** Encode a dotted OID to its content octets (no header). */
export function encodeOidContent(oid: string): Uint8Array {
  const parts = oid.split('.').map((p) => {
    if (!/^\d+$/.test(p)) throw new PkiError('MALFORMED_DER', `bad OID ${oid}`);
    return BigInt(p);
  });
  if (parts.length < 2) throw new PkiError('MALFORMED_DER', `bad OID ${oid}`);
  const out: number[] = [];
  const push = (n: bigint): void => {
    const tmp = [Number(n & 0x7fn)];
    n >>= 7n;
    while (n > 0n) {
      tmp.unshift(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(...tmp);
  };
  push(parts[0]! * 40n + parts[1]!);
  for (const p of parts.slice(2)) push(p);
  return Uint8Array.from(out);
}

export interface BitString {
  /** Number of unused bits in the last octet (0..7). */
  unusedBits: number;
  bytes: Uint8Array;
}

export function readBitString(buf: Uint8Array, tlv: Tlv): BitString {
  if (tlv.tag !== Tag.BIT_STRING) throw malformed('expected BIT STRING', tlv.start);
  const len = tlv.valueEnd - tlv.valueStart;
  if (len < 1) throw malformed('empty BIT STRING', tlv.start);
  const unusedBits = buf[tlv.valueStart]!;
  if (unusedBits > 7 || (len === 1 && unusedBits !== 0)) throw malformed('bad BIT STRING unused-bits octet', tlv.start);
  const bytes = buf.subarray(tlv.valueStart + 1, tlv.valueEnd);
  if (unusedBits > 0 && (bytes[bytes.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    throw malformed('BIT STRING unused bits must be zero in DER', tlv.start);
  }
  return { unusedBits, bytes };
}

/** Named-bit BIT STRING (KeyUsage): bit i set → result includes i. */
export function bitsSet(bs: BitString): Set<number> {
  const out = new Set<number>();
  const total = bs.bytes.length * 8 - bs.unusedBits;
  for (let i = 0; i < total; i++) if ((bs.bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0) out.add(i);
  return out;
}

/**
 * UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ, an optional
 * fraction without trailing zeros, ignored) to epoch milliseconds. Read from
 * the bytes directly (no string, no regular expression: certificates, CRL
 * entries and signingTime are parsed on hot paths).
 */
export function readTime(buf: Uint8Array, tlv: Tlv): number {
  const start = tlv.valueStart;
  const end = tlv.valueEnd;
  const len = end - start;
  let year: number;
  if (tlv.tag === Tag.UTC_TIME) {
    const yy = len === 13 && buf[end - 1] === 0x5a ? twoDigits(buf, start) : -1;
    if (yy < 0 || !allDigits(buf, start + 2, end - 1)) throw malformed(`bad UTCTime "${printable(ascii(buf, start, end))}"`, tlv.start);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (tlv.tag === Tag.GENERALIZED_TIME) {
    if (!generalizedTimeShape(buf, start, end)) throw malformed(`bad GeneralizedTime "${printable(ascii(buf, start, end))}"`, tlv.start);
    year = twoDigits(buf, start) * 100 + twoDigits(buf, start + 2);
  } else {
    throw malformed('expected UTCTime or GeneralizedTime', tlv.start);
  }
  const p = tlv.tag === Tag.UTC_TIME ? start + 2 : start + 4;
  const mon = twoDigits(buf, p);
  const day = twoDigits(buf, p + 2);
  const hh = twoDigits(buf, p + 4);
  const mm = twoDigits(buf, p + 6);
  const ss = twoDigits(buf, p + 8);
  if (mon < 1 || mon > 12 || day < 1 || day > daysIn(year, mon) || hh > 23 || mm > 59 || ss > 59) {
    throw malformed(`time out of range "${printable(ascii(buf, start, end))}"`, tlv.start);
  }
  return Date.UTC(year, mon - 1, day, hh, mm, ss);
}

/** YYYYMMDDHHMMSS, then `Z`, or a fraction `.d*[1-9]` and `Z`. */
function generalizedTimeShape(buf: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (len < 15 || buf[end - 1] !== 0x5a || !allDigits(buf, start, start + 14)) return false;
  if (len === 15) return true;
  // a fraction: '.', at least one digit, the last one not 0
  return len >= 17 && buf[start + 14] === 0x2e && allDigits(buf, start + 15, end - 1) && buf[end - 2] !== 0x30;
}

function allDigits(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Two ASCII digits as a number, -1 when either is not a digit. */
function twoDigits(buf: Uint8Array, at: number): number {
  const a = buf[at]! - 0x30;
  const b = buf[at + 1]! - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** As Date.UTC counts them (years 0-99 are 1900-1999 there, which `readTime`'s Date.UTC also does). */
function daysIn(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  const y = year <= 99 ? 1900 + year : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Any ASN.1 character string type to a JS string. */
export function readString(buf: Uint8Array, tlv: Tlv): string {
  const b = buf.subarray(tlv.valueStart, tlv.valueEnd);
  switch (tlv.tag) {
    case Tag.UTF8_STRING:
      try {
        return utf8.decode(b);
      } catch {
        throw malformed('invalid UTF-8 in UTF8String', tlv.start);
      }
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case Tag.NUMERIC_STRING:
    case Tag.VISIBLE_STRING:
      for (const x of b) if (x > 0x7f) throw malformed('non-ASCII octet in an ASCII string type', tlv.start);
      return ascii(b, 0, b.length);
    case Tag.TELETEX_STRING:
      return latin1.decode(b);
    case Tag.BMP_STRING: {
      if (b.length % 2 !== 0) throw malformed('odd-length BMPString', tlv.start);
      let s = '';
      for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    case Tag.UNIVERSAL_STRING: {
      if (b.length % 4 !== 0) throw malformed('bad UniversalString length', tlv.start);
      let s = '';
      for (let i = 0; i < b.length; i += 4) {
        const cp = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
        if (cp > 0x10ffff) throw malformed('bad code point in UniversalString', tlv.start);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      throw malformed(`not a string type: tag 0x${tlv.tag.toString(16)}`, tlv.start);
  }
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
