/**
 * The SSRF guard for OCSP, CRL and AIA URLs (they come from certificates that
 * users upload; DESIGN.md "Security notes"), shared by the verifier and the
 * notifier's revocation re-check:
 *
 *   - schemes: http, https, ldap, ldaps only; no credentials in the URL;
 *   - FETCH_ALLOW_HOSTS (host or host:port, case-insensitive): when non-empty,
 *     only those; `host` alone allows any port of it, `host:port` that port
 *     (the scheme's default port when the URL names none);
 *   - hosts are compared normalised, for every scheme alike (ldap:// hosts
 *     are opaque to the WHATWG URL parser, so we normalise them ourselves):
 *     lower case, percent-decoded, one trailing dot dropped ("localhost."),
 *     IPv4 in any numeric form as a dotted quad ("127.1", "2130706433",
 *     "0x7f000001" → 127.0.0.1) — the allowlist and the private-address rule
 *     hold on the URL alone, before any resolution;
 *   - unless FETCH_ALLOW_PRIVATE: IP literals in loopback, private, link-local,
 *     CGNAT, multicast and reserved ranges are refused up front, and host names
 *     are checked again at connect time (Node HttpFetcher: every resolved
 *     address; LDAP: resolved here first, then connected by that address).
 * Timeouts (FETCH_TIMEOUT_MS) and size limits (OCSP_MAX_BYTES, CRL_MAX_BYTES)
 * are applied by the callers of the fetchers.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createLdapFetcher, createNodeHttpFetcher, type HttpFetcher, isRestrictedAddress, type LdapFetcher } from '@jointcert/pki';
import type { AppConfig } from './config';

type GuardConfig = Pick<AppConfig, 'FETCH_ALLOW_HOSTS' | 'FETCH_ALLOW_PRIVATE' | 'OCSP_MAX_BYTES' | 'CRL_MAX_BYTES'>;

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443', 'ldap:': '389', 'ldaps:': '636' };

function bare(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/**
 * A host as the allowlist compares it: the WHATWG host parser of a special
 * scheme (lower case, percent-decoding, IDNA, every numeric IPv4 form to a
 * dotted quad), brackets off, one trailing dot dropped. Undefined when it is
 * not a valid host.
 */
export function normaliseHost(hostname: string): string | undefined {
  const raw = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  if (raw === '' || /[/?#@\\\s]/.test(raw)) return undefined;
  let h: string;
  try {
    h = bare(new URL(`http://${raw}/`).hostname);
  } catch {
    return undefined;
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === '' || h.endsWith('.')) return undefined;
  return h;
}

/** An allowlist entry ("host", "host:port", "[v6]", "[v6]:port") as normalised host and optional port. */
function allowEntry(entry: string): string | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.trim());
  const host = normaliseHost(m ? m[1]! : entry.trim());
  if (host === undefined) return undefined;
  const named = host.includes(':') ? `[${host}]` : host;
  return m?.[2] !== undefined ? `${named}:${Number(m[2])}` : named;
}

/** The URL-level allowlist: `allow(url)` is true only for URLs the deployment lets the services fetch. */
export function createFetchAllow(config: Pick<AppConfig, 'FETCH_ALLOW_HOSTS' | 'FETCH_ALLOW_PRIVATE'>): (url: string) => boolean {
  const hosts = new Set(config.FETCH_ALLOW_HOSTS.map(allowEntry).filter((h): h is string => h !== undefined));
  return (url: string): boolean => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const defaultPort = DEFAULT_PORTS[u.protocol];
    if (defaultPort === undefined || u.username !== '' || u.password !== '') return false;
    const host = normaliseHost(u.hostname);
    if (host === undefined) return false;
    if (hosts.size > 0) {
      const port = u.port || defaultPort;
      const named = host.includes(':') ? `[${host}]` : host;
      if (!hosts.has(named) && !hosts.has(`${named}:${Number(port)}`)) return false;
    }
    if (!config.FETCH_ALLOW_PRIVATE && isIP(host) !== 0 && isRestrictedAddress(host)) return false;
    if (!config.FETCH_ALLOW_PRIVATE && (host === 'localhost' || host.endsWith('.localhost'))) return false;
    return true;
  };
}

export function createGuardedHttpFetcher(config: GuardConfig, allow: (url: string) => boolean, userAgent = 'jointcert-verifier'): HttpFetcher {
  return createNodeHttpFetcher({
    allow,
    ...(config.FETCH_ALLOW_PRIVATE ? { allowAddress: () => true } : {}),
    maxBytesCap: Math.max(config.OCSP_MAX_BYTES, config.CRL_MAX_BYTES),
    userAgent,
  });
}

/**
 * The LDAP fetcher behind the same guard: without FETCH_ALLOW_PRIVATE the
 * host name is resolved here, every address checked, and plain ldap:// is then
 * connected by the checked address (no second resolution to rebind). ldaps://
 * keeps the name for TLS verification after the check.
 */
export function createGuardedLdapFetcher(config: GuardConfig, inner: LdapFetcher = createLdapFetcher()): LdapFetcher {
  if (config.FETCH_ALLOW_PRIVATE) return inner;
  return async (req) => {
    const addrs = isIP(req.host) !== 0 ? [{ address: req.host }] : await lookup(req.host, { all: true });
    const refused = addrs.find((a) => isRestrictedAddress(a.address));
    if (refused !== undefined || addrs.length === 0) throw new Error(`address ${refused?.address ?? '(none)'} of ${req.host} is not allowed`);
    return inner(req.secure ? req : { ...req, host: addrs[0]!.address });
  };
}
