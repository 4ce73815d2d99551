/**
 * fetchCrl: download and parse a CRL from a distribution-point URL.
 *
 *   - http(s):// through the injected HttpFetcher (GET, status 200 only);
 *   - ldap(s)://host:port/dn?attr (RFC 4516) through the injected LdapFetcher
 *     (default implementation: ./ldap-fetcher.ts), which reads
 *     `certificateRevocationList;binary` and falls back to `certificateRevocationList`.
 * Bodies may be DER or PEM ("X509 CRL"). Every URL goes through `allow(url)`
 * first (the service's SSRF allowlist); the library opens no socket itself.
 * The whole fetch is bounded by `timeoutMs` here too, whatever the fetcher does,
 * and the body by `maxBytes`.
 *
 * Failures are returned, not thrown: FETCH_FAILED (disallowed or unsupported
 * URL, network error, timeout, HTTP status, size) or MALFORMED_RESPONSE
 * (the body is not a CRL), matching RevocationUnknownReason.
 */
import { PkiError } from '../../errors';
import type { HttpFetcher } from '../types';
import { parseCrl } from './parse';
import type { Crl, ParseCrlOptions } from './types';
import { withTimeout } from '../timeout';

/** A parsed LDAP URL plus the limits, as handed to an LdapFetcher. */
export interface LdapRequest {
  /** The original URL (for messages). */
  url: string;
  host: string;
  port: number;
  /** ldaps:// (TLS from the start). */
  secure: boolean;
  /** Base DN, percent-decoded. */
  dn: string;
  /** Attribute descriptions to ask for, in order of preference (e.g. the ;binary form first). */
  attributes: string[];
  timeoutMs: number;
  maxBytes: number;
}

/**
 * Reads one attribute value of one entry (base-scope search, anonymous bind):
 * the first of `attributes` the entry has. Rejects on any failure.
 */
export type LdapFetcher = (request: LdapRequest) => Promise<Uint8Array>;

export interface CrlFetchDeps {
  http: HttpFetcher;
  ldap: LdapFetcher;
  /** The SSRF guard: only URLs it accepts are fetched. */
  allow: (url: string) => boolean;
  maxBytes: number;
  timeoutMs: number;
  /** Passed to parseCrl (maxBytes defaults to deps.maxBytes). */
  parse?: ParseCrlOptions;
}

export type CrlFetchResult =
  | { ok: true; url: string; crl: Crl; bytes: number }
  | { ok: false; url: string; reason: 'FETCH_FAILED' | 'MALFORMED_RESPONSE'; detail: string };

export interface LdapUrl {
  host: string;
  port: number;
  secure: boolean;
  dn: string;
  attributes: string[];
  scope: 'base';
}

/**
 * RFC 4516 LDAP URL: ldap://host[:port]/dn[?attributes[?scope[?filter[?extensions]]]].
 * Only what a CRL distribution point needs: a host (no default server), base
 * scope (or empty), no critical extensions. The filter is ignored (a base
 * search reads the named entry). Throws PkiError('INVALID_ARGUMENT').
 */
export function parseLdapUrl(url: string): LdapUrl {
  const m = /^(ldaps?):\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^?#]*))?(?:\?([^?#]*))?(?:\?([^?#]*))?(?:\?([^?#]*))?$/i.exec(url);
  if (!m) throw invalid(url, 'not an LDAP URL');
  const secure = m[1]!.toLowerCase() === 'ldaps';
  const hostPort = m[2]!;
  const hp = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!hp) throw invalid(url, hostPort === '' ? 'no host (a default LDAP server is not supported)' : `bad host "${hostPort}"`);
  const host = hp[1]!.startsWith('[') ? hp[1]!.slice(1, -1) : pct(url, hp[1]!);
  const port = hp[2] !== undefined ? Number(hp[2]) : secure ? 636 : 389;
  if (port < 1 || port > 65535) throw invalid(url, `bad port ${hp[2]}`);
  const dn = pct(url, m[3] ?? '');
  if (dn === '') throw invalid(url, 'no DN');
  const attributes = (m[4] ?? '')
    .split(',')
    .map((a) => pct(url, a).trim())
    .filter((a) => a !== '');
  for (const a of attributes) if (!/^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$|^\d+(\.\d+)+(;[A-Za-z0-9-]+)*$/.test(a)) throw invalid(url, `bad attribute "${a}"`);
  const scope = (m[5] ?? '').toLowerCase();
  if (scope !== '' && scope !== 'base') throw invalid(url, `scope "${scope}" (only base is used for a distribution point)`);
  for (const ext of (m[7] ?? '').split(',')) {
    if (ext.startsWith('!')) throw invalid(url, `critical extension "${pct(url, ext)}"`);
  }
  return { host, port, secure, dn, attributes, scope: 'base' };
}

