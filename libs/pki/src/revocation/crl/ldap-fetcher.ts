/**
 * The default LdapFetcher, on ldapts (8.x: dual CommonJS/ESM build for
 * Node ≥ 20; 9.x declares Node ≥ 22). What a service injects into fetchCrl;
 * libs/pki itself never calls it.
 *
 * One connection per fetch: anonymous simple bind, base-scope search of the
 * DN for the requested attributes (the `;binary` form first), the first value
 * found returned as bytes, then unbind. Bounded by the request's timeout
 * (connect and operations). The size limit is checked on the value received:
 * ldapts buffers whole LDAP messages, so a directory sending more than
 * maxBytes is cut off only by the timeout or its own size — keep the allowlist
 * to the CAs' directories.
 */
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { LdapFetcher, LdapRequest } from './fetch';

export interface LdapFetcherOptions {
  /** TLS options for ldaps:// (e.g. a CA bundle). */
  tlsOptions?: ConnectionOptions;
}

export function createLdapFetcher(options: LdapFetcherOptions = {}): LdapFetcher {
  return async (req: LdapRequest): Promise<Uint8Array> => {
    const host = req.host.includes(':') ? `[${req.host}]` : req.host;
    const client = new Client({
      url: `${req.secure ? 'ldaps' : 'ldap'}://${host}:${req.port}`,
      timeout: req.timeoutMs,
      connectTimeout: req.timeoutMs,
      // the DN comes percent-decoded from the URL; the server judges it
      strictDN: false,
      ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
    });
    try {
      await client.bind('', '');
      const variants = [...new Set(req.attributes.flatMap((a) => [a, a.toLowerCase()]))];
      const { searchEntries } = await client.search(req.dn, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: req.attributes,
        explicitBufferAttributes: variants,
        sizeLimit: 1,
        timeLimit: Math.max(1, Math.ceil(req.timeoutMs / 1000)),
      });
      const entry = searchEntries[0];
      if (!entry) throw new Error(`LDAP entry ${req.dn} not found`);
      const keys = Object.keys(entry);
      for (const want of req.attributes) {
        const k = keys.find((x) => x.toLowerCase() === want.toLowerCase());
        if (k === undefined) continue;
        const v = entry[k];
        const first = Array.isArray(v) ? v[0] : v;
        if (first === undefined || (typeof first !== 'string' && first.length === 0)) continue;
        const bytes = typeof first === 'string' ? Buffer.from(first, 'latin1') : first;
        if (bytes.length > req.maxBytes) throw new Error(`LDAP attribute ${k} of ${bytes.length} bytes exceeds ${req.maxBytes}`);
        return bytes;
      }
      throw new Error(`LDAP entry ${req.dn} has none of ${req.attributes.join(', ')}`);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
}

/** The fetcher services inject by default. */
export const defaultLdapFetcher: LdapFetcher = createLdapFetcher();
