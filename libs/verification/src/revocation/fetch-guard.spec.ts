import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LdapRequest } from '@jointcert/pki';
import { createFetchAllow, createGuardedHttpFetcher, createGuardedLdapFetcher, normaliseHost } from './fetch-guard';

describe('fetch guard (SSRF)', () => {
  it('allowlist: host, host:port, schemes, credentials', () => {
    const allow = createFetchAllow({ FETCH_ALLOW_HOSTS: ['ocsp.yessign.org:4612', 'ds.yessign.or.kr', 'crl.example.test:80'], FETCH_ALLOW_PRIVATE: false });
    expect(allow('http://ocsp.yessign.org:4612/')).toBe(true);
    expect(allow('http://OCSP.yessign.org:4612/')).toBe(true);
    expect(allow('http://ocsp.yessign.org/')).toBe(false); // port 80 not listed
    expect(allow('ldap://ds.yessign.or.kr:389/ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList')).toBe(true);
    expect(allow('ldap://ds.yessign.or.kr:1389/ou=x')).toBe(true); // a bare host allows any port
    expect(allow('http://crl.example.test/a.crl')).toBe(true); // default port matches :80
    expect(allow('http://evil.example/')).toBe(false);
    expect(allow('file:///etc/passwd')).toBe(false);
    expect(allow('gopher://ocsp.yessign.org:4612/')).toBe(false);
    expect(allow('http://user:pw@ocsp.yessign.org:4612/')).toBe(false);
    expect(allow('not a url')).toBe(false);
  });

  it('empty allowlist: any public host, never private or loopback unless FETCH_ALLOW_PRIVATE', () => {
    const allow = createFetchAllow({ FETCH_ALLOW_HOSTS: [], FETCH_ALLOW_PRIVATE: false });
    expect(allow('http://ocsp.yessign.org:4612/')).toBe(true);
    for (const u of ['http://127.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://localhost:8080/', 'ldap://192.168.1.1/o=x']) {
      expect([u, allow(u)]).toEqual([u, false]);
    }
    const dev = createFetchAllow({ FETCH_ALLOW_HOSTS: [], FETCH_ALLOW_PRIVATE: true });
    expect(dev('http://127.0.0.1:3100/ocsp')).toBe(true);
  });

  it('hosts are normalised for http and ldap alike: trailing dot, case, numeric IPv4 forms, percent-encoding (issue #9)', () => {
    const closed = createFetchAllow({ FETCH_ALLOW_HOSTS: [], FETCH_ALLOW_PRIVATE: false });
    const loopbacks = ['localhost.', 'LOCALHOST.', 'LocalHost', 'a.localhost.', '127.1', '2130706433', '0x7f000001', '0x7f.1', '0177.0.0.1', '127.0.0.1.', '%31%32%37.0.0.1', '[::1]', '[::ffff:127.0.0.1]'];
    for (const scheme of ['http', 'https', 'ldap', 'ldaps']) {
      for (const h of loopbacks) expect([`${scheme}://${h}/o=x`, closed(`${scheme}://${h}/o=x`)]).toEqual([`${scheme}://${h}/o=x`, false]);
      expect(closed(`${scheme}://10.1/o=x`)).toBe(false); // 10.0.0.1
      expect(closed(`${scheme}://0xa9fea9fe/o=x`)).toBe(false); // 169.254.169.254
      expect(closed(`${scheme}://ds.yessign.or.kr/o=x`)).toBe(true);
    }
    const listed = createFetchAllow({ FETCH_ALLOW_HOSTS: ['DS.Yessign.OR.KR.', '8.8.8.8:389'], FETCH_ALLOW_PRIVATE: false });
    expect(listed('ldap://ds.yessign.or.kr/o=x')).toBe(true);
    expect(listed('LDAP://DS.YESSIGN.OR.KR./o=x')).toBe(true);
    expect(listed('http://ds.yessign.or.kr./a.crl')).toBe(true);
    expect(listed('ldap://134744072/o=x')).toBe(true); // 8.8.8.8, port 389 by default
    expect(listed('ldap://8.8.8.8:1389/o=x')).toBe(false);
    expect(listed('ldap://ds.yessign.or.kr.evil.test/o=x')).toBe(false);
    // the allowlist names localhost: a trailing dot or another case is the same host, and still loopback
    const dev = createFetchAllow({ FETCH_ALLOW_HOSTS: ['localhost'], FETCH_ALLOW_PRIVATE: true });
    expect(dev('http://LOCALHOST.:8080/')).toBe(true);
    expect(dev('ldap://localhost./o=x')).toBe(true);
    expect(createFetchAllow({ FETCH_ALLOW_HOSTS: ['localhost'], FETCH_ALLOW_PRIVATE: false })('ldap://LOCALHOST./o=x')).toBe(false);
    expect(normaliseHost('Exa%6Dple.COM.')).toBe('example.com');
    expect(normaliseHost('a/b')).toBeUndefined();
    expect(normaliseHost('')).toBeUndefined();
  });

  it('the HTTP fetcher refuses a loopback peer without FETCH_ALLOW_PRIVATE (no request reaches it)', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const cfg = { FETCH_ALLOW_HOSTS: [], FETCH_ALLOW_PRIVATE: false, OCSP_MAX_BYTES: 1024, CRL_MAX_BYTES: 1024 };
      const fetcher = createGuardedHttpFetcher(cfg, () => true); // even if the URL check let it through
      await expect(fetcher({ url: `http://127.0.0.1:${port}/`, method: 'GET', timeoutMs: 1000, maxBytes: 1024 })).rejects.toThrow(/not allowed/);
      await expect(fetcher({ url: `http://localhost:${port}/`, method: 'GET', timeoutMs: 1000, maxBytes: 1024 })).rejects.toThrow(/not allowed/);
      expect(hits).toBe(0);
      const dev = createGuardedHttpFetcher({ ...cfg, FETCH_ALLOW_PRIVATE: true }, () => true);
      await expect(dev({ url: `http://127.0.0.1:${port}/`, method: 'GET', timeoutMs: 1000, maxBytes: 1024 })).resolves.toMatchObject({ status: 200 });
      expect(hits).toBe(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('the LDAP fetcher checks the resolved address first and connects by it', async () => {
    const seen: LdapRequest[] = [];
    const inner = (req: LdapRequest): Promise<Uint8Array> => {
      seen.push(req);
      return Promise.resolve(Buffer.from([0x30, 0x00]));
    };
    const cfg = { FETCH_ALLOW_HOSTS: [], FETCH_ALLOW_PRIVATE: false, OCSP_MAX_BYTES: 1024, CRL_MAX_BYTES: 1024 };
    const guarded = createGuardedLdapFetcher(cfg, inner);
    const req: LdapRequest = { url: 'ldap://localhost/o=x', host: 'localhost', port: 389, secure: false, dn: 'o=x', attributes: ['certificateRevocationList;binary'], timeoutMs: 500, maxBytes: 1024 };
    await expect(guarded(req)).rejects.toThrow(/not allowed/);
    await expect(guarded({ ...req, host: '10.1.2.3' })).rejects.toThrow(/not allowed/);
    expect(seen).toHaveLength(0);
    await guarded({ ...req, host: '8.8.8.8' });
    expect(seen[0]!.host).toBe('8.8.8.8');
    expect(createGuardedLdapFetcher({ ...cfg, FETCH_ALLOW_PRIVATE: true }, inner)).toBe(inner);
  });
});
