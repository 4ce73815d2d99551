/**
 * A lean DER (and, on request, BER) reader: a cursor over a byte range that
 * yields tag-length-value headers without copying or building object trees.
 *
 * Every failure is a PkiError (MALFORMED_DER, NESTING_TOO_DEEP,
 * INPUT_TOO_LARGE) and every length is checked against its enclosing range,
 * so hostile input can neither crash nor hang the reader.
 */
import { PkiError } from '../errors';

/** Universal tags and the context-specific shortcuts we use (identifier octets). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Identifier octet of a context-specific tag [n] (n < 31). */
export function ctx(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

export interface DerLimits {
  /** Maximum nesting depth of constructed values. */
  maxDepth: number;
  /** Accept BER: indefinite lengths and non-minimal length encodings (CMS from clients). */
  ber: boolean;
}

export const DEFAULT_LIMITS: DerLimits = { maxDepth: 32, ber: false };

/** A decoded TLV header. Offsets index the underlying buffer. */
export interface Tlv {
  /** First identifier octet (class, constructed bit, low tag number or 0x1f). */
  readonly tag: number;
  /** Tag number (also for the high-tag-number form). */
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first value octet. */
  readonly valueStart: number;
  /** Offset one past the last value octet (for indefinite lengths: before the end-of-contents octets). */
  readonly valueEnd: number;
  /** Offset one past the whole element (including end-of-contents octets). */
  readonly end: number;
  readonly indefinite: boolean;
}

export function malformed(message: string, offset?: number): PkiError {
  return new PkiError('MALFORMED_DER', message, offset === undefined ? undefined : { offset });
}

/**
 * Cursor over the elements in buf[pos, end). `depth` counts the constructed
 * elements entered to get here.
 */
export class DerCursor {
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
    readonly end = buf.length,
    readonly depth = 0,
    readonly limits: DerLimits = DEFAULT_LIMITS,
  ) {
    if (end > buf.length || pos > end) throw malformed('range outside input');
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The next identifier octet, or -1 at the end of the range. Does not advance. */
  peekTag(): number {
    return this.pos < this.end ? this.buf[this.pos]! : -1;
  }

  /** Read the next element's header and advance past the whole element. */
  next(): Tlv {
    const tlv = readTlv(this.buf, this.pos, this.end, this.depth, this.limits);
    this.pos = tlv.end;
    return tlv;
  }

  /** Read the next element and require its identifier octet. */
  expect(tag: number, what: string): Tlv {
    if (this.pos >= this.end) throw malformed(`missing ${what}`, this.pos);
    const t = this.buf[this.pos]!;
    if (t !== tag) throw malformed(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(t)}`, this.pos);
    return this.next();
  }

  /** Read the next element if its identifier octet is `tag`. */
  optional(tag: number): Tlv | undefined {
    return this.pos < this.end && this.buf[this.pos] === tag ? this.next() : undefined;
  }

  /** A cursor over the contents of a constructed element. */
  enter(tlv: Tlv): DerCursor {
    if (!tlv.constructed) throw malformed('expected a constructed element', tlv.start);
    checkNesting(this.depth + 1, this.limits, tlv.start);
    return new DerCursor(this.buf, tlv.valueStart, tlv.valueEnd, this.depth + 1, this.limits);
  }

  /** Require that nothing is left in the range. */
  done(what: string): void {
    if (this.pos !== this.end) throw malformed(`${what}: ${this.end - this.pos} unexpected trailing bytes`, this.pos);
  }
}

/** A cursor over a whole input that must hold exactly one element. */
export function derCursor(buf: Uint8Array, limits: DerLimits = DEFAULT_LIMITS): DerCursor {
  return new DerCursor(buf, 0, buf.length, 0, limits);
}

/** Parse exactly one top-level element spanning the whole input. */
export function readSingle(buf: Uint8Array, what: string, limits: DerLimits = DEFAULT_LIMITS): Tlv {
  if (buf.length === 0) throw malformed(`${what}: empty input`);
  const tlv = readTlv(buf, 0, buf.length, 0, limits);
  if (tlv.end !== buf.length) throw malformed(`${what}: ${buf.length - tlv.end} bytes after the end`, tlv.end);
  return tlv;
}

/**
 * A cursor over the contents of the one SEQUENCE that spans the whole input
 * (a Certificate, CertificateList, OCSP message, ...).
 */
export function enterSingleSequence(buf: Uint8Array, what: string, limits: DerLimits = DEFAULT_LIMITS): DerCursor {
  const tlv = readSingle(buf, what, limits);
  if (tlv.tag !== Tag.SEQUENCE) throw malformed(`${what}: expected SEQUENCE, found tag 0x${hex2(tlv.tag)}`, 0);
  const root = new DerCursor(buf, 0, buf.length, 0, limits);
  root.next();
  return root.enter(tlv);
}

/*
 * The header just scanned by scanHeader (read right after the call, before
 * anything else scans): identifier octet, tag number, first value octet, and
 * the value length (-1 for an indefinite length).
 */
let hTag = 0;
let hTagNumber = 0;
let hValueStart = 0;
let hLength = 0;

/**
 * Decode the TLV header at `pos`, bounded by `end`, into the h* variables,
 * allocating nothing. Every check of readTlv on the header is here.
 */
function scanHeader(buf: Uint8Array, pos: number, end: number, limits: DerLimits): void {
  const start = pos;
  if (pos >= end) throw malformed('unexpected end of input', pos);
  const tag = buf[pos++]!;
  const constructed = (tag & 0x20) !== 0;
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    // high-tag-number form: base-128, no leading 0x80, at most 4 octets
    tagNumber = 0;
    let n = 0;
    for (;;) {
      if (pos >= end) throw malformed('truncated tag', start);
      const b = buf[pos++]!;
      if (n === 0 && b === 0x80) throw malformed('non-minimal tag encoding', start);
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (++n > 4) throw malformed('tag number too large', start);
      if ((b & 0x80) === 0) break;
    }
    if (tagNumber < 31) throw malformed('non-minimal tag encoding', start);
  }
  if (pos >= end) throw malformed('truncated length', start);
  const first = buf[pos++]!;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else if (first === 0x80) {
    if (!limits.ber) throw malformed('indefinite length is not DER', start);
    if (!constructed) throw malformed('indefinite length on a primitive element', start);
    len = -1;
  } else {
    const n = first & 0x7f;
    if (n === 0x7f) throw malformed('reserved length octet', start);
    if (n > 4) throw malformed('length too large', start);
    if (pos + n > end) throw malformed('truncated length', start);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++]!;
    if (!limits.ber && (len < 0x80 || buf[pos - n] === 0)) throw malformed('non-minimal length encoding', start);
  }
  if (len > end - pos) throw malformed(`length ${len} exceeds the ${end - pos} bytes available`, start);
  hTag = tag;
  hTagNumber = tagNumber;
  hValueStart = pos;
  hLength = len;
}

/** Decode one TLV header at `pos`, bounded by `end`. */
export function readTlv(buf: Uint8Array, pos: number, end: number, depth: number, limits: DerLimits): Tlv {
  scanHeader(buf, pos, end, limits);
  const tag = hTag;
  const valueStart = hValueStart;
  if (hLength < 0) return readIndefinite(buf, pos, tag, hTagNumber, valueStart, end, depth, limits);
  const valueEnd = valueStart + hLength;
  return { tag, tagNumber: hTagNumber, constructed: (tag & 0x20) !== 0, start: pos, valueStart, valueEnd, end: valueEnd, indefinite: false };
}

/** NESTING_TOO_DEEP (at `offset`, the element entered) when an element entered would sit at `depth` beyond `limits`. */
export function checkNesting(depth: number, limits: DerLimits, offset: number): void {
  if (depth > limits.maxDepth) throw new PkiError('NESTING_TOO_DEEP', `nesting deeper than ${limits.maxDepth}`, { offset });
}

/** The value range of an element read by elementAt: one holder per walk, reused for every element. */
export interface ElementRange {
  valueStart: number;
  valueEnd: number;
}

/**
 * DerCursor#expect(tag, what) — or #next() when `tag` is -1 — for the cursor
 * over buf[pos, end), without the cursor or the Tlv: the same checks and
 * errors; the element's value range goes into `out` and its end is returned.
 * For DER limits only (`limits.ber` false: an indefinite length is refused
 * as the cursor refuses it), in hot walks that would otherwise allocate a
 * Tlv and a cursor per element.
 */
export function elementAt(buf: Uint8Array, pos: number, end: number, tag: number, what: string, limits: DerLimits, out: ElementRange): number {
  if (limits.ber) throw new PkiError('INVALID_ARGUMENT', 'elementAt reads DER only');
  if (tag >= 0) {
    if (pos >= end) throw malformed(`missing ${what}`, pos);
    const t = buf[pos]!;
    if (t !== tag) throw malformed(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(t)}`, pos);
  }
  scanHeader(buf, pos, end, limits);
  out.valueStart = hValueStart;
  out.valueEnd = hValueStart + hLength;
  return out.valueEnd;
}

