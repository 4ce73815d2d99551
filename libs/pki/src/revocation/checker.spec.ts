/**
 * RevocationChecker: single-flight, caching against the injected clock,
 * negative caching with backoff, CRL fallback, overrides, hard/soft fail.
 * The OCSP responder here is an in-process HttpFetcher answering with the
 * toolkit's response builder (the real openssl peer is used in
 * checker.openssl.spec.ts); the CRL side is a stub CrlSource (the seam).
 */
import { createHash } from 'node:crypto';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { OID } from '../cert/types';
import { DAY, issue, TEST_TIME, testKey } from '../issuing';
import { buildOcspResponse, type OcspStatusSpec } from '../issuing/ocsp';
import { type CachedEntry, MemoryRevocationCache, type RevocationCache } from './cache';
import { RevocationChecker, type RevocationCheckerOptions, revocationVerdict } from './checker';
import type { CrlSource } from './crl-source';
import { parseOcspRequest } from './ocsp/parse';
import type { HttpFetcher, RevocationQuery, RevocationStatus } from './types';

const MIN = 60_000;
const OCSP_URL = 'http://ocsp.yessign.test:4612';
const caI = issue({ subject: 'CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr', keys: testKey('c-ca'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
const rootI = issue({ subject: 'CN=Root', keys: testKey('c-root'), extensions: { basicConstraints: { ca: true } } });
const leafWith = (cn: string, aia: boolean): Certificate =>
  parseCertificate(
    issue({
      subject: `CN=${cn},O=yessign,C=KR`,
      keys: testKey('c-leaf', 'ec-p256'),
      issuer: caI,
      extensions: { keyUsage: ['digitalSignature'], ...(aia ? { authorityInfoAccess: { ocsp: OCSP_URL } } : {}) },
    }).der,
  );
const ca = parseCertificate(caI.der);
const root = parseCertificate(rootI.der);
const leaf = leafWith('user', true);
const noAia = leafWith('no-aia', false);

/** A fake clock the test moves. */
let now = TEST_TIME;
const clock = { now: (): number => now };

/** In-process OCSP responder: answers each CertID per `answer`, counts requests, can be switched off. */
function responder(answer: (serialHex: string) => OcspStatusSpec = () => ({ status: 'good' }), validity = 60 * MIN) {
  const state = { calls: 0, down: false, urls: [] as string[] };
  const http: HttpFetcher = async (req) => {
    state.calls++;
    state.urls.push(req.url);
    await Promise.resolve();
    if (state.down) throw new Error('connect ECONNREFUSED');
    const info = parseOcspRequest(req.body!);
    const body = buildOcspResponse({
      responderCert: caI.der,
      signerKey: caI.key,
      producedAt: now,
      responses: info.certIds.map((id) => ({ certId: id.der, status: answer(Buffer.from(id.serial).toString('hex')), thisUpdate: now, nextUpdate: now + validity })),
    });
    return { status: 200, contentType: 'application/ocsp-response', body };
  };
  return { http, state };
}

function crlStub(answer: (q: RevocationQuery) => RevocationStatus | Promise<RevocationStatus>) {
  const state = { calls: 0 };
  const src: CrlSource = {
    check: async (q) => {
      state.calls++;
      return answer(q);
    },
  };
  return { src, state };
}
const crlGood = (): RevocationStatus => ({ status: 'good', source: 'crl', cached: false, thisUpdate: now - MIN, nextUpdate: now + DAY });
const crlDown = (): RevocationStatus => ({ status: 'unknown', reason: 'FETCH_FAILED', detail: 'ldap down', source: 'crl', attempts: [] });

function checker(http: HttpFetcher, over: Partial<RevocationCheckerOptions> = {}): RevocationChecker {
  return new RevocationChecker({ http, clock, ...over });
}

beforeEach(() => {
  now = TEST_TIME;
});

describe('RevocationChecker', () => {
  it('1,000 concurrent checks of one certificate make exactly one HTTP request', async () => {
    const r = responder();
    const c = checker(r.http);
    const results = await Promise.all(Array.from({ length: 1000 }, () => c.check({ cert: leaf, issuer: ca, at: now })));
    expect(r.state.calls).toBe(1);
    expect(c.ocspFetches).toBe(1);
    expect(results.every((x) => x.status.status === 'good' && x.status.source === 'ocsp')).toBe(true);
    expect(r.state.urls).toEqual([OCSP_URL]);
  });

  it('serves later checks from the cache (marked cached) until nextUpdate, then asks again', async () => {
    const r = responder(() => ({ status: 'good' }), 10 * MIN);
    const c = checker(r.http);
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'good', cached: false });
    now += 9 * MIN;
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'good', cached: true });
    expect(r.state.calls).toBe(1);
    now += 2 * MIN; // past nextUpdate
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'good', cached: false });
    expect(r.state.calls).toBe(2);
  });

  it('never serves a cached good past nextUpdate, even from a cache that ignores TTLs', async () => {
    const forever = new Map<string, CachedEntry>();
    const sticky: RevocationCache = {
      get: (k) => Promise.resolve(forever.get(k)),
      set: (k, e) => Promise.resolve(void forever.set(k, e)),
      delete: (k) => Promise.resolve(void forever.delete(k)),
    };
    const r = responder(() => ({ status: 'good' }), 10 * MIN);
    const c = checker(r.http, { cache: sticky });
    await c.check({ cert: leaf, issuer: ca, at: now });
    now += 10 * MIN + 1;
    r.state.down = true;
    const s = await c.check({ cert: leaf, issuer: ca, at: now });
    expect(r.state.calls).toBe(2);
    expect(s.status).toMatchObject({ status: 'unknown' });
  });

  it('caps the cache TTL (maxCacheTtlMs) and caches revoked and OCSP unknown answers too', async () => {
    const r = responder((serial) => (serial === leaf.serialHex ? { status: 'revoked', revokedAt: now - DAY, reason: 1 } : { status: 'unknown' }), 7 * DAY);
    const c = checker(r.http, { maxCacheTtlMs: 60 * MIN, crl: crlStub(crlDown).src });
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect((await c.check({ cert: noAia, issuer: ca, at: now })).status).toMatchObject({ status: 'unknown' }); // no AIA: not asked
    now += 59 * MIN;
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'revoked', cached: true });
    now += 2 * MIN;
    await c.check({ cert: leaf, issuer: ca, at: now });
    expect(r.state.calls).toBe(2);
  });

  it('negative caching: a down responder is backed off exponentially, the CRL is still asked', async () => {
    const r = responder();
    r.state.down = true;
    const crl = crlStub(crlGood);
    const c = checker(r.http, { crl: crl.src, backoffBaseMs: 30_000, backoffMaxMs: 10 * MIN });
    const first = await c.check({ cert: leaf, issuer: ca, at: now });
    expect(first.status).toMatchObject({ status: 'good', source: 'crl' });
    expect(first.tried.map((t) => (t.status === 'unknown' ? t.reason : t.status))).toEqual(['FETCH_FAILED', 'good']);
    expect(r.state.calls).toBe(1);

    const second = await c.check({ cert: leaf, issuer: ca, at: now + 1000 });
    expect(second.tried[0]).toMatchObject({ status: 'unknown', reason: 'NEGATIVE_CACHED' });
    expect(second.status).toMatchObject({ status: 'good', source: 'crl' });
    expect(r.state.calls).toBe(1);
    expect(crl.state.calls).toBe(2);

    now += 31_000; // first backoff (30 s) over: ask again, fail again → 60 s
    await c.check({ cert: leaf, issuer: ca, at: now });
    expect(r.state.calls).toBe(2);
    now += 45_000;
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).tried[0]).toMatchObject({ reason: 'NEGATIVE_CACHED' });
    expect(r.state.calls).toBe(2);
    now += 16_000;
    r.state.down = false; // back up: asked, answers, the failure record is cleared
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'good', source: 'ocsp' });
    expect(r.state.calls).toBe(3);
  });

  it('the backoff is per responder URL, shared by all certificates', async () => {
    const r = responder();
    r.state.down = true;
    const c = checker(r.http, { crl: crlStub(crlDown).src });
    await c.check({ cert: leaf, issuer: ca, at: now });
    const other = leafWith('other', true);
    const s = await c.check({ cert: other, issuer: ca, at: now });
    expect(s.tried[0]).toMatchObject({ reason: 'NEGATIVE_CACHED' });
    expect(r.state.calls).toBe(1);
  });

  it('tryLater and garbage count as responder failures', async () => {
    let body = buildOcspResponse({ responseStatus: 3, responderCert: caI.der, signerKey: caI.key, producedAt: now, responses: [] });
    let calls = 0;
    const http: HttpFetcher = () => {
      calls++;
      return Promise.resolve({ status: 200, body });
    };
    const c = checker(http);
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).tried[0]).toMatchObject({ reason: 'RESPONDER_ERROR' });
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).tried[0]).toMatchObject({ reason: 'NEGATIVE_CACHED' });
    now += 10 * MIN;
    body = Buffer.from('garbage');
    expect((await c.check({ cert: leaf, issuer: ca, at: now })).tried[0]).toMatchObject({ reason: 'MALFORMED_RESPONSE' });
    expect(calls).toBe(2);
  });

  it('hard-fail refuses unknown, soft-fail accepts it and records it; revoked refuses in both', async () => {
    const r = responder();
    r.state.down = true;
    const c = checker(r.http, { crl: crlStub(crlDown).src });
    const res = await c.checkPath([leaf, ca, root], now);
    expect(res.length).toBe(2);
    expect(res[0]!.status).toMatchObject({ status: 'unknown', reason: 'FETCH_FAILED' });
    expect(res[0]!.status.status === 'unknown' && res[0]!.status.detail).toMatch(/ocsp: FETCH_FAILED.*crl: FETCH_FAILED/);
    expect(res[1]!.status).toMatchObject({ status: 'unknown', reason: 'FETCH_FAILED' }); // the CA cert: no AIA, CRL down
    const statuses = res.map((x) => x.status);
    expect(revocationVerdict(statuses, 'hard-fail')).toEqual({ accepted: false, mode: 'hard-fail', revoked: [], unknown: [0, 1], reason: 'REVOCATION_UNKNOWN' });
    expect(revocationVerdict(statuses, 'soft-fail')).toEqual({ accepted: true, mode: 'soft-fail', revoked: [], unknown: [0, 1] });
    const revoked: RevocationStatus = { status: 'revoked', revokedAt: now, source: 'ocsp', cached: false };
    expect(revocationVerdict([revoked, statuses[1]!], 'soft-fail')).toMatchObject({ accepted: false, reason: 'REVOKED', revoked: [0] });
    expect(revocationVerdict([crlGood(), crlGood()], 'hard-fail')).toMatchObject({ accepted: true });
  });

  it('without an OCSP URL goes to the CRL; with neither source says NO_SOURCE', async () => {
    const r = responder();
    const crl = crlStub(crlGood);
    expect((await checker(r.http, { crl: crl.src }).check({ cert: noAia, issuer: ca, at: now })).status).toMatchObject({ status: 'good', source: 'crl' });
    const none = await checker(r.http).check({ cert: noAia, issuer: ca, at: now });
    expect(none.status).toMatchObject({ status: 'unknown', reason: 'NO_SOURCE' });
    expect(r.state.calls).toBe(0);
  });

  it('uses the per-issuer override URL (by key hash or by DN, names compared per RFC 5280)', async () => {
    const keyHash = createHash('sha1').update(ca.spki.publicKey).digest('hex');
    for (const o of [{ issuerKeyHash: keyHash.toUpperCase(), url: 'http://override.test/a' }, { issuerName: 'cn=YESSIGNCA CLASS 2, ou=AccreditedCA,o=yessign,c=KR', url: 'http://override.test/b' }]) {
      const r = responder();
      const s = await checker(r.http, { ocspOverrides: [o] }).check({ cert: noAia, issuer: ca, at: now });
      expect(s.status).toMatchObject({ status: 'good', url: o.url });
      expect(r.state.urls).toEqual([o.url]);
    }
  });

  it('honours the allow hook and the source order', async () => {
    const r = responder();
    const crl = crlStub(crlGood);
    const refused = await checker(r.http, { allow: () => false, crl: crl.src }).check({ cert: leaf, issuer: ca, at: now });
    expect(refused.tried[0]).toMatchObject({ reason: 'FETCH_FAILED', detail: 'URL not allowed' });
    expect(r.state.calls).toBe(0);
    const crlFirst = await checker(r.http, { order: ['crl', 'ocsp'], crl: crl.src }).check({ cert: leaf, issuer: ca, at: now });
    expect(crlFirst.tried.length).toBe(1);
    expect(crlFirst.status.status === 'good' && crlFirst.status.source).toBe('crl');
  });

  it('an exception in a source or the cache is an unknown, never a pass', async () => {
    const r = responder();
    r.state.down = true;
    const throwing: CrlSource = { check: () => Promise.reject(new Error('boom')) };
    const s = await checker(r.http, { crl: throwing }).check({ cert: leaf, issuer: ca, at: now });
    expect(s.status).toMatchObject({ status: 'unknown' });
    expect(s.tried[1]).toMatchObject({ status: 'unknown', source: 'crl', detail: 'internal error: boom' });
    const brokenCache: RevocationCache = { get: () => Promise.reject(new Error('redis down')), set: () => Promise.reject(new Error('x')), delete: () => Promise.reject(new Error('x')) };
    const ok = responder();
    expect((await checker(ok.http, { cache: brokenCache }).check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'good' });
  });

  it('sends a nonce when configured and refuses a response with a wrong echo', async () => {
    const http: HttpFetcher = (req) => {
      const info = parseOcspRequest(req.body!);
      expect(info.nonce).toBeDefined();
      return Promise.resolve({
        status: 200,
        body: buildOcspResponse({
          responderCert: caI.der,
          signerKey: caI.key,
          producedAt: now,
          nonce: Buffer.alloc(16, 0xee),
          responses: [{ certId: info.certIds[0]!.der, status: { status: 'good' }, thisUpdate: now, nextUpdate: now + MIN }],
        }),
      });
    };
    const s = await checker(http, { ocsp: { nonce: true } }).check({ cert: leaf, issuer: ca, at: now });
    expect(s.status).toMatchObject({ status: 'unknown', reason: 'NONCE_MISMATCH' });
  });

  it('a delegated responder certificate from the response is accepted by the checker', async () => {
    const resp = issue({ subject: 'CN=resp', keys: testKey('c-resp'), issuer: caI, extensions: { extKeyUsage: [OID.kpOcspSigning] } });
    const http: HttpFetcher = (req) => {
      const info = parseOcspRequest(req.body!);
      return Promise.resolve({
        status: 200,
        body: buildOcspResponse({
          responderCert: resp.der,
          signerKey: resp.key,
          certs: [resp.der],
          producedAt: now,
          responses: [{ certId: info.certIds[0]!.der, status: { status: 'good' }, thisUpdate: now, nextUpdate: now + MIN }],
        }),
      });
    };
    expect((await checker(http).check({ cert: leaf, issuer: ca, at: now })).status).toMatchObject({ status: 'good', signer: 'CN=resp', notes: ['responder revocation not checked'] });
  });
});

