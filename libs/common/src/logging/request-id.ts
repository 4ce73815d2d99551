import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A client-supplied id is kept only if it is short and plain: no spaces, quotes or control characters. */
const SANE = /^[A-Za-z0-9._:@-]{1,128}$/;

export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE.test(value);
}

/** The client's id when it is sane, otherwise a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return isSaneRequestId(header) ? header : randomUUID();
}