/**
 * Check that buf[pos, end) is a sequence of complete elements, walking into
 * every constructed one (depth counted from `depth`), under `limits`: what
 * entering each element with a DerCursor checks, with no Tlv or cursor
 * allocated. Throws the reader's PkiErrors.
 */
export function checkElements(buf: Uint8Array, pos: number, end: number, depth: number, limits: DerLimits): void {
  while (pos < end) {
    const start = pos;
    scanHeader(buf, pos, end, limits);
    if (hLength < 0) {
      const t = readIndefinite(buf, start, hTag, hTagNumber, hValueStart, end, depth, limits);
      checkElements(buf, t.valueStart, t.valueEnd, depth + 1, limits);
      pos = t.end;
      continue;
    }
    const valueStart = hValueStart;
    const valueEnd = valueStart + hLength;
    if ((hTag & 0x20) !== 0) {
      checkNesting(depth + 1, limits, start);
      checkElements(buf, valueStart, valueEnd, depth + 1, limits);
    }
    pos = valueEnd;
  }
}

function readIndefinite(
  buf: Uint8Array,
  start: number,
  tag: number,
  tagNumber: number,
  valueStart: number,
  end: number,
  depth: number,
  limits: DerLimits,
): Tlv {
  checkNesting(depth + 1, limits, start);
  let pos = valueStart;
  for (;;) {
    if (pos + 2 > end) throw malformed('missing end-of-contents', start);
    if (buf[pos] === 0 && buf[pos + 1] === 0) {
      return { tag, tagNumber, constructed: true, start, valueStart, valueEnd: pos, end: pos + 2, indefinite: true };
    }
    pos = readTlv(buf, pos, end, depth + 1, limits).end;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
