/**
 * A small DER writer: each function returns the complete encoding of one
 * element as a Buffer, so structures compose as nested calls:
 *
 *   seq(oid('1.2.3'), explicit(0, octets(b)), cond && bool(true))
 *
 * Constructed builders (`seq`, `set`, `setOf`, `explicit`, `tlv`) skip parts
 * that are `undefined`, `null` or `false`, which keeps OPTIONAL fields readable.
 *
 * Values outside an encoder's contract (a non-printable character in a
 * PrintableString, a time outside UTCTime's range, a fractional number) are
 * refused with PkiError INVALID_ARGUMENT, never silently altered. To write
 * deliberately broken DER for tests, use `tlv(tag, rawContent)`.
 */
import { PkiError } from '../errors';
import { Tag } from './reader';
import { encodeOidContent } from './values';

/** A part of a constructed value; falsy parts are skipped. */
export type DerPart = Uint8Array | undefined | null | false;

function invalid(message: string): PkiError {
  return new PkiError('INVALID_ARGUMENT', message);
}

/** Length octets (definite form, minimal). */
export function encodeLength(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(`bad DER length ${n}`);
  if (n < 0x80) return Buffer.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.from([0x80 | out.length, ...out]);
}

/**
 * Identifier octets for a tag of class `cls` (0 universal, 1 application,
 * 2 context-specific, 3 private), high-tag-number form for numbers ≥ 31.
 */
export function identifier(cls: 0 | 1 | 2 | 3, constructed: boolean, tagNumber: number): Buffer {
  if (!Number.isSafeInteger(tagNumber) || tagNumber < 0 || tagNumber > 0x0fffffff) {
    throw invalid(`bad tag number ${tagNumber}`);
  }
  const first = (cls << 6) | (constructed ? 0x20 : 0);
  if (tagNumber < 31) return Buffer.of(first | tagNumber);
  const rest: number[] = [tagNumber & 0x7f];
  for (let v = tagNumber >>> 7; v > 0; v >>>= 7) rest.unshift(0x80 | (v & 0x7f));
  return Buffer.from([first | 0x1f, ...rest]);
}

function concatParts(parts: readonly DerPart[]): Buffer {
  const list: Uint8Array[] = [];
  for (const p of parts) if (p) list.push(p);
  return Buffer.concat(list);
}

/**
 * One element: `tag` is a single identifier octet (e.g. Tag.SEQUENCE, 0xa0)
 * or the identifier octets as bytes (see `identifier` for high tag numbers).
 * Content parts are concatenated as given.
 */
export function tlv(tag: number | Uint8Array, ...content: DerPart[]): Buffer {
  let id: Uint8Array;
  if (typeof tag === 'number') {
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw invalid(`bad identifier octet ${tag}`);
    id = Buffer.of(tag);
  } else {
    id = tag;
  }
  const body = concatParts(content);
  return Buffer.concat([id, encodeLength(body.length), body]);
}

export function seq(...parts: DerPart[]): Buffer {
  return tlv(Tag.SEQUENCE, ...parts);
}

/** SET with its elements in the order given (for a SET whose order the caller has fixed, or to test unsorted input). */
export function set(...parts: DerPart[]): Buffer {
  return tlv(Tag.SET, ...parts);
}

/** SET OF with its elements sorted by their encodings, as DER requires. */
export function setOf(...parts: DerPart[]): Buffer {
  const list = parts.filter((p): p is Uint8Array => !!p);
  return tlv(Tag.SET, ...sortDerElements(list));
}

/** Encodings in DER SET OF order: ascending as octet strings (a shorter prefix sorts first). */
export function sortDerElements(items: readonly Uint8Array[]): Uint8Array[] {
  return [...items].sort((a, b) => Buffer.compare(a, b));
}

