import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ALGORITHM_POLICY } from '../../crypto/signature';
import { encodePem } from '../../der';
import type { HttpFetcher } from '../types';
import { checkCrl } from './check';
import { fetchCrl, parseLdapUrl, type CrlFetchDeps, type LdapFetcher } from './fetch';
import { defaultLdapFetcher } from './ldap-fetcher';
import { opensslCa, type IssuedCert, type OpensslCa } from './openssl-ca.testkit';
import { crlLdif, startSlapd, type Slapd } from './slapd.testkit';

/** A plain HttpFetcher for the tests (the service's has the allowlist and redirect policy). */
const httpFetcher: HttpFetcher = async (req) => {
  const res = await fetch(req.url, { method: req.method, signal: AbortSignal.timeout(req.timeoutMs), redirect: 'error', headers: req.accept ? { accept: req.accept } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > req.maxBytes) throw new Error('body too large');
  return { status: res.status, body, ...(res.headers.get('content-type') ? { contentType: res.headers.get('content-type')! } : {}) };
};

const noLdap: LdapFetcher = () => Promise.reject(new Error('no LDAP here'));

function deps(extra: Partial<CrlFetchDeps> = {}): CrlFetchDeps {
  return { http: httpFetcher, ldap: noLdap, allow: () => true, maxBytes: 1 << 20, timeoutMs: 5000, ...extra };
}

describe('parseLdapUrl (RFC 4516)', () => {
  it('Korean-style distribution point URLs', () => {
    expect(parseLdapUrl('ldap://ds.yessign.or.kr:389/ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList')).toEqual({
      host: 'ds.yessign.or.kr',
      port: 389,
      secure: false,
      dn: 'ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr',
      attributes: ['certificateRevocationList'],
      scope: 'base',
    });
    expect(parseLdapUrl('ldap://dir.signkorea.com/cn%3Ddp1%2Cou%3D%ED%85%8C%EC%8A%A4%ED%8A%B8,o=SignKorea,c=KR?certificateRevocationList;binary')).toMatchObject({
      port: 389,
      dn: 'cn=dp1,ou=테스트,o=SignKorea,c=KR',
      attributes: ['certificateRevocationList;binary'],
    });
    expect(parseLdapUrl('ldaps://[2001:db8::1]/o=x,c=kr??base')).toMatchObject({ host: '2001:db8::1', port: 636, secure: true, attributes: [] });
  });

  it('refuses what a distribution point cannot be', () => {
    for (const bad of [
      'ldap:///o=x,c=kr?certificateRevocationList',
      'ldap://host/',
      'ldap://host/o=x?crl?sub',
      'ldap://host/o=x?crl??(objectClass=*)?!e-bindname=cn=x',
      'ldap://host:99999/o=x',
      'ldap://host/o=%zz',
      'http://host/o=x',
      'ldap://host/o=x?bad attr',
    ]) {
      expect(() => parseLdapUrl(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    }
  });
});

describe('fetchCrl', () => {
  let ca: OpensslCa;
  let revoked: IssuedCert;
  let good: IssuedCert;
  let crlDer: Buffer;
  let server: Server;
  let base: string;
  let requests = 0;
  let slapd: Slapd;

  beforeAll(async () => {
    ca = opensslCa();
    revoked = ca.issue('revoked');
    good = ca.issue('good');
    ca.revoke(revoked, ['-crl_reason', 'keyCompromise']);
    crlDer = ca.gencrl({ section: 'crl_idp_user' });
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/ca.crl') res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crlDer);
      else if (req.url === '/ca.pem') res.writeHead(200).end(`\n${encodePem('X509 CRL', crlDer)}`);
      else if (req.url === '/garbage') res.writeHead(200).end('not a crl');
      else if (req.url === '/empty') res.writeHead(200).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    slapd = await startSlapd(crlLdif([{ dp: 'dp5p22874', crl: crlDer }, { dp: 'dpgarbage', crl: Buffer.from('garbage') }]));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await slapd?.stop();
    ca?.cleanup();
  });

  const check = (c: IssuedCert, crl: NonNullable<Extract<Awaited<ReturnType<typeof fetchCrl>>, { ok: true }>['crl']>, url: string): string => {
    const at = crl.thisUpdate + 60_000;
    const r = checkCrl({ cert: c.cert, issuer: ca.cert, at }, crl, { at, maxSkewMs: 60_000, algorithms: DEFAULT_ALGORITHM_POLICY, url });
    return r.status === 'unknown' ? r.reason : r.status;
  };

  it('over HTTP: DER and PEM bodies, then checked', async () => {
    for (const path of ['/ca.crl', '/ca.pem']) {
      const r = await fetchCrl(base + path, deps());
      if (!r.ok) throw new Error(r.detail);
      expect(r.crl.size).toBe(1);
      expect(check(revoked, r.crl, r.url)).toBe('revoked');
      expect(check(good, r.crl, r.url)).toBe('good');
    }
  });

  it('HTTP failures: status, size, garbage, empty', async () => {
    expect(await fetchCrl(`${base}/missing`, deps())).toMatchObject({ ok: false, reason: 'FETCH_FAILED', detail: 'HTTP status 404' });
    expect(await fetchCrl(`${base}/ca.crl`, deps({ maxBytes: 100 }))).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    expect(await fetchCrl(`${base}/garbage`, deps())).toMatchObject({ ok: false, reason: 'MALFORMED_RESPONSE' });
    expect(await fetchCrl(`${base}/empty`, deps())).toMatchObject({ ok: false, reason: 'MALFORMED_RESPONSE' });
    expect(await fetchCrl('ftp://example.kr/ca.crl', deps())).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
  });

  it('the allow hook runs first: a refused URL is never requested', async () => {
    const seen: string[] = [];
    const before = requests;
    const r = await fetchCrl(`${base}/ca.crl`, deps({ allow: (u) => (seen.push(u), !u.startsWith('http://127.')) }));
    expect(r).toMatchObject({ ok: false, reason: 'FETCH_FAILED', detail: 'URL not allowed' });
    expect(seen).toEqual([`${base}/ca.crl`]);
    expect(requests).toBe(before);
    const throws = await fetchCrl(`${base}/ca.crl`, deps({ allow: () => { throw new Error('boom'); } }));
    expect(throws).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
  });

  it('a fetcher that never answers is cut off by timeoutMs', async () => {
    const hang: HttpFetcher = () => new Promise(() => undefined);
    const r = await fetchCrl(`${base}/ca.crl`, deps({ http: hang, timeoutMs: 50 }));
    expect(r).toMatchObject({ ok: false, reason: 'FETCH_FAILED', detail: 'timed out after 50 ms' });
  });

  it('over LDAP from a real slapd, with a Korean-style URL, then checked', async () => {
    const url = `ldap://127.0.0.1:${slapd.port}/ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList;binary`;
    const r = await fetchCrl(url, deps({ ldap: defaultLdapFetcher }));
    if (!r.ok) throw new Error(r.detail);
    expect(Buffer.from(r.crl.der).equals(crlDer)).toBe(true);
    expect(check(revoked, r.crl, url)).toBe('revoked');
    expect(check(good, r.crl, url)).toBe('good');
    // the plain attribute name in the URL: ;binary is asked first
    const plain = await fetchCrl(url.replace(';binary', ''), deps({ ldap: defaultLdapFetcher }));
    expect(plain.ok).toBe(true);
  });

  it('LDAP failures: missing entry, garbage value, size limit, nothing listening', async () => {
    const at = (dn: string): string => `ldap://127.0.0.1:${slapd.port}/${dn}?certificateRevocationList`;
    expect(await fetchCrl(at('ou=dpnone,ou=AccreditedCA,o=yessign,c=kr'), deps({ ldap: defaultLdapFetcher }))).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    expect(await fetchCrl(at('ou=AccreditedCA,o=yessign,c=kr'), deps({ ldap: defaultLdapFetcher }))).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    expect(await fetchCrl(at('ou=dpgarbage,ou=AccreditedCA,o=yessign,c=kr'), deps({ ldap: defaultLdapFetcher }))).toMatchObject({ ok: false, reason: 'MALFORMED_RESPONSE' });
    expect(await fetchCrl(at('ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr'), deps({ ldap: defaultLdapFetcher, maxBytes: 64 }))).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
    // a port nobody listens on: the HTTP server's port speaks no LDAP, so use a closed one
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await fetchCrl(`ldap://127.0.0.1:${port}/o=x,c=kr`, deps({ ldap: defaultLdapFetcher, timeoutMs: 2000 }))).toMatchObject({ ok: false, reason: 'FETCH_FAILED' });
  });
});
