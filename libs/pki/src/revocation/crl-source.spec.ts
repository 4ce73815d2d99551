/**
 * FetchingCrlSource over the real CRL engine (fetchCrl → parseCrl → checkCrl)
 * with CRLs served by a local HTTP server, and the checker falling back to it
 * when the OCSP responder is down.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { buildCrl, DAY, issue, type Issued, TEST_TIME, testKey } from '../issuing';
import { RevocationChecker } from './checker';
import { FetchingCrlSource } from './crl-source';
import { fetchCrl } from './crl/fetch';
import { parseCrl } from './crl/parse';
import { createNodeHttpFetcher } from './node-http-fetcher';
import type { HttpFetcher } from './types';

const MIN = 60_000;
let now = TEST_TIME;
const clock = { now: (): number => now };

let server: Server;
let base: string;
let hits = 0;
let serveStatus = 200;
let crlDer: Buffer = Buffer.alloc(0);
/** Per-path bodies (delta CRLs...); other paths get crlDer. */
const routes = new Map<string, Buffer>();
let caI: Issued;
let ca: Certificate;
let good: Certificate;
let revoked: Certificate;
let elsewhere: Certificate;

const http: HttpFetcher = createNodeHttpFetcher({ allowAddress: () => true });
const noLdap = (): Promise<Uint8Array> => Promise.reject(new Error('no LDAP here'));

function makeCrl(thisUpdate: number, nextUpdate: number): Buffer {
  return buildCrl({ issuer: 'CN=CRL CA,O=yessign,C=KR', issuerKey: caI.key, thisUpdate, nextUpdate, crlNumber: 1, entries: [{ serial: 0x2002n, revokedAt: thisUpdate - DAY, reason: 'keyCompromise' }] });
}