describe('MemoryRevocationCache', () => {
  it('expires by TTL on the injected clock and stays bounded', async () => {
    const c = new MemoryRevocationCache({ clock, maxEntries: 2 });
    const e: CachedEntry = { kind: 'failure', reason: 'FETCH_FAILED', detail: '', failures: 1, retryAt: 0 };
    await c.set('a', e, 1000);
    await c.set('b', e, 1000);
    await c.set('c', e, 1000);
    expect(c.size).toBe(2);
    expect(await c.get('a')).toBeUndefined();
    expect(await c.get('b')).toEqual(e);
    now += 1000;
    expect(await c.get('b')).toBeUndefined();
    await c.set('d', e, 0);
    expect(await c.get('d')).toBeUndefined();
  });
});

describe('RevocationChecker#checkPathNow', () => {
  /** A CRL stub that holds its answer after the first check (as FetchingCrlSource holds a fetched CRL). */
  function heldCrl() {
    const state = { held: undefined as RevocationStatus | undefined, calls: 0 };
    const src: CrlSource = {
      check: () => {
        state.calls++;
        state.held ??= Object.freeze(crlGood());
        return Promise.resolve(state.held ?? crlGood());
      },
      checkHeld: () => state.held,
    };
    return { src, state };
  }
  const path = [leaf, ca, root];
  /** check() per certificate: the waiting path, which checkPathNow must agree with. */
  const waiting = (c: RevocationChecker, at: number) => Promise.all([c.check({ cert: leaf, issuer: ca, at, path }), c.check({ cert: ca, issuer: root, at, path })]);

  it('answers from the cached OCSP answer and the held CRL what check() answers, the same frozen objects each time; nothing before they are known', async () => {
    const r = responder();
    const crl = heldCrl();
    const c = checker(r.http, { crl: crl.src });
    expect(c.checkPathNow(path, now)).toBeUndefined();
    const first = await c.checkPath(path, now);
    expect(first.map((x) => x.status)).toMatchObject([{ status: 'good', source: 'ocsp', cached: false }, { status: 'good', source: 'crl' }]);
    now += MIN;
    const known = c.checkPathNow(path, now)!;
    expect(known).toEqual(await waiting(c, now));
    expect(known.map((x) => x.status)).toMatchObject([{ status: 'good', source: 'ocsp', cached: true }, { status: 'good', source: 'crl' }]);
    expect(known[1]!.tried.map((t) => t.status === 'unknown' && t.reason)).toEqual(['NO_SOURCE', false]); // the CA has no OCSP URL
    expect(known.every((x) => Object.isFrozen(x) && Object.isFrozen(x.status) && Object.isFrozen(x.tried))).toBe(true);
    const again = c.checkPathNow(path, now)!;
    expect(again[0]).toBe(known[0]);
    expect(again[1]).toBe(known[1]);
    expect((await c.checkPath(path, now))[0]).toBe(known[0]);
    expect(r.state.calls).toBe(1);
    // past the OCSP answer's nextUpdate: it must be asked again
    now += 60 * MIN;
    expect(c.checkPathNow(path, now)).toBeUndefined();
  });

  it('waits (undefined) for a cache that cannot answer in process, a CRL source that cannot, and an OCSP answer that is not good or revoked', async () => {
    const r = responder();
    const crl = heldCrl();
    const inner = new MemoryRevocationCache({ clock });
    const noPeek: RevocationCache = { get: (k) => inner.get(k), set: (k, e, t) => inner.set(k, e, t), delete: (k) => inner.delete(k) };
    const c = checker(r.http, { crl: crl.src, cache: noPeek });
    await c.checkPath(path, now);
    expect(c.checkPathNow(path, now)).toBeUndefined();
    expect((await c.checkPath(path, now))[0]!.status).toMatchObject({ status: 'good', cached: true });

    const unheld: CrlSource = { check: () => Promise.resolve(crlGood()) };
    const d = checker(responder().http, { crl: unheld });
    await d.checkPath(path, now);
    expect(d.checkPathNow(path, now)).toBeUndefined();
    expect(d.checkPathNow([leaf, ca], now)).toMatchObject([{ status: { status: 'good', cached: true } }]);

    const e = checker(responder(() => ({ status: 'unknown' })).http, { crl: heldCrl().src });
    await e.checkPath([leaf, ca], now);
    expect(e.checkPathNow([leaf, ca], now)).toBeUndefined();
    expect((await e.checkPath([leaf, ca], now))[0]!.status).toMatchObject({ status: 'good', source: 'crl' });
  });
});