/** Minimal two's-complement content octets of an integer. */
export function integerContent(value: bigint | number | Uint8Array): Buffer {
  if (value instanceof Uint8Array) {
    if (value.length === 0) return Buffer.of(0);
    let i = 0;
    // drop redundant sign-extension octets
    while (
      i < value.length - 1 &&
      ((value[i] === 0x00 && (value[i + 1]! & 0x80) === 0) || (value[i] === 0xff && (value[i + 1]! & 0x80) !== 0))
    ) {
      i++;
    }
    return Buffer.from(value.subarray(i));
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw invalid(`INTEGER must be a safe integer, got ${value}`);
  let v = BigInt(value);
  const out: number[] = [];
  if (v >= 0n) {
    do {
      out.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    if (out[0]! & 0x80) out.unshift(0);
  } else {
    // arithmetic shift keeps the sign: stop once the rest is all ones and the sign bit is already set
    for (;;) {
      out.unshift(Number(v & 0xffn));
      v >>= 8n;
      if (v === -1n && (out[0]! & 0x80) !== 0) break;
    }
  }
  return Buffer.from(out);
}

/**
 * INTEGER, minimal encoding. A Uint8Array is read as two's complement and
 * minimised (redundant leading 0x00/0xff dropped); an empty array is 0.
 */
export function int(value: bigint | number | Uint8Array): Buffer {
  return tlv(Tag.INTEGER, integerContent(value));
}

/** ENUMERATED (same content rules as INTEGER). */
export function enumerated(value: bigint | number): Buffer {
  return tlv(Tag.ENUMERATED, integerContent(value));
}

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Buffer {
  const m = /^([0-2])\.(\d+)(?:\.\d+)*$/.exec(dotted);
  if (!m || (m[1] !== '2' && Number(m[2]) >= 40)) throw invalid(`bad OBJECT IDENTIFIER "${dotted}"`);
  return tlv(Tag.OID, encodeOidContent(dotted));
}

export function octets(content: Uint8Array): Buffer {
  return tlv(Tag.OCTET_STRING, content);
}

/** BIT STRING; the unused bits of the last octet must already be zero (DER). */
export function bitString(content: Uint8Array, unusedBits = 0): Buffer {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7) throw invalid(`bad unused-bits count ${unusedBits}`);
  if (content.length === 0 && unusedBits !== 0) throw invalid('an empty BIT STRING has no unused bits');
  if (unusedBits > 0 && (content[content.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    throw invalid('BIT STRING unused bits must be zero');
  }
  return tlv(Tag.BIT_STRING, Buffer.of(unusedBits), content);
}

/**
 * A named-bit BIT STRING (KeyUsage, ReasonFlags): bit i set for each i given,
 * trailing zero bits removed as DER requires (X.690 11.2.2).
 */
export function namedBits(bits: Iterable<number>): Buffer {
  let max = -1;
  const list = [...bits];
  for (const b of list) {
    if (!Number.isInteger(b) || b < 0 || b > 1024) throw invalid(`bad bit number ${b}`);
    if (b > max) max = b;
  }
  if (max < 0) return bitString(new Uint8Array(0));
  const content = Buffer.alloc((max >> 3) + 1);
  for (const b of list) content[b >> 3]! |= 0x80 >> (b & 7);
  return bitString(content, 7 - (max & 7));
}

export function bool(value: boolean): Buffer {
  return Buffer.of(Tag.BOOLEAN, 1, value ? 0xff : 0x00);
}

export function nul(): Buffer {
  return Buffer.of(Tag.NULL, 0);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function utf8(s: string): Buffer {
  if (LONE_SURROGATE.test(s)) throw invalid('lone surrogate in a UTF8String');
  return tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8'));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function printable(s: string): Buffer {
  if (!PRINTABLE.test(s)) throw invalid(`not a PrintableString: "${s}"`);
  return tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
}

function asciiOnly(s: string, what: string, lo: number): Buffer {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e + (lo === 0 ? 1 : 0) || c < lo) throw invalid(`not a ${what}: "${s}"`);
  }
  return Buffer.from(s, 'latin1');
}

/** IA5String (ASCII 0x00–0x7f). */
export function ia5(s: string): Buffer {
  return tlv(Tag.IA5_STRING, asciiOnly(s, 'IA5String', 0));
}

/** VisibleString (printing ASCII 0x20–0x7e). */
export function visible(s: string): Buffer {
  return tlv(Tag.VISIBLE_STRING, asciiOnly(s, 'VisibleString', 0x20));
}

export function numeric(s: string): Buffer {
  if (!/^[0-9 ]*$/.test(s)) throw invalid(`not a NumericString: "${s}"`);
  return tlv(Tag.NUMERIC_STRING, Buffer.from(s, 'latin1'));
}

/** TeletexString (T61String), written as Latin-1 the way legacy encoders did. */
export function teletex(s: string): Buffer {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) throw invalid(`not Latin-1: "${s}"`);
  return tlv(Tag.TELETEX_STRING, Buffer.from(s, 'latin1'));
}

/** BMPString: UCS-2 big-endian; characters outside the BMP are refused. */
export function bmp(s: string): Buffer {
  const out = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) throw invalid('BMPString cannot hold characters outside the Basic Multilingual Plane');
    out.writeUInt16BE(c, i * 2);
  }
  return tlv(Tag.BMP_STRING, out);
}

