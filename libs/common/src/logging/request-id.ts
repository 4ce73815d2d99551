import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** The characters a kept request id may have: /^[A-Za-z0-9._:@-]{1,128}$/ (no spaces, quotes or control characters). */
const SANE = new Uint8Array(128);
for (const range of ['AZ', 'az', '09', '..', '__', '::', '@@', '--']) {
  for (let c = range.charCodeAt(0); c <= range.charCodeAt(1); c++) SANE[c] = 1;
}

/**
 * A client-supplied id is kept only if it is short and plain: 1 to 128 of
 * the characters above. Every service message's id is checked again, so
 * this runs several times a request: a table lookup per character instead
 * of a regular expression (the spec checks both agree).
 */
export function isSaneRequestId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const n = value.length;
  if (n === 0 || n > 128) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || SANE[c] === 0) return false;
  }
  return true;
}

/** The client's id when it is sane, otherwise a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return isSaneRequestId(header) ? header : randomUUID();
}
