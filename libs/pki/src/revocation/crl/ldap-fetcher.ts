/**
 * The default LdapFetcher, on ldapts (8.x: dual CommonJS/ESM build for
 * Node ≥ 20; 9.x declares Node ≥ 22). What a service injects into fetchCrl;
 * libs/pki itself never calls it.
 *
 * One connection per fetch: anonymous simple bind, base-scope search of the
 * DN for the requested attributes (the `;binary` form first), the first value
 * found returned as bytes, then unbind. Bounded by the request's timeout
 * (connect and operations). Bounded in bytes like the HTTP fetcher: every
 * byte the directory sends is counted on the socket, and past maxBytes plus
 * LDAP_FRAMING_ALLOWANCE (the LDAP envelope around the value) the connection
 * is destroyed and the fetch fails — ldapts buffers whole LDAP messages, so
 * without this a hostile directory could push any amount until the timeout.
 * The value found is checked against maxBytes too.
 */
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { LdapFetcher, LdapRequest } from './fetch';

export interface LdapFetcherOptions {
  /** TLS options for ldaps:// (e.g. a CA bundle). */
  tlsOptions?: ConnectionOptions;
}

/** Bytes allowed on the wire beyond maxBytes: bind response, search result envelope, attribute names. */
export const LDAP_FRAMING_ALLOWANCE = 16 * 1024;

/** Count what the server sends on ldapts' socket (a private member: guarded, fails closed if absent). */
function capSocket(client: Client, limit: number, onExceeded: (total: number) => void): void {
  const socket = (client as unknown as { socket?: Socket }).socket;
  if (!socket) throw new Error('LDAP client has no socket to bound');
  let total = 0;
  socket.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > limit) {
      onExceeded(total);
      socket.destroy(new Error(`LDAP response exceeds the limit of ${limit} bytes`));
    }
  });
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
    let exceeded: number | undefined;
    try {
      await client.bind('', '');
      capSocket(client, req.maxBytes + LDAP_FRAMING_ALLOWANCE, (n) => (exceeded = n));
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
    } catch (e) {
      if (exceeded !== undefined) throw new Error(`LDAP response exceeds the limit of ${req.maxBytes} bytes (+${LDAP_FRAMING_ALLOWANCE} framing): cut after ${exceeded} bytes`, { cause: e });
      throw e;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
}

/** The fetcher services inject by default. */
export const defaultLdapFetcher: LdapFetcher = createLdapFetcher();
