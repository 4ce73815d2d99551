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

/** Whether `s` is canonical base64 (the empty text is). A long one is remembered with its bytes for takeRememberedBase64. */
export function isCanonicalBase64(s: string): boolean {
  if (remembered !== null && remembered.text === s) return true;
  const bytes = Buffer.from(s, 'base64');
  if (bytes.toString('base64') !== s) return false;
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
