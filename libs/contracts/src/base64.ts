/**
 * Canonical base64 — standard alphabet, padded, no whitespace, zero bits
 * after the last byte: what every encoder writes — checked by decoding
 * natively and encoding back, and decoded once per value.
 *
 * A binary field of a request is checked where it enters (the gateway's REST
 * schema), checked again by the contract's schema of the service it is sent
 * to (fields.ts), then decoded by that service's handler. When the service
 * runs in the caller's process (COLOCATE) the very string is handed on, and
 * a signedData of a few KB was decoded three times for one request. So the
 * last canonical text seen is remembered with its bytes: checking it again
 * costs a comparison, and the handler takes the bytes instead of decoding.
 *
 *   - The memory is one slot, exact and bounded: an equal text (===) is the
 *     only hit, so another value can never be taken for it; a miss (another
 *     request came between) decodes as before. Only texts of
 *     REMEMBERED_MIN_CHARS to REMEMBERED_MAX_CHARS are kept: a short value is
 *     cheap to decode, and a short secret (identity.randomNum, 28 characters)
 *     is never kept or compared with what another request sends.
 *   - The bytes are handed over once (takeRememberedBase64 forgets them), so
 *     no two callers ever share a Buffer.
 */

/** Shorter texts are decoded each time (and never remembered). */
export const REMEMBERED_MIN_CHARS = 512;
/** Longer texts too (a signedData of SIGNED_DATA_MAX_BYTES is about 87,400). */
export const REMEMBERED_MAX_CHARS = 96 * 1024;

let remembered: { text: string; bytes: Buffer } | null = null;

/** Each standard base64 character's value by its code ('+' 62, '/' 63), -1 for every other code below 128. */
const VALUE = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) VALUE[c.charCodeAt(0)] = i;

/**
 * Whether `bytes`, Node's decoding of `s`, encode back to exactly `s`
 * (bytes.toString('base64') === s) — told without writing that text (a
 * signedData's is kilobytes). Node's decoder takes each character of either
 * alphabet (standard, or url's - and _; a character above 255 by its low
 * byte, so text that is not ASCII is refused first) as six bits, skips any other, stops
 * at an '=', and writes the whole bytes of the bits it took. With the length
 * a multiple of 4 and p (≤ 2) trailing '=', canonical text decodes to exactly
 * 3·length/4 − p bytes; a skipped or stray character, or an '=' before the
 * end, takes at least one character fewer, which always loses a byte here
 * (the count of characters taken is 0, 2 or 3 mod 4). So the bytes are
 * right in number exactly when every other character was taken; then it is
 * canonical when none is from the url alphabet and the bits after the last
 * byte (in the character before the padding) are zero. The spec checks this
 * against the re-encoding on every one-character change.
 */
function encodesBackTo(bytes: Buffer, s: string): boolean {
  const n = s.length;
  if (n % 4 !== 0) return false;
  const pad = n > 0 && s.charCodeAt(n - 1) === 0x3d ? (s.charCodeAt(n - 2) === 0x3d ? 2 : 1) : 0;
  if (bytes.length !== (n / 4) * 3 - pad) return false;
  // the decoder reads a character above 255 by its low byte: only ASCII text, and none of the url alphabet
  if (Buffer.byteLength(s, 'utf8') !== n || s.includes('-') || s.includes('_')) return false;
  if (pad === 0) return true;
  const last = VALUE[s.charCodeAt(n - 1 - pad)] ?? -1;
  return last >= 0 && (last & (pad === 2 ? 0x0f : 0x03)) === 0;
}

/** Whether `s` is canonical base64 (the empty text is). A long one is remembered with its bytes for takeRememberedBase64. */
export function isCanonicalBase64(s: string): boolean {
  if (remembered !== null && remembered.text === s) return true;
  const bytes = Buffer.from(s, 'base64');
  if (!encodesBackTo(bytes, s)) return false;
  if (s.length >= REMEMBERED_MIN_CHARS && s.length <= REMEMBERED_MAX_CHARS) remembered = { text: s, bytes };
  return true;
}

/** The bytes of `s` when it is the canonical text last remembered (then forgotten: they are the caller's alone), else undefined. */
export function takeRememberedBase64(s: string): Buffer | undefined {
  if (remembered === null || remembered.text !== s) return undefined;
  const { bytes } = remembered;
  remembered = null;
  return bytes;
}
