/**
 * The SSRF guard for OCSP, CRL and AIA URLs (they come from certificates that
 * users upload; DESIGN.md "Security notes"), shared by the verifier and the
 * notifier's revocation re-check:
 *
 *   - schemes: http, https, ldap, ldaps only; no credentials in the URL;
 *   - FETCH_ALLOW_HOSTS (host or host:port, case-insensitive): when non-empty,
 *     only those; `host` alone allows any port of it, `host:port` that port
 *     (the scheme's default port when the URL names none);
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

/** The URL-level allowlist: `allow(url)` is true only for URLs the deployment lets the services fetch. */
export function createFetchAllow(config: Pick<AppConfig, 'FETCH_ALLOW_HOSTS' | 'FETCH_ALLOW_PRIVATE'>): (url: string) => boolean {
  const hosts = new Set(config.FETCH_ALLOW_HOSTS.map((h) => h.toLowerCase()));
  return (url: string): boolean => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const defaultPort = DEFAULT_PORTS[u.protocol];
    if (defaultPort === undefined || u.username !== '' || u.password !== '') return false;
    const host = bare(u.hostname.toLowerCase());
    if (host === '') return false;
    if (hosts.size > 0) {
      const port = u.port || defaultPort;
      const named = host.includes(':') ? `[${host}]` : host;
      if (!hosts.has(host) && !hosts.has(named) && !hosts.has(`${named}:${port}`)) return false;
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
