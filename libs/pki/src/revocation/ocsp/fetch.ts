/**
 * ocspFetch: send an OCSPRequest over HTTP (RFC 6960 Appendix A) through the
 * injected HttpFetcher and parse the answer.
 *
 *   POST: body = DER, Content-Type application/ocsp-request.
 *   GET:  {url}/{percent-encoded base64 of the DER} (A.1), used only when that
 *         path segment is at most 255 bytes; larger requests go by POST.
 *
 * Failures are returned, not thrown: FETCH_FAILED (URL refused by `allow`,
 * unsupported scheme, network error, timeout, HTTP status ≠ 200, size) or
 * MALFORMED_RESPONSE (the body is not an OCSPResponse). The whole exchange is
 * bounded by `timeoutMs` here too, whatever the fetcher does.
 */
import { isPkiError } from '../../errors';
import type { HttpFetcher } from '../types';
import { parseOcspResponse } from './parse';
import type { OcspResponse } from './types';
import { withTimeout } from '../timeout';

export interface OcspFetchOptions {
  method: 'POST' | 'GET';
  timeoutMs: number;
  maxBytes: number;
  /** The SSRF guard: only URLs it accepts are fetched. Default: any http(s) URL (the fetcher applies its own policy). */
  allow?: (url: string) => boolean;
}

export type OcspFetchResult =
  | { ok: true; url: string; method: 'POST' | 'GET'; response: OcspResponse; bytes: number; contentType?: string }
  | { ok: false; url: string; reason: 'FETCH_FAILED' | 'MALFORMED_RESPONSE'; detail: string };

export const OCSP_GET_MAX = 255;

/** The GET URL for a request, or undefined when its encoding exceeds 255 bytes. */
export function ocspGetUrl(url: string, request: Uint8Array): string | undefined {
  const seg = encodeURIComponent(Buffer.from(request).toString('base64'));
  if (seg.length > OCSP_GET_MAX) return undefined;
  return url.endsWith('/') ? url + seg : `${url}/${seg}`;
}

export async function ocspFetch(url: string, request: Uint8Array, http: HttpFetcher, opts: OcspFetchOptions): Promise<OcspFetchResult> {
  const fail = (reason: 'FETCH_FAILED' | 'MALFORMED_RESPONSE', detail: string): OcspFetchResult => ({ ok: false, url, reason, detail });
  if (!/^https?:\/\//i.test(url)) return fail('FETCH_FAILED', 'unsupported URL scheme (OCSP over http/https only)');
  try {
    if (opts.allow && !opts.allow(url)) return fail('FETCH_FAILED', 'URL not allowed');
  } catch (e) {
    return fail('FETCH_FAILED', `URL check failed: ${message(e)}`);
  }
  const getUrl = opts.method === 'GET' ? ocspGetUrl(url, request) : undefined;
  const method = getUrl !== undefined ? 'GET' : 'POST';
  let res: Awaited<ReturnType<HttpFetcher>>;
  try {
    res = await withTimeout(
      getUrl !== undefined
        ? http({ url: getUrl, method: 'GET', accept: 'application/ocsp-response', timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes })
        : http({
            url,
            method: 'POST',
            body: request,
            contentType: 'application/ocsp-request',
            accept: 'application/ocsp-response',
            timeoutMs: opts.timeoutMs,
            maxBytes: opts.maxBytes,
          }),
      opts.timeoutMs,
    );
  } catch (e) {
    return fail('FETCH_FAILED', message(e));
  }
  if (res.status !== 200) return fail('FETCH_FAILED', `HTTP status ${res.status}`);
  if (res.body.length > opts.maxBytes) return fail('FETCH_FAILED', `response of ${res.body.length} bytes exceeds the limit of ${opts.maxBytes}`);
  if (res.body.length === 0) return fail('MALFORMED_RESPONSE', 'empty body');
  // the content type is not required: some CA responders send text/plain or none; the DER decides
  try {
    const response = parseOcspResponse(res.body, { maxBytes: opts.maxBytes });
    return { ok: true, url, method, response, bytes: res.body.length, ...(res.contentType !== undefined ? { contentType: res.contentType } : {}) };
  } catch (e) {
    if (isPkiError(e, 'INPUT_TOO_LARGE')) return fail('FETCH_FAILED', e.message);
    return fail('MALFORMED_RESPONSE', message(e));
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

