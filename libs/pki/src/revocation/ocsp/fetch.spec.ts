/**
 * ocspFetch over the Node HttpFetcher against local servers that misbehave:
 * one that never answers, garbage, HTTP errors, redirects, oversized bodies;
 * and the fetcher's SSRF refusals.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCertificate } from '../../cert/parse';
import { issue, testKey } from '../../issuing';
import { createNodeHttpFetcher, isRestrictedAddress } from '../node-http-fetcher';
import { ocspFetch, ocspGetUrl } from './fetch';
import { buildOcspRequest } from './request';

const ca = issue({ subject: 'CN=CA', keys: testKey('f-ca'), extensions: { basicConstraints: { ca: true } } });
const leaf = issue({ subject: 'CN=leaf', keys: testKey('f-leaf', 'ec-p256'), issuer: ca });
const request = buildOcspRequest(parseCertificate(leaf.der), parseCertificate(ca.der), { hash: 'sha1' }).der;

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let server: Server;
let base: string;
let handler: Handler = (_q, res) => res.end();
const seen: { method: string; url: string; contentType?: string; body: Buffer }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}), body });
      handler(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const local = createNodeHttpFetcher({ allowAddress: () => true });
const opts = { method: 'POST' as const, timeoutMs: 300, maxBytes: 4096 };

describe('ocspFetch', () => {
  it('a responder that never answers: FETCH_FAILED within the timeout', async () => {
    handler = () => undefined; // hold the request open
    const t0 = process.hrtime.bigint();
    const r = await ocspFetch(base, request, local, opts);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(r).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    if (!r.ok) expect(r.detail).toMatch(/timed out/);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2000);
  });

  it('a fetcher that ignores its timeout cannot hang us either', async () => {
    const never = (): Promise<never> => new Promise(() => undefined);
    const r = await ocspFetch(base, request, never, { ...opts, timeoutMs: 50 });
    expect(r).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
  });

  it('garbage: MALFORMED_RESPONSE; empty: MALFORMED_RESPONSE', async () => {
    handler = (_q, res) => res.end('<html>hello</html>');
    expect(await ocspFetch(base, request, local, opts)).toMatchObject({ ok: false, reason: 'MALFORMED_RESPONSE' });
    handler = (_q, res) => res.end();
    expect(await ocspFetch(base, request, local, opts)).toMatchObject({ ok: false, reason: 'MALFORMED_RESPONSE' });
  });

  it('HTTP errors and redirects: FETCH_FAILED, redirects not followed', async () => {
    handler = (_q, res) => {
      res.statusCode = 500;
      res.end();
    };
    expect(await ocspFetch(base, request, local, opts)).toMatchObject({ ok: false, reason: 'FETCH_FAILED', detail: 'HTTP status 500' });
    seen.length = 0;
    handler = (_q, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data/');
      res.end();
    };
    expect(await ocspFetch(base, request, local, opts)).toMatchObject({ ok: false, reason: 'FETCH_FAILED', detail: 'HTTP status 302' });
    expect(seen.length).toBe(1);
  });

  it('bodies beyond maxBytes: FETCH_FAILED (declared or streamed)', async () => {
    handler = (_q, res) => res.end(Buffer.alloc(10_000));
    expect(await ocspFetch(base, request, local, opts)).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    handler = (_q, res) => {
      res.write(Buffer.alloc(3000));
      res.end(Buffer.alloc(3000)); // chunked, no Content-Length
    };
    const r = await ocspFetch(base, request, local, opts);
    expect(r).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
  });

  it('POST sends application/ocsp-request; GET puts base64 in the path; large GETs fall back to POST', async () => {
    handler = (_q, res) => res.end('x');
    seen.length = 0;
    await ocspFetch(base, request, local, opts);
    await ocspFetch(`${base}/ocsp`, request, local, { ...opts, method: 'GET' });
    expect(seen[0]).toMatchObject({ method: 'POST', contentType: 'application/ocsp-request' });
    expect(Buffer.from(seen[0]!.body).equals(request)).toBe(true);
    expect(seen[1]!.method).toBe('GET');
    expect(Buffer.from(decodeURIComponent(seen[1]!.url.replace('/ocsp/', '')), 'base64').equals(request)).toBe(true);
    expect(ocspGetUrl('http://x/', Buffer.alloc(300))).toBeUndefined();
    seen.length = 0;
    await ocspFetch(base, Buffer.alloc(300), local, { ...opts, method: 'GET' });
    expect(seen[0]!.method).toBe('POST');
  });

  it('refuses URLs the allow hook refuses, and non-http schemes, without a request', async () => {
    seen.length = 0;
    expect(await ocspFetch(base, request, local, { ...opts, allow: () => false })).toMatchObject({ ok: false, reason: 'FETCH_FAILED', detail: 'URL not allowed' });
    expect(await ocspFetch('ldap://x/y', request, local, opts)).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    expect(await ocspFetch('file:///etc/passwd', request, local, opts)).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    expect(seen.length).toBe(0);
  });
});

describe('createNodeHttpFetcher: SSRF guard', () => {
  const strict = createNodeHttpFetcher();
  const req = { method: 'GET' as const, timeoutMs: 1000, maxBytes: 1000 };

  it('refuses loopback and private literals by default', async () => {
    seen.length = 0;
    await expect(strict({ ...req, url: base })).rejects.toThrow(/not allowed/);
    await expect(strict({ ...req, url: 'http://[::1]:1/' })).rejects.toThrow(/not allowed/);
    await expect(strict({ ...req, url: 'http://[::ffff:7f00:1]:1/' })).rejects.toThrow(/not allowed/);
    await expect(strict({ ...req, url: 'http://10.1.2.3/' })).rejects.toThrow(/not allowed/);
    await expect(strict({ ...req, url: 'http://user:pw@example.test/' })).rejects.toThrow(/credentials/);
    await expect(strict({ ...req, url: 'ftp://example.test/' })).rejects.toThrow(/scheme/);
    expect(seen.length).toBe(0);
  });

  it('refuses host names that resolve to a restricted address (checked at connect time)', async () => {
    const f = createNodeHttpFetcher({
      lookup: ((_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address: '127.0.0.1', family: 4 }])) as never,
    });
    const port = new URL(base).port;
    seen.length = 0;
    await expect(f({ ...req, url: `http://ocsp.example.test:${port}/` })).rejects.toThrow(/127\.0\.0\.1.*not allowed/);
    expect(seen.length).toBe(0);
  });

  it('uses the allow hook of the service', async () => {
    const f = createNodeHttpFetcher({ allow: (u) => new URL(u).hostname === 'ocsp.yessign.org', allowAddress: () => true });
    await expect(f({ ...req, url: base })).rejects.toThrow(/URL not allowed/);
  });

  it('classifies addresses', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', 'not-an-ip']) {
      expect(`${a}:${isRestrictedAddress(a)}`).toBe(`${a}:true`);
    }
    for (const a of ['211.35.96.1', '8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(`${a}:${isRestrictedAddress(a)}`).toBe(`${a}:false`);
  });
});