function source(): FetchingCrlSource {
  return new FetchingCrlSource({
    fetch: (url) => fetchCrl(url, { http, ldap: noLdap, allow: () => true, maxBytes: 1 << 20, timeoutMs: 2000 }),
    clock,
    refreshMarginMs: 10 * MIN,
    backoffBaseMs: 30_000,
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    res.statusCode = req.url === '/missing.crl' ? 404 : serveStatus;
    res.end(res.statusCode === 200 ? (routes.get(req.url ?? '') ?? crlDer) : undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  caI = issue({ subject: 'CN=CRL CA,O=yessign,C=KR', keys: testKey('cs-ca'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
  ca = parseCertificate(caI.der);
  const leaf = (serial: bigint, cdp: string): Certificate =>
    parseCertificate(
      issue({
        subject: `CN=u${serial},O=yessign,C=KR`,
        serial,
        keys: testKey('cs-leaf', 'ec-p256'),
        issuer: caI,
        extensions: { crlDistributionPoints: [cdp], authorityInfoAccess: { ocsp: 'http://ocsp.down.test/' } },
      }).der,
    );
  good = leaf(0x2001n, `${base}/ca.crl`);
  revoked = leaf(0x2002n, `${base}/ca.crl`);
  elsewhere = leaf(0x2003n, `${base}/missing.crl`);
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  now = TEST_TIME;
  hits = 0;
  serveStatus = 200;
  crlDer = makeCrl(now - MIN, now + 60 * MIN);
  routes.clear();
});

describe('FetchingCrlSource with the CRL engine', () => {
  it('good and revoked from one fetched CRL; later checks use the cached CRL', async () => {
    const s = source();
    expect(await s.check({ cert: good, issuer: ca, at: now }, now)).toMatchObject({ status: 'good', source: 'crl', cached: false, url: `${base}/ca.crl` });
    expect(await s.check({ cert: revoked, issuer: ca, at: now }, now)).toMatchObject({ status: 'revoked', reason: 'keyCompromise', revokedAt: now - MIN - DAY, cached: true });
    expect(hits).toBe(1);
  });

  it('concurrent checks share one fetch', async () => {
    const s = source();
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => s.check({ cert: i % 2 ? good : revoked, issuer: ca, at: now }, now)));
    expect(hits).toBe(1);
    expect(all.filter((x) => x.status === 'revoked').length).toBe(100);
  });

  it('fetches again once the cached CRL reaches nextUpdate; refreshDue lists it before that', async () => {
    const s = source();
    await s.check({ cert: good, issuer: ca, at: now }, now);
    expect(s.refreshDue(now)).toEqual([]);
    expect(s.refreshDue(now + 51 * MIN)).toEqual([`${base}/ca.crl`]);
    now += 55 * MIN;
    crlDer = makeCrl(now - MIN, now + 60 * MIN);
    await s.refresh(`${base}/ca.crl`);
    expect(hits).toBe(2);
    expect(s.refreshDue(now)).toEqual([]);
    now += 61 * MIN; // past the refreshed CRL's nextUpdate: never used, fetched again
    crlDer = makeCrl(now - MIN, now + 60 * MIN);
    expect(await s.check({ cert: good, issuer: ca, at: now }, now)).toMatchObject({ status: 'good', cached: false });
    expect(hits).toBe(3);
  });

  it('checkHeld: nothing before the CRL is held; then what check() answers, one frozen object for the same answer, until the CRL reaches nextUpdate', async () => {
    const s = source();
    const q = { cert: good, issuer: ca, at: now };
    const r = { cert: revoked, issuer: ca, at: now };
    expect(s.checkHeld(q, now)).toBeUndefined();
    expect(hits).toBe(0);
    await s.check(q, now);
    const held = s.checkHeld(q, now);
    expect(held).toEqual({ status: 'good', source: 'crl', url: `${base}/ca.crl`, cached: true, thisUpdate: now - MIN, nextUpdate: now + 60 * MIN, signer: 'CN=CRL CA,O=yessign,C=KR' });
    expect(held).toEqual(await s['checkFetching'](s['scope'](q)!, now)); // the waiting path's answer
    expect(Object.isFrozen(held)).toBe(true);
    expect(s.checkHeld(q, now)).toBe(held);
    expect(await s.check(q, now)).toBe(held);
    expect(s.checkHeld(r, now)).toEqual(await s['checkFetching'](s['scope'](r)!, now));
    expect(s.checkHeld(r, now)).toMatchObject({ status: 'revoked', reason: 'keyCompromise', cached: true });
    expect(hits).toBe(1);
    now += 60 * MIN; // nextUpdate: fetched again before any answer
    expect(s.checkHeld(q, now)).toBeUndefined();
    expect(s.checkHeld({ cert: elsewhere, issuer: ca, at: now }, now)).toBeUndefined();
  });

  it('a failing distribution point: FETCH_FAILED, then NEGATIVE_CACHED until the backoff ends', async () => {
    const s = source();
    expect(await s.check({ cert: elsewhere, issuer: ca, at: now }, now)).toMatchObject({ status: 'unknown', reason: 'FETCH_FAILED' });
    expect(await s.check({ cert: elsewhere, issuer: ca, at: now }, now)).toMatchObject({ status: 'unknown', reason: 'NEGATIVE_CACHED' });
    expect(hits).toBe(1);
    now += 31_000;
    await s.check({ cert: elsewhere, issuer: ca, at: now }, now);
    expect(hits).toBe(2);
  });

  it('a stale CRL is STALE, not good', async () => {
    crlDer = makeCrl(now - 3 * DAY, now - 2 * DAY);
    expect(await source().check({ cert: good, issuer: ca, at: now }, now)).toMatchObject({ status: 'unknown', reason: 'STALE' });
  });

  it('behind the checker: OCSP down → the CRL answers revoked', async () => {
    let ocspCalls = 0;
    const ocspDown: HttpFetcher = () => {
      ocspCalls++;
      return Promise.reject(new Error('ECONNREFUSED'));
    };
    const checker = new RevocationChecker({ http: ocspDown, clock, crl: source() });
    const r = await checker.check({ cert: revoked, issuer: ca, at: now });
    expect(r.status).toMatchObject({ status: 'revoked', source: 'crl', reason: 'keyCompromise' });
    expect(r.tried[0]).toMatchObject({ status: 'unknown', reason: 'FETCH_FAILED', source: 'ocsp' });
    expect(ocspCalls).toBe(1);
  });

  it('delta CRLs are fetched via freshestCRL (the complete CRL\'s) and combined by the engine', async () => {
    const issuer = 'CN=CRL CA,O=yessign,C=KR';
    routes.set('/base.crl', buildCrl({ issuer, issuerKey: caI.key, thisUpdate: now - MIN, nextUpdate: now + 60 * MIN, crlNumber: 10, freshestCrl: [{ urls: [`${base}/delta.crl`] }] }));
    routes.set('/delta.crl', buildCrl({ issuer, issuerKey: caI.key, thisUpdate: now - MIN / 2, nextUpdate: now + 60 * MIN, crlNumber: 11, deltaBase: 10, entries: [{ serial: 0x2004n, revokedAt: now - 2 * MIN, reason: 'keyCompromise' }] }));
    const mk = (serial: bigint): Certificate =>
      parseCertificate(issue({ subject: `CN=d${serial},O=yessign,C=KR`, serial, keys: testKey('cs-leaf', 'ec-p256'), issuer: caI, extensions: { crlDistributionPoints: [`${base}/base.crl`] } }).der);
    const s = source();
    expect(await s.check({ cert: mk(0x2004n), issuer: ca, at: now }, now)).toMatchObject({ status: 'revoked', reason: 'keyCompromise', url: `${base}/delta.crl` });
    expect(await s.check({ cert: mk(0x2005n), issuer: ca, at: now }, now)).toMatchObject({ status: 'good' });
    expect(s.fetches).toBe(2); // base and delta, each once
    // a delta CRL to gather: never answered without waiting
    expect(s.checkHeld({ cert: mk(0x2005n), issuer: ca, at: now }, now)).toBeUndefined();
  });

  it('the engine answer for a path and its CRLs is reused while every CRL is fresh; a refetched or stale CRL runs the engine again', async () => {
    const s = new FetchingCrlSource({ fetch: () => Promise.reject(new Error('no network')), clock, preloaded: [parseCrl(makeCrl(now - MIN, now + 60 * MIN))], maxSkewMs: 0 });
    const noDp = (serial: bigint): Certificate => parseCertificate(issue({ subject: `CN=e${serial},O=yessign,C=KR`, serial, keys: testKey('cs-leaf', 'ec-p256'), issuer: caI }).der);
    const ok = noDp(0x3001n);
    const bad = noDp(0x2002n);
    expect(await s.check({ cert: ok, issuer: ca, at: now }, now)).toMatchObject({ status: 'good' });
    expect(await s.check({ cert: bad, issuer: ca, at: now }, now)).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(s.engineRuns).toBe(2);
    // the same questions later, the CRL still fresh: the same answers, no engine run
    now += 30 * MIN;
    expect(await s.check({ cert: ok, issuer: ca, at: now }, now)).toMatchObject({ status: 'good' });
    const again = await s.check({ cert: bad, issuer: ca, at: now }, now);
    expect(again).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(s.engineRuns).toBe(2);
    // at the CRL's nextUpdate it is still fresh (skew 0); one millisecond later it is not: the engine says STALE
    expect(await s.check({ cert: ok, issuer: ca, at: now + 30 * MIN }, now + 30 * MIN)).toMatchObject({ status: 'good' });
    expect(s.engineRuns).toBe(2);
    expect(await s.check({ cert: ok, issuer: ca, at: now + 30 * MIN + 1 }, now + 30 * MIN + 1)).toMatchObject({ status: 'unknown', reason: 'STALE' });
    expect(s.engineRuns).toBe(3);
    // a stale answer is not kept: asked again, the engine runs again
    await s.check({ cert: ok, issuer: ca, at: now + 30 * MIN + 1 }, now + 30 * MIN + 1);
    expect(s.engineRuns).toBe(4);
    // before the CRL's thisUpdate (skew 0): not fresh either
    expect(await s.check({ cert: ok, issuer: ca, at: TEST_TIME - MIN - 1 }, TEST_TIME - MIN - 1)).toMatchObject({ status: 'unknown', reason: 'STALE' });
  });

  it('a CRL refreshed is a new CRL for the engine: its answer is not taken from the old one', async () => {
    const s = source();
    expect(await s.check({ cert: good, issuer: ca, at: now }, now)).toMatchObject({ status: 'good' });
    expect(await s.check({ cert: good, issuer: ca, at: now }, now)).toMatchObject({ status: 'good' });
    expect(s.engineRuns).toBe(1);
    // refreshed while the old CRL is still fresh: the newer CRL, which lists the certificate, answers
    now += 10 * MIN;
    crlDer = buildCrl({ issuer: 'CN=CRL CA,O=yessign,C=KR', issuerKey: caI.key, thisUpdate: now - MIN, nextUpdate: now + 60 * MIN, crlNumber: 2, entries: [{ serial: 0x2001n, revokedAt: now - 2 * MIN, reason: 'superseded' }] });
    expect((await s.refresh(`${base}/ca.crl`)).ok).toBe(true);
    expect(await s.check({ cert: good, issuer: ca, at: now }, now)).toMatchObject({ status: 'revoked', reason: 'superseded' });
    expect(s.engineRuns).toBe(2);
  });

  it('preloaded CRLs are indexed by issuer: a certificate without a distribution point is answered from them', async () => {
    const noDp = parseCertificate(issue({ subject: 'CN=nodp,O=yessign,C=KR', serial: 0x2002n, keys: testKey('cs-leaf', 'ec-p256'), issuer: caI }).der);
    const s = new FetchingCrlSource({ fetch: () => Promise.reject(new Error('no network')), clock, preloaded: [parseCrl(makeCrl(now - MIN, now + 60 * MIN))] });
    expect(await s.check({ cert: noDp, issuer: ca, at: now }, now)).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(await source().check({ cert: noDp, issuer: ca, at: now }, now)).toMatchObject({ status: 'unknown', reason: 'NO_SOURCE' });
  });
});