function pct(url: string, s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalid(url, 'bad percent-encoding');
  }
}

function invalid(url: string, why: string): PkiError {
  return new PkiError('INVALID_ARGUMENT', `LDAP URL ${url}: ${why}`, { url });
}

/** The attribute descriptions to request: each named one as ;binary first, then plain; default certificateRevocationList. */
export function crlAttributes(named: readonly string[]): string[] {
  const base = named.length > 0 ? named.map((a) => a.replace(/;binary$/i, '')) : ['certificateRevocationList'];
  const out: string[] = [];
  for (const b of base) for (const a of [`${b};binary`, b]) if (!out.includes(a)) out.push(a);
  return out;
}

export async function fetchCrl(url: string, deps: CrlFetchDeps): Promise<CrlFetchResult> {
  const fail = (reason: 'FETCH_FAILED' | 'MALFORMED_RESPONSE', detail: string): CrlFetchResult => ({ ok: false, url, reason, detail });
  let allowed: boolean;
  try {
    allowed = deps.allow(url);
  } catch (e) {
    return fail('FETCH_FAILED', `URL check failed: ${message(e)}`);
  }
  if (!allowed) return fail('FETCH_FAILED', 'URL not allowed');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  let body: Uint8Array;
  try {
    if (scheme === 'http' || scheme === 'https') {
      const res = await withTimeout(
        deps.http({ url, method: 'GET', accept: 'application/pkix-crl, application/x-pkcs7-crl;q=0.9, */*;q=0.1', timeoutMs: deps.timeoutMs, maxBytes: deps.maxBytes }),
        deps.timeoutMs,
      );
      if (res.status !== 200) return fail('FETCH_FAILED', `HTTP status ${res.status}`);
      body = res.body;
    } else if (scheme === 'ldap' || scheme === 'ldaps') {
      let u: LdapUrl;
      try {
        u = parseLdapUrl(url);
      } catch (e) {
        return fail('FETCH_FAILED', message(e));
      }
      body = await withTimeout(
        deps.ldap({ url, host: u.host, port: u.port, secure: u.secure, dn: u.dn, attributes: crlAttributes(u.attributes), timeoutMs: deps.timeoutMs, maxBytes: deps.maxBytes }),
        deps.timeoutMs,
      );
    } else {
      return fail('FETCH_FAILED', `unsupported URL scheme ${scheme ?? '(none)'}`);
    }
  } catch (e) {
    return fail('FETCH_FAILED', message(e));
  }
  if (body.length > deps.maxBytes) return fail('FETCH_FAILED', `CRL of ${body.length} bytes exceeds the limit of ${deps.maxBytes}`);
  if (body.length === 0) return fail('MALFORMED_RESPONSE', 'empty body');
  try {
    const crl = parseCrl(leadingTrimmed(body), { maxBytes: deps.maxBytes, ...deps.parse });
    return { ok: true, url, crl, bytes: body.length };
  } catch (e) {
    return fail('MALFORMED_RESPONSE', message(e));
  }
}

/** PEM bodies may start with whitespace; DER never does (it starts with 0x30). */
function leadingTrimmed(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && i < 64 && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i > 0 && b[i] === 0x2d ? b.subarray(i) : b;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

