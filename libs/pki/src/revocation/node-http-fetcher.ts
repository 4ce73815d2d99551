/**
 * The default HttpFetcher on node:http / node:https, for the services to inject
 * (libs/pki itself never opens a socket). SSRF-minded:
 *
 *   - only http: and https: URLs, and only those `allow(url)` accepts (the
 *     service's allowlist of CA responders and directories);
 *   - the addresses a host name resolves to are checked at connect time
 *     (`allowAddress`, default: refuse loopback, private, link-local, CGNAT,
 *     multicast and reserved ranges, IPv4-mapped IPv6 included), so DNS cannot
 *     point an allowed name at the inside; IP literals are checked up front;
 *   - no redirects (a 3xx is returned as it is and callers treat it as a failure);
 *   - the whole exchange bounded by `timeoutMs`, the body by `maxBytes`
 *     (Content-Length checked first, then counted while streaming).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { HttpFetcher } from './types';

export interface NodeHttpFetcherOptions {
  /** URL-level allowlist (scheme and host). Default: every http(s) URL whose host is not a refused IP literal. */
  allow?: (url: string) => boolean;
  /** Connect-time address check. Default: `!isRestrictedAddress(ip)`. */
  allowAddress?: (ip: string, family: 4 | 6) => boolean;
  /** An upper bound on any request's maxBytes. Default 64 MiB. */
  maxBytesCap?: number;
  userAgent?: string;
  /** DNS lookup (tests). Default node:dns lookup. */
  lookup?: typeof dnsLookup;
}

const restricted = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  restricted.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  restricted.addSubnet(net, prefix, 'ipv6');
}

/** Loopback, private, link-local, shared, documentation, multicast or reserved (IPv4-mapped IPv6 judged as IPv4). */
export function isRestrictedAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return restricted.check(ip, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return restricted.check(mapped[1]!, 'ipv4');
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
    if (hexMapped) {
      const hi = parseInt(hexMapped[1]!, 16);
      const lo = parseInt(hexMapped[2]!, 16);
      return restricted.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return restricted.check(ip, 'ipv6');
  }
  return true; // not an address at all: refuse
}

function hostOf(u: URL): string {
  return u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
}

export function createNodeHttpFetcher(options: NodeHttpFetcherOptions = {}): HttpFetcher {
  const allowAddress = options.allowAddress ?? ((ip: string) => !isRestrictedAddress(ip));
  const allowUrl = options.allow ?? ((url: string) => {
    const u = new URL(url);
    const h = hostOf(u);
    return isIP(h) === 0 || allowAddress(h, isIP(h) as 4 | 6);
  });
  const cap = options.maxBytesCap ?? 64 * 1024 * 1024;
  const lookupFn = options.lookup ?? dnsLookup;

  const guardedLookup = (hostname: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void): void => {
    lookupFn(hostname, { ...opts, all: true }, (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) return cb(err);
      const refused = addresses.find((a) => !allowAddress(a.address, a.family as 4 | 6));
      if (refused || addresses.length === 0) return cb(new Error(`address ${refused?.address ?? '(none)'} of ${hostname} is not allowed`));
      if (opts.all) return cb(null, addresses);
      return cb(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

  return (req) =>
    new Promise((resolve, reject) => {
      let u: URL;
      try {
        u = new URL(req.url);
      } catch {
        return reject(new Error('bad URL'));
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return reject(new Error(`scheme ${u.protocol} not allowed`));
      if (u.username || u.password) return reject(new Error('credentials in URL not allowed'));
      let ok: boolean;
      try {
        ok = allowUrl(req.url);
      } catch (e) {
        return reject(new Error(`URL check failed: ${(e as Error).message}`));
      }
      if (!ok) return reject(new Error('URL not allowed'));
      const host = hostOf(u);
      const fam = isIP(host);
      if (fam !== 0 && !allowAddress(host, fam as 4 | 6)) return reject(new Error(`address ${host} is not allowed`));
      const maxBytes = Math.min(req.maxBytes, cap);

      const headers: Record<string, string> = { connection: 'close' };
      if (req.accept) headers.accept = req.accept;
      if (req.contentType) headers['content-type'] = req.contentType;
      if (options.userAgent) headers['user-agent'] = options.userAgent;
      if (req.body) headers['content-length'] = String(req.body.length);

      let settled = false;
      const finish = (e: Error | undefined, v?: { status: number; contentType?: string; body: Buffer }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (e) reject(e);
        else resolve(v!);
      };
      const mod = u.protocol === 'https:' ? https : http;
      const cr = mod.request(u, { method: req.method, headers, lookup: guardedLookup as never, agent: false }, (res) => {
        const len = Number(res.headers['content-length']);
        if (Number.isFinite(len) && len > maxBytes) {
          cr.destroy();
          return finish(new Error(`response of ${len} bytes exceeds the limit of ${maxBytes}`));
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (c: Buffer) => {
          total += c.length;
          if (total > maxBytes) {
            cr.destroy();
            finish(new Error(`response exceeds the limit of ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const ct = res.headers['content-type'];
          finish(undefined, { status: res.statusCode ?? 0, ...(ct !== undefined ? { contentType: ct } : {}), body: Buffer.concat(chunks) });
        });
        res.on('error', (e) => finish(e));
        res.on('aborted', () => finish(new Error('response aborted')));
      });
      const timer = setTimeout(() => {
        finish(new Error(`timed out after ${req.timeoutMs} ms`));
        cr.destroy();
      }, req.timeoutMs);
      timer.unref?.();
      cr.on('error', (e) => finish(e));
      cr.end(req.body ? Buffer.from(req.body) : undefined);
    });
}
