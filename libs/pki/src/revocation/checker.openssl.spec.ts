/**
 * The checker against the real `openssl ocsp` responder over real HTTP:
 * single-flight measured at the wire, the cache, and a responder that hangs.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RevocationChecker, revocationVerdict } from './checker';
import { createNodeHttpFetcher } from './node-http-fetcher';
import { ocspPki, type OcspPki, type RunningResponder, startOpensslResponder } from './ocsp/openssl-responder.testkit';
import type { HttpFetcher } from './types';

let pki: OcspPki;
let openssl: RunningResponder;
let hanging: Server;
let hangingUrl: string;
const node = createNodeHttpFetcher({ allowAddress: () => true });
let requests = 0;
const counted: HttpFetcher = (req) => {
  requests++;
  return node(req);
};

beforeAll(async () => {
  pki = ocspPki(Date.now());
  openssl = await startOpensslResponder(pki, 'delegated');
  hanging = createServer(() => undefined); // accepts, never answers
  hanging.listen(0, '127.0.0.1');
  await once(hanging, 'listening');
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await openssl?.stop();
  hanging?.closeAllConnections();
  hanging?.close();
  pki?.cleanup();
});

function checker(url: string, timeoutMs = 5000): RevocationChecker {
  return new RevocationChecker({
    http: counted,
    clock: { now: Date.now },
    ocspOverrides: [{ issuerName: 'CN=OCSP Test CA,OU=AccreditedCA,O=yessign,C=KR', url }],
    ocsp: { timeoutMs },
  });
}

beforeEach(() => {
  requests = 0;
});

describe('RevocationChecker with openssl ocsp', () => {
  it('1,000 concurrent checks of one certificate: one HTTP request; the next check is a cache hit', async () => {
    const c = checker(openssl.url);
    const all = await Promise.all(Array.from({ length: 1000 }, () => c.check({ cert: pki.revoked, issuer: pki.caCert, at: Date.now() })));
    expect(requests).toBe(1);
    expect(all.every((r) => r.status.status === 'revoked' && r.status.reason === 'keyCompromise')).toBe(true);
    const again = await c.check({ cert: pki.revoked, issuer: pki.caCert, at: Date.now() });
    expect(again.status).toMatchObject({ status: 'revoked', cached: true });
    expect(requests).toBe(1);
  });

  it('a path: leaf good, CA (no AIA, no CRL source) unknown → hard-fail refuses, soft-fail accepts', async () => {
    const res = await checker(openssl.url).checkPath([pki.good, pki.caCert], Date.now());
    expect(res[0]!.status).toMatchObject({ status: 'good', signer: 'CN=OCSP Responder,O=yessign,C=KR' });
    expect(revocationVerdict([res[0]!.status], 'hard-fail').accepted).toBe(true);
    const withUnknown = [res[0]!.status, { status: 'unknown' as const, reason: 'NO_SOURCE' as const, detail: '', attempts: [] }];
    expect(revocationVerdict(withUnknown, 'hard-fail').accepted).toBe(false);
    expect(revocationVerdict(withUnknown, 'soft-fail').accepted).toBe(true);
    const soft = new RevocationChecker({ http: counted, clock: { now: Date.now }, mode: 'soft-fail', ocspOverrides: [{ issuerName: 'CN=OCSP Test CA,OU=AccreditedCA,O=yessign,C=KR', url: openssl.url }] });
    const path = [pki.revoked, pki.caCert, pki.caCert];
    expect((await soft.checkPathVerdict(path, Date.now())).verdict).toMatchObject({ accepted: false, reason: 'REVOKED', revoked: [0], unknown: [1] });
    expect((await soft.checkPathVerdict([pki.good, pki.caCert, pki.caCert], Date.now())).verdict).toMatchObject({ accepted: true, unknown: [1] });
  });

  it('a responder that never answers: FETCH_FAILED within the timeout, then backed off', async () => {
    const c = checker(hangingUrl, 300);
    const t0 = process.hrtime.bigint();
    const r = await c.check({ cert: pki.good, issuer: pki.caCert, at: Date.now() });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(r.status).toMatchObject({ status: 'unknown', reason: 'FETCH_FAILED' });
    expect(ms).toBeLessThan(2000);
    expect((await c.check({ cert: pki.good, issuer: pki.caCert, at: Date.now() })).tried[0]).toMatchObject({ reason: 'NEGATIVE_CACHED' });
    expect(requests).toBe(1);
  });
});
