/**
 * The dev CA over real HTTP on 127.0.0.1 (port 0): issuance in the Korean
 * profile, OCSP checked by our verifier and by `openssl ocsp`, the CRL checked
 * by our CRL engine and by `openssl crl`, revocation, and a restart that keeps
 * everything.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@jointcert/common';
import {
  buildOcspRequest,
  certificatePolicyOids,
  checkCrl,
  computeVid,
  createValidationPolicy,
  decodePem,
  decryptSignPriKey,
  DEFAULT_ALGORITHM_POLICY,
  fetchCrl as fetchCrlVia,
  identifyDataOf,
  ocspGetUrl,
  parseCertificate,
  parseCrl,
  parseOcspResponse,
  validatePath,
  verifyOcspResponse,
  type Certificate,
  type RevocationStatus,
} from '@jointcert/pki';
import { startDevCa, type RunningDevCa } from '../apps/dev-ca/src/bootstrap';
import { createFetchAllow, createGuardedHttpFetcher, createGuardedLdapFetcher } from '../libs/verification/src/revocation/fetch-guard';

const run = promisify(execFile);

describe('dev CA over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jc-dev-ca-'));
  const config = loadConfig({ DEV_CA_ENABLED: 'true', DEV_CA_PORT: '0', DEV_CA_DATA_DIR: dir, LOG_LEVEL: 'silent' });
  let ca: RunningDevCa;
  let root: Certificate;
  let issuer: Certificate;

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(ca.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function issue(body: Record<string, unknown> = {}): Promise<Record<string, string>> {
    const res = await post('/issue', { password: 'dev-password-1', ...body });
    expect(res.status).toBe(201);
    return (await res.json()) as Record<string, string>;
  }

  async function ourOcsp(cert: Certificate, method: 'POST' | 'GET' = 'POST'): Promise<RevocationStatus> {
    const nonce = randomBytes(16);
    const req = buildOcspRequest(cert, issuer, { hash: 'sha1', nonce });
    const loc = cert.ext.authorityInfoAccess!.find((a) => a.method === '1.3.6.1.5.5.7.48.1')!.location;
    const url = loc.type === 'uniformResourceIdentifier' ? loc.value : '';
    const res =
      method === 'POST'
        ? await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: req.der })
        : await fetch(ocspGetUrl(url, req.der)!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    const resp = parseOcspResponse(Buffer.from(await res.arrayBuffer()));
    return verifyOcspResponse(resp, {
      cert,
      issuer,
      certId: req.certId,
      nonce: req.nonceValue!,
      requireNonce: true,
      requireNoCheck: true,
      at: Date.now(),
      maxSkewMs: 60_000,
      algorithms: DEFAULT_ALGORITHM_POLICY,
    });
  }

  async function opensslOcsp(certPem: string): Promise<string> {
    const f = join(dir, `ocsp-${randomBytes(4).toString('hex')}.pem`);
    writeFileSync(f, certPem);
    const { stdout, stderr } = await run('openssl', [
      'ocsp',
      '-issuer', join(ca.intermediatesDir, 'ca.pem'),
      '-cert', f,
      '-url', `${ca.url}/ocsp`,
      '-CAfile', join(ca.trustAnchorsDir, 'root.pem'),
    ]);
    return stdout + stderr;
  }

  async function fetchCrl(): Promise<Buffer> {
    const res = await fetch(`${ca.url}/crl/ca.crl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    return Buffer.from(await res.arrayBuffer());
  }

  beforeAll(async () => {
    ca = await startDevCa(config);
    root = parseCertificate(decodePem(readFileSync(join(ca.trustAnchorsDir, 'root.pem'), 'utf8')));
    issuer = parseCertificate(decodePem(readFileSync(join(ca.intermediatesDir, 'ca.pem'), 'utf8')));
  });
  afterAll(async () => {
    await ca?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /health and serves its root and chain', async () => {
    const health = await fetch(`${ca.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', ocspUrl: `${ca.url}/ocsp`, crlUrl: `${ca.url}/crl/ca.crl` });
    const rootPem = await (await fetch(`${ca.url}/ca/root.pem`)).text();
    expect(rootPem).toBe(readFileSync(join(ca.trustAnchorsDir, 'root.pem'), 'utf8'));
    expect(root.subject.text).toContain('jointcert Dev RootCA');
    const chain = await fetch(`${ca.url}/ca/chain.pem`);
    expect(chain.headers.get('content-type')).toBe('application/x-pem-file');
    expect((await chain.text()).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(issuer.subject.text).toContain('yessignCA-Dev');
    for (const f of ['root.key', 'ca.key', 'ocsp.key']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it('issues a Korean-profile certificate with an NPKI signPri.key', async () => {
    const out = await issue({ email: 'hong@example.test' });
    const cert = parseCertificate(Buffer.from(out.certificate!, 'base64'));
    expect(cert.serialHex).toBe(out.serialHex);
    expect(out.subject).toContain('홍길동()');
    expect(out.folderName).toMatch(/^cn=홍길동\(\)\d+,ou=DEV,ou=personal4IB,o=yessign,c=kr$/);
    // critical certificatePolicies with the default 개인 범용 OID
    expect(certificatePolicyOids(cert)).toEqual(['1.2.410.200005.1.1.1']);
    expect(cert.extensions.find((e) => e.oid === '2.5.29.32')!.critical).toBe(true);
    expect([...cert.ext.keyUsage!].sort()).toEqual(['digitalSignature', 'nonRepudiation']);
    // notAfter at 23:59:59 KST, about a year out
    expect(new Date(cert.notAfter).toISOString()).toMatch(/T14:59:59\.000Z$/);
    expect(cert.notAfter - Date.now()).toBeGreaterThan(364 * 86_400_000);
    // the VID from the NPKI.md idn and the returned R
    const R = Buffer.from(out.randomNum!, 'base64');
    const id = identifyDataOf(cert);
    expect(id.realName).toBe('홍길동');
    expect(Buffer.from(id.vids[0]!.virtualID).equals(computeVid('8001011234567', R, 'sha256'))).toBe(true);
    // signPri.key decrypts with the password and carries R; the key matches the certificate
    const key = decryptSignPriKey(Buffer.from(out.signPriKey!, 'base64'), 'dev-password-1');
    expect(Buffer.from(key.randomNum!).equals(R)).toBe(true);
    const spki = (k: string) => createPublicKey(createPrivateKey(k)).export({ type: 'spki', format: 'der' });
    expect(spki(out.privateKeyPem!).equals(Buffer.from(cert.spki.der))).toBe(true);
    // CDP and AIA point at this CA
    expect(JSON.stringify(cert.ext.crlDistributionPoints)).toContain(`${ca.url}/crl/ca.crl`);
    expect(cert.ext.authorityInfoAccess!.map((a) => a.location)).toContainEqual({ type: 'uniformResourceIdentifier', value: `${ca.url}/ocsp` });
    // and the path validates to the written trust anchor
    const result = validatePath(cert, [issuer], createValidationPolicy({ trustAnchors: [root], at: Date.now() }));
    expect(result.checks.filter((c) => c.reason)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('serves its CRL over LDAP too, named first in issued certificates (HTTP second), through the verifier\'s guarded fetch path', async () => {
    const issued = await issue();
    const cert = parseCertificate(decodePem(issued.certificatePem!, 'CERTIFICATE'));
    const urls = (cert.ext.crlDistributionPoints ?? []).flatMap((dp) => (dp.fullName ?? []).map((n) => (n.type === 'uniformResourceIdentifier' ? n.value : '')));
    expect(urls).toEqual([ca.ldapUrl, `${ca.publicUrl}/crl/ca.crl`]);
    expect(ca.ldapUrl).toMatch(/^ldap:\/\/127\.0\.0\.1:\d+\/cn=crl1,ou=dp,o=jointcert-dev,c=kr\?certificateRevocationList;binary$/);
    expect((await post('/revoke', { serialHex: issued.serialHex })).status).toBe(200); // reissues the CRL: LDAP serves the new one
    const http = Buffer.from(await (await fetch(`${ca.publicUrl}/crl/ca.crl`)).arrayBuffer());
    // what the verifier does: FETCH_ALLOW_HOSTS / FETCH_ALLOW_PRIVATE, then fetchCrl over its guarded LDAP fetcher
    const verifierConfig = loadConfig({ FETCH_ALLOW_HOSTS: '127.0.0.1', FETCH_ALLOW_PRIVATE: 'true' });
    const deps = { http: createGuardedHttpFetcher(verifierConfig, createFetchAllow(verifierConfig)), ldap: createGuardedLdapFetcher(verifierConfig), allow: createFetchAllow(verifierConfig), maxBytes: 1 << 20, timeoutMs: 2000 };
    const viaLdap = await fetchCrlVia(ca.ldapUrl, deps);
    expect(viaLdap.ok).toBe(true);
    expect(viaLdap.ok && Buffer.from(viaLdap.crl.der)).toEqual(http);
    // FETCH_ALLOW rules: loopback refused without FETCH_ALLOW_PRIVATE, another host refused by FETCH_ALLOW_HOSTS
    const strict = loadConfig({ FETCH_ALLOW_HOSTS: 'ds.yessign.or.kr' });
    const refused = await fetchCrlVia(ca.ldapUrl, { ...deps, ldap: createGuardedLdapFetcher(strict), allow: createFetchAllow(strict) });
    expect(refused.ok).toBe(false);
  });

  it('issues other types and already expired certificates on request', async () => {
    const corp = await issue({ policy: 'corporate/general', name: '주식회사 개발', idn: '1234567890' });
    expect(certificatePolicyOids(parseCertificate(Buffer.from(corp.certificate!, 'base64')))).toEqual(['1.2.410.200005.1.1.5']);
    const expired = await issue({ validityDays: 0 });
    expect(Date.parse(expired.notAfter!)).toBeLessThan(Date.now());
    expect(expired.notAfter).toMatch(/T14:59:59\.000Z$/);
    const old = await issue({ validityDays: -40 });
    expect(Date.parse(old.notAfter!)).toBeLessThan(Date.now() - 39 * 86_400_000);
  });

  it('refuses bad requests with problem+json', async () => {
    for (const body of [{}, { password: 'short' }, { password: 'long-enough', idn: 'abc' }, { password: 'long-enough', policy: 'nobody/nothing' }, { password: 'long-enough', extra: 1 }]) {
      const res = await post('/issue', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'MALFORMED_INPUT' });
    }
    const missing = await post('/revoke', { serialHex: '7f00' });
    expect(missing.status).toBe(404);
  });

  it('answers OCSP good → revoked, for our verifier (POST and GET) and for openssl ocsp', async () => {
    const out = await issue();
    const cert = parseCertificate(Buffer.from(out.certificate!, 'base64'));
    expect(await ourOcsp(cert)).toMatchObject({ status: 'good', source: 'ocsp' });
    expect(await ourOcsp(cert, 'GET')).toMatchObject({ status: 'good' });
    const good = await opensslOcsp(out.certificatePem!);
    expect(good).toContain('Response verify OK');
    expect(good).toMatch(/: good/);

    const crlBefore = parseCrl(await fetchCrl());
    const res = await post('/revoke', { serialHex: out.serialHex, reason: 'keyCompromise' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { crlNumber: string; status: string; alreadyRevoked: boolean };
    expect(body).toMatchObject({ status: 'revoked', alreadyRevoked: false });
    expect(BigInt(body.crlNumber)).toBeGreaterThan(crlBefore.crlNumber!);

    expect(await ourOcsp(cert)).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    const revoked = await opensslOcsp(out.certificatePem!);
    expect(revoked).toContain('Response verify OK');
    expect(revoked).toMatch(/: revoked/);
    expect(revoked).toContain('Reason: keyCompromise');
    // revoking again changes nothing
    const again = await post('/revoke', { serialHex: out.serialHex, reason: 'superseded' });
    expect(await again.json()).toMatchObject({ alreadyRevoked: true, reason: 'keyCompromise' });
  });

  it('answers unknown for serials it never issued and malformedRequest for garbage', async () => {
    const out = await issue();
    const cert = parseCertificate(Buffer.from(out.certificate!, 'base64'));
    const stranger = { ...cert, serial: Buffer.from('0123', 'hex'), serialHex: '0123' };
    expect(await ourOcsp(stranger)).toMatchObject({ status: 'unknown', reason: 'OCSP_UNKNOWN' });
    const res = await fetch(`${ca.url}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from('garbage') });
    expect(res.status).toBe(200);
    expect(parseOcspResponse(Buffer.from(await res.arrayBuffer())).responseStatus).toBe('malformedRequest');
  });

  it('publishes a CRL our engine and openssl crl both verify', async () => {
    const good = parseCertificate(Buffer.from((await issue()).certificate!, 'base64'));
    const bad = await issue();
    const badCert = parseCertificate(Buffer.from(bad.certificate!, 'base64'));
    await post('/revoke', { serialHex: bad.serialHex, reason: 'superseded' });
    const der = await fetchCrl();
    const crl = parseCrl(der);
    expect(crl.nextUpdate! - crl.thisUpdate).toBe(86_400_000);
    expect(Math.abs(crl.thisUpdate - Date.now())).toBeLessThan(60_000);
    const opts = { at: Date.now(), maxSkewMs: 60_000, algorithms: DEFAULT_ALGORITHM_POLICY };
    expect(checkCrl({ cert: good, issuer, at: opts.at }, crl, opts)).toMatchObject({ status: 'good', source: 'crl' });
    expect(checkCrl({ cert: badCert, issuer, at: opts.at }, crl, opts)).toMatchObject({ status: 'revoked', reason: 'superseded' });

    const crlFile = join(dir, 'ca.crl');
    writeFileSync(crlFile, der);
    const chain = join(dir, 'chain-check.pem');
    writeFileSync(chain, await (await fetch(`${ca.url}/ca/chain.pem`)).text());
    const { stdout, stderr } = await run('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', chain, '-noout']);
    expect(stdout + stderr).toContain('verify OK');
    const text = (await run('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text'])).stdout;
    expect(text).toContain('X509v3 CRL Number');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text.toUpperCase()).toContain(bad.serialHex!.toUpperCase());
  });

  it("names the root's CRL in the CA certificate and publishes it (an empty ARL), for our engine and openssl", async () => {
    expect(JSON.stringify(issuer.ext.crlDistributionPoints)).toContain(`${ca.url}/crl/root.crl`);
    const res = await fetch(`${ca.url}/crl/root.crl`);
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    const der = Buffer.from(await res.arrayBuffer());
    const opts = { at: Date.now(), maxSkewMs: 60_000, algorithms: DEFAULT_ALGORITHM_POLICY };
    expect(checkCrl({ cert: issuer, issuer: root, at: opts.at }, parseCrl(der), opts)).toMatchObject({ status: 'good' });
    const f = join(dir, 'root.crl');
    writeFileSync(f, der);
    const { stdout, stderr } = await run('openssl', ['crl', '-inform', 'DER', '-in', f, '-CAfile', join(ca.trustAnchorsDir, 'root.pem'), '-noout']);
    expect(stdout + stderr).toContain('verify OK');
  });

  it('keeps its keys, certificates and revocations across a restart', async () => {
    const out = await issue();
    await post('/revoke', { serialHex: out.serialHex });
    const before = parseCrl(await fetchCrl()).crlNumber!;
    const rootBefore = readFileSync(join(ca.trustAnchorsDir, 'root.pem'), 'utf8');
    await ca.close();
    ca = await startDevCa(config);
    expect(readFileSync(join(ca.trustAnchorsDir, 'root.pem'), 'utf8')).toBe(rootBefore);
    // a new port: the CA certificate is reissued (same key and serial) with the new root CRL URL
    const caNow = parseCertificate(decodePem(readFileSync(join(ca.intermediatesDir, 'ca.pem'), 'utf8')));
    expect(JSON.stringify(caNow.ext.crlDistributionPoints)).toContain(`${ca.url}/crl/root.crl`);
    expect(caNow.serialHex).toBe(issuer.serialHex);
    expect(Buffer.from(caNow.spki.der).equals(Buffer.from(issuer.spki.der))).toBe(true);
    // the certificate names the old port; ask the new server directly
    const cert = parseCertificate(Buffer.from(out.certificate!, 'base64'));
    const req = buildOcspRequest(cert, issuer, { hash: 'sha256' });
    const res = await fetch(`${ca.url}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: req.der });
    const status = verifyOcspResponse(parseOcspResponse(Buffer.from(await res.arrayBuffer())), {
      cert, issuer, certId: req.certId, at: Date.now(), maxSkewMs: 60_000, algorithms: DEFAULT_ALGORITHM_POLICY,
    });
    expect(status).toMatchObject({ status: 'revoked' });
    // unspecified is written as no reason (RFC 5280 §5.3.1)
    expect(status.status === 'revoked' && status.reason).toBeFalsy();
    expect(parseCrl(await fetchCrl()).crlNumber!).toBeGreaterThan(before);
    expect(existsSync(join(dir, 'db.json'))).toBe(true);
    const db = JSON.parse(readFileSync(join(dir, 'db.json'), 'utf8')) as { certificates: Array<{ serialHex: string; status: string }> };
    expect(db.certificates.find((c) => c.serialHex === out.serialHex)?.status).toBe('revoked');
    expect(readFileSync(join(dir, 'db.json'), 'utf8')).not.toContain('8001011234567');
  });

  it('refuses to start unless enabled', async () => {
    await expect(startDevCa(loadConfig({ DEV_CA_PORT: '0', DEV_CA_DATA_DIR: dir, LOG_LEVEL: 'silent' }))).rejects.toThrow(/DEV_CA_ENABLED/);
  });
});