/** UniversalString: UCS-4 big-endian. */
export function universal(s: string): Buffer {
  if (LONE_SURROGATE.test(s)) throw invalid('lone surrogate in a UniversalString');
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const out = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => out.writeUInt32BE(cp, i * 4));
  return tlv(Tag.UNIVERSAL_STRING, out);
}

function utcParts(ms: number): { y: number; text: string; millis: number } {
  if (!Number.isFinite(ms) || !Number.isInteger(ms)) throw invalid(`bad time ${ms}`);
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const p = (n: number): string => String(n).padStart(2, '0');
  const text = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return { y, text, millis: d.getUTCMilliseconds() };
}

/** UTCTime YYMMDDHHMMSSZ for 1950 ≤ year ≤ 2049; milliseconds are dropped (UTCTime has no fraction). */
export function utcTime(ms: number): Buffer {
  const { y, text } = utcParts(ms);
  if (y < 1950 || y > 2049) throw invalid(`UTCTime cannot hold year ${y}`);
  return tlv(Tag.UTC_TIME, Buffer.from(`${String(y % 100).padStart(2, '0')}${text}Z`, 'latin1'));
}

export interface GeneralizedTimeOptions {
  /** Write milliseconds as a fraction (trailing zeros removed, as DER requires). Default: whole seconds (RFC 5280). */
  fraction?: boolean;
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (years 0–9999); milliseconds dropped unless `fraction`. */
export function generalizedTime(ms: number, opts: GeneralizedTimeOptions = {}): Buffer {
  const { y, text, millis } = utcParts(ms);
  if (y < 0 || y > 9999) throw invalid(`GeneralizedTime cannot hold year ${y}`);
  let frac = '';
  if (opts.fraction && millis !== 0) frac = `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(`${String(y).padStart(4, '0')}${text}${frac}Z`, 'latin1'));
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(ms: number): Buffer {
  const y = new Date(ms).getUTCFullYear();
  return y >= 1950 && y <= 2049 ? utcTime(ms) : generalizedTime(ms);
}

/** [n] EXPLICIT: a constructed context-specific element wrapping the given parts. */
export function explicit(n: number, ...inner: DerPart[]): Buffer {
  return tlv(identifier(2, true, n), ...inner);
}

/**
 * [n] IMPLICIT: `inner` (one complete element) re-tagged as context-specific
 * [n], keeping its content. `constructed` defaults to the inner element's form
 * (a SEQUENCE stays constructed, an OCTET STRING stays primitive).
 */
export function implicit(n: number, inner: Uint8Array, constructed?: boolean): Buffer {
  const { constructed: innerConstructed, content } = splitElement(inner);
  return tlv(identifier(2, constructed ?? innerConstructed, n), content);
}

/** Context-specific primitive [n] with raw content (e.g. GeneralName's dNSName, uniformResourceIdentifier). */
export function ctxPrimitive(n: number, content: Uint8Array): Buffer {
  return tlv(identifier(2, false, n), content);
}

/** The content octets and form of one complete element (definite length). */
function splitElement(el: Uint8Array): { constructed: boolean; content: Uint8Array } {
  if (el.length < 2) throw invalid('not a complete DER element');
  let pos = 1;
  if ((el[0]! & 0x1f) === 0x1f) {
    while (pos < el.length && (el[pos]! & 0x80) !== 0) pos++;
    pos++;
  }
  if (pos >= el.length) throw invalid('not a complete DER element');
  const first = el[pos++]!;
  let len = first;
  if (first === 0x80) throw invalid('indefinite length');
  if (first > 0x80) {
    const k = first & 0x7f;
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + (el[pos++] ?? 0);
  }
  if (pos + len !== el.length) throw invalid('implicit() takes exactly one complete element');
  return { constructed: (el[0]! & 0x20) !== 0, content: el.subarray(pos) };
}
