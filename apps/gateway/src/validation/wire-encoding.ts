/**
 * Binary fields as Korean clients send them, normalised once at the edge to
 * the standard padded base64 every service expects:
 *
 *   signedData (CMS SignedData)              randomNum (R, 20 bytes)
 *   - base64, with or without line breaks     - base64 (with or without padding)
 *     (CR/LF, as MIME encoders wrap it)       - hex (40 digits, either case)
 *   - base64url, padded or not
 *   - PEM: -----BEGIN PKCS7----- or
 *     -----BEGIN CMS----- (one block, nothing around it)
 *   - hex (even length, starting 30: a DER SEQUENCE)
 *
 * The forms are told apart without guessing: PEM by its header; hex only when
 * every character is a hex digit AND (CMS) it starts with "30" — standard
 * base64 of a DER SEQUENCE starts with "M", never a hex digit — or (R) it has
 * exactly 40 digits, where base64 of 20 bytes has 27 or 28 characters. One
 * size limit applies to the decoded bytes, whatever the form. Anything else is
 * a WireEncodingError (400 MALFORMED_INPUT naming the field), never a throw
 * of another kind.
 */
import { isCanonicalBase64 } from '@jointcert/contracts';
import { decodeBase64, isPkiError } from '@jointcert/pki';

export type WireForm = 'base64' | 'base64url' | 'pem' | 'hex';
export type WireKind = 'cms' | 'random';

export class WireEncodingError extends Error {
  override name = 'WireEncodingError';
  constructor(
    readonly reason: 'EMPTY' | 'TOO_LARGE' | 'MALFORMED',
    message: string,
  ) {
    super(message);
  }
}

const HEX = /^[0-9A-Fa-f]+$/;
const PEM = /^-----BEGIN (PKCS7|CMS)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END (PKCS7|CMS)-----$/;

/** Longest string accepted for `maxBytes` decoded bytes (hex is the longest form). */
export function maxEncodedLength(maxBytes: number): number {
  return maxBytes * 2 + 256;
}

export function decodeWire(value: string, maxBytes: number, kind: WireKind): { bytes: Buffer; form: WireForm } {
  const s = value.trim();
  if (s.length === 0) throw new WireEncodingError('EMPTY', 'must not be empty');
  if (s.length > maxEncodedLength(maxBytes)) throw tooLarge(maxBytes);
  let bytes: Buffer;
  let form: WireForm;
  if (kind === 'cms' && s.startsWith('-----BEGIN ')) {
    const m = PEM.exec(s);
    if (!m || m[1] !== m[3]) throw new WireEncodingError('MALFORMED', 'PEM must be one -----BEGIN PKCS7----- or -----BEGIN CMS----- block');
    bytes = base64(m[2]!, maxBytes);
    form = 'pem';
  } else if (HEX.test(s) && s.length % 2 === 0 && (kind === 'cms' ? s.startsWith('30') : s.length === 40)) {
    if (s.length / 2 > maxBytes) throw tooLarge(maxBytes);
    bytes = Buffer.from(s, 'hex');
    form = 'hex';
  } else {
    if (/[\t ]/.test(s)) throw new WireEncodingError('MALFORMED', 'must be base64 (line breaks allowed, no spaces), base64url, PEM or hex');
    bytes = base64(s, maxBytes);
    form = /[-_]/.test(s) ? 'base64url' : 'base64';
  }
  if (bytes.length === 0) throw new WireEncodingError('EMPTY', 'must not be empty');
  return { bytes, form };
}

/**
 * True when `s` is what decodeWire + re-encoding would return unchanged: the
 * standard padded base64 most clients send. Node's decoder is lenient, so
 * the test is that its bytes encode back to `s` exactly (libs/contracts
 * isCanonicalBase64: no other alphabet, whitespace, bits after the last byte
 * or misplaced padding; it remembers a signedData's bytes for the service
 * that checks and decodes it next) — cheaper than the regular expressions of
 * the full path. Anything else, the hex forms and what is over the limit
 * take the full path (its errors).
 */
export function canonicalBase64(s: string, maxBytes: number, kind: WireKind): boolean {
  const n = s.length;
  if (n === 0 || n % 4 !== 0) return false;
  // decoded size: 3 bytes a group, less the padding (canonical text pads with at most two '=')
  const bytes = (n / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
  if (bytes > maxBytes) return false;
  // what decodeWire takes for hex (standard base64 can consist of hex digits only)
  if (kind === 'cms' ? s.startsWith('30') && HEX.test(s) : n === 40 && HEX.test(s)) return false;
  return isCanonicalBase64(s);
}

/** The value as standard padded base64 (what the services take). */
export function normaliseWire(value: string, maxBytes: number, kind: WireKind): string {
  if (canonicalBase64(value, maxBytes, kind)) return value;
  return decodeWire(value, maxBytes, kind).bytes.toString('base64');
}

function base64(s: string, maxBytes: number): Buffer {
  try {
    return decodeBase64(s, maxBytes);
  } catch (e) {
    if (isPkiError(e, 'INPUT_TOO_LARGE')) throw tooLarge(maxBytes);
    throw new WireEncodingError('MALFORMED', 'must be base64 (line breaks allowed), base64url, PEM or hex');
  }
}

function tooLarge(maxBytes: number): WireEncodingError {
  return new WireEncodingError('TOO_LARGE', `must decode to at most ${maxBytes} bytes`);
}
