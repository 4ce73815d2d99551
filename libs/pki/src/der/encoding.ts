/**
 * Text wrappers around DER: PEM (one or many blocks) and strict base64, with
 * an input size limit. Failures are PkiErrors (MALFORMED_PEM,
 * MALFORMED_BASE64, INPUT_TOO_LARGE).
 */
import { PkiError } from '../errors';

/** Default upper bound for a single decoded object (certificates, CMS, keys). */
export const DEFAULT_MAX_INPUT = 1024 * 1024;

export function checkSize(n: number, max: number, what: string): void {
  if (n > max) throw new PkiError('INPUT_TOO_LARGE', `${what} is ${n} bytes; the limit is ${max}`, { size: n, limit: max });
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Strict base64 (standard or URL alphabet, whitespace allowed between groups,
 * padding optional). Rejects stray characters instead of skipping them as
 * Buffer.from(s, 'base64') would.
 */
export function decodeBase64(text: string, maxBytes = DEFAULT_MAX_INPUT): Buffer {
  // base64 is 4/3 of the bytes; leave room for line breaks before decoding anything
  checkSize(text.length, maxBytes * 2 + 1024, 'base64 input');
  // the common case, canonical padded standard base64 without whitespace, is recognised by decoding
  // natively and encoding back (the three regular expressions below cost tens of µs for a few KB);
  // what the rules below decide for such a text is exactly this decoding
  const direct = Buffer.from(text, 'base64');
  if (direct.toString('base64') === text) {
    checkSize(direct.length, maxBytes, 'decoded input');
    return direct;
  }
  const s = text.replace(/[\r\n\t ]+/g, '');
  const url = !B64.test(s);
  if (url && !B64URL.test(s)) throw new PkiError('MALFORMED_BASE64', 'input is not base64');
  const body = s.replace(/=+$/, '');
  if (body.length % 4 === 1) throw new PkiError('MALFORMED_BASE64', 'base64 input has a truncated final group');
  if (s.length !== body.length && s.length % 4 !== 0) throw new PkiError('MALFORMED_BASE64', 'base64 padding is wrong');
  const out = Buffer.from(body, url ? 'base64url' : 'base64');
  checkSize(out.length, maxBytes, 'decoded input');
  return out;
}

export interface PemBlock {
  label: string;
  der: Buffer;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/** All PEM blocks in a text, in order. Text outside the blocks is ignored. */
export function decodePemAll(text: string, maxBytes = DEFAULT_MAX_INPUT): PemBlock[] {
  checkSize(text.length, Math.ceil(maxBytes * 1.4) + 4096, 'PEM input');
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const [, begin, body, end] = m;
    if (begin !== end) throw new PkiError('MALFORMED_PEM', `BEGIN ${begin} closed by END ${end}`);
    // RFC 7468 allows no headers in the lax form we accept for certificates; reject encapsulated headers
    if (/^[A-Za-z-]+:/m.test(body!)) throw new PkiError('MALFORMED_PEM', `PEM block ${begin} has headers (encrypted PEM is not supported)`);
    let der: Buffer;
    try {
      der = decodeBase64(body!, maxBytes);
    } catch (e) {
      throw new PkiError('MALFORMED_PEM', `PEM block ${begin}: ${(e as Error).message}`);
    }
    out.push({ label: begin!, der });
  }
  if (out.length === 0 && text.includes('-----BEGIN')) throw new PkiError('MALFORMED_PEM', 'unterminated PEM block');
  return out;
}

/** Exactly one PEM block, optionally of a given label. */
export function decodePem(text: string, label?: string, maxBytes = DEFAULT_MAX_INPUT): Buffer {
  const blocks = decodePemAll(text, maxBytes);
  if (blocks.length !== 1) throw new PkiError('MALFORMED_PEM', `expected one PEM block, found ${blocks.length}`);
  const b = blocks[0]!;
  if (label !== undefined && b.label !== label) throw new PkiError('MALFORMED_PEM', `expected ${label}, found ${b.label}`);
  return b.der;
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/**
 * Accept DER bytes, a PEM text, or base64 text, and return DER: what upload
 * endpoints and file readers need. `label` restricts PEM blocks.
 */
export function toDer(input: Uint8Array | string, label?: string, maxBytes = DEFAULT_MAX_INPUT): Buffer {
  if (typeof input !== 'string') {
    const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    checkSize(buf.length, maxBytes, 'input');
    // a PEM file read as bytes
    if (buf.length > 0 && buf[0] === 0x2d /* '-' */) return decodePem(buf.toString('latin1'), label, maxBytes);
    return buf;
  }
  if (input.includes('-----BEGIN')) return decodePem(input, label, maxBytes);
  return decodeBase64(input, maxBytes);
}
