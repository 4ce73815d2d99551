/**
 * The whole system through the REST API only (test/support/system.ts): the real
 * dev CA, verifier, registry and gateway in this process on the real Postgres and
 * Redis, the gateway on a real port driven with fetch. Plus two independent
 * peers: an OpenSSL-made CA outside the trust store, and a toolkit CA whose
 * revocation is answered by a real `openssl ocsp` responder (its root trusted by
 * the verifier from boot). The registry's clock is movable: a challenge expires
 * without sleeping.
 */
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AccountView, CertificateView, ReplaceResult, SessionTokens, ValidationReport } from '@jointcert/contracts';
import { DAY, issueKoreanChain, testKey, type KoreanChain } from '@jointcert/pki/issuing';
import { signWithNode, signWithOpenssl, startSystem, type ApiResponse, type Holder, type System } from './support/system';

const run = promisify(execFile);
const CHALLENGE_TTL_S = 10;
const SERVICE_TIMEOUT_MS = 2000;

interface SignUp {
  account: AccountView;
  certificate: CertificateView;
  session: SessionTokens;
}
type Problem = { status: number; code: string; detail: string; requestId: string } & Record<string, unknown>;

let sys: System;

// ------------------------------------------------------------ the `openssl ocsp` peer

const OSSL_SERIAL = 0x5a17e001n;
const OSSL_REVOKED_AT = Math.floor((Date.now() - 3 * DAY) / 1000) * 1000;
let ossl: { dir: string; chain: KoreanChain; child: ChildProcess; url: string };

/** openssl index.txt time: YYMMDDHHMMSSZ. */
function indexTime(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;
}

/**
 * A toolkit Korean chain (own root and CA) whose user certificate names a real
 * `openssl ocsp` responder as its OCSP URL. The responder (signing with the CA's
 * key) starts on a port of its choosing first; the chain is then issued again
 * with that URL (same keys, same time: the same root and CA).
 */
async function startOpensslPeer(): Promise<typeof ossl> {
  const at = Date.now();
  const base = {
    at,
    root: { keys: testKey('system-ossl-root'), subject: 'CN=OpenSSL-OCSP Test RootCA,OU=Test,O=jointcert system,C=KR' },
    ca: { keys: testKey('system-ossl-ca'), subject: 'CN=OpenSSL-OCSP Test CA,OU=Test,O=jointcert system,C=KR' },
    crlUrls: false as const,
  };
  const first = issueKoreanChain({ ...base, ocspUrl: false });
  const dir = mkdtempSync(join(tmpdir(), 'jc-system-ossl-'));
  writeFileSync(join(dir, 'ca.pem'), first.ca.pem);
  writeFileSync(join(dir, 'ca.key'), first.ca.key.export({ type: 'pkcs8', format: 'pem' }));
  const exp = indexTime(at + 365 * DAY);
  writeFileSync(join(dir, 'index.txt'), `R\t${exp}\t${indexTime(OSSL_REVOKED_AT)},keyCompromise\t${OSSL_SERIAL.toString(16).toUpperCase()}\tunknown\t/CN=revoked\n`);
  const child = spawn('openssl', ['ocsp', '-index', join(dir, 'index.txt'), '-port', '0', '-rsigner', join(dir, 'ca.pem'), '-rkey', join(dir, 'ca.key'), '-CA', join(dir, 'ca.pem'), '-nmin', '5'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited (${code}): ${err}`)));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /ACCEPT .*:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const chain = issueKoreanChain({ ...base, ocspUrl: url, user: { serial: OSSL_SERIAL, keys: testKey('system-ossl-user') } });
  expect(chain.ca.der.equals(first.ca.der)).toBe(true);
  return { dir, chain, child, url };
}

// ------------------------------------------------------------ helpers over the API

const identityOf = (h: Holder, idn: string) => ({ idn, randomNum: h.issued.randomNum });

/** A fresh challenge and the holder's signature over its nonce. */
async function signed(h: Pick<Holder, 'der' | 'key'>, certs?: Buffer[]): Promise<{ challengeId: string; signedData: string }> {
  const c = await sys.challenge();
  return { challengeId: c.challengeId, signedData: signWithNode(h, Buffer.from(c.nonce, 'base64'), certs ? { certs } : {}) };
}

function problem(res: ApiResponse<unknown>, status: number, code: string): Problem {
  expect({ status: res.status, code: (res.body as Problem | null)?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.body as Problem;
  expect(body).toMatchObject({ status, code, requestId: res.headers.get('x-request-id') });
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack traces
  return body;
}

async function login(h: Pick<Holder, 'der' | 'key'>): Promise<ApiResponse<SessionTokens>> {
  return sys.api<SessionTokens>('POST', '/v1/sessions', { body: await signed(h) });
}

interface Rows {
  accounts: number;
  certificates: number;
  sessions: number;
  audit_events: number;
}

async function rows(): Promise<Rows> {
  return { accounts: await sys.count('accounts'), certificates: await sys.count('certificates'), sessions: await sys.count('sessions'), audit_events: await sys.count('audit_events') };
}

const sha256 = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

beforeAll(async () => {
  ossl = await startOpensslPeer();
  sys = await startSystem({
    name: 'system',
    env: { CHALLENGE_TTL_S: String(CHALLENGE_TTL_S), SERVICE_TIMEOUT_MS: String(SERVICE_TIMEOUT_MS) },
    extraAnchors: [ossl.chain.root.pem],
  });
});

afterAll(async () => {
  await sys?.close();
  if (ossl) {
    if (ossl.child.exitCode === null) {
      const exited = new Promise((done) => ossl.child.once('exit', done));
      ossl.child.kill('SIGTERM');
      await exited;
    }
    rmSync(ossl.dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------ shared across the file

const HONG_IDN = '8001011234567';
let hongA: Holder;
let hongA2: Holder;
let signUp: SignUp;
let token: string;

describe('the whole system over REST', () => {
  it('the life of a certificate: sign up, log in, refresh (reuse revokes the family), add, replace, delete, login refused', async () => {
    hongA = await sys.issue({ name: '홍길동', idn: HONG_IDN, validityDays: 300, email: 'hong@example.test' });

    // sign up, signing the nonce exactly as a client does (openssl cms)
    const c1 = await sys.challenge();
    const cms = await signWithOpenssl(hongA.issued, Buffer.from(c1.nonce, 'base64'));
    const up = await sys.api<SignUp>('POST', '/v1/certificates', {
      body: { challengeId: c1.challengeId, signedData: cms, email: 'hong@example.test', identity: identityOf(hongA, HONG_IDN) },
    });
    expect(up.status).toBe(201);
    signUp = up.body;
    expect(signUp.account).toMatchObject({ id: expect.any(String), email: 'hong@example.test' });
    expect(signUp.certificate).toMatchObject({ status: 'active', serialHex: hongA.issued.serialHex.toLowerCase(), fingerprintSha256: sha256(hongA.der), ca: 'yessign', type: 'personal/general' });
    expect(signUp.session).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
    const stored = await sys.sql.query<{ identity_hash: string | null }>('SELECT identity_hash FROM accounts WHERE id = $1', [signUp.account.id]);
    expect(stored.rows[0]!.identity_hash).toMatch(/^[0-9a-f]{64}$/);

    // log in → tokens
    const t1 = await login(hongA);
    expect(t1.status).toBe(201);
    expect(t1.body).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number), account: { id: signUp.account.id } });
    expect((await sys.api('GET', '/v1/accounts/me', { token: t1.body.accessToken })).status).toBe(200);

    // refresh → a new pair; the old refresh token again → 401 and the whole family revoked
    const t2 = await sys.api<SessionTokens>('POST', '/v1/sessions/refresh', { body: { refreshToken: t1.body.refreshToken } });
    expect(t2.status).toBe(200);
    expect(t2.body.refreshToken).not.toBe(t1.body.refreshToken);
    expect(t2.body.accessToken).not.toBe(t1.body.accessToken);
    const reuse = problem(await sys.api('POST', '/v1/sessions/refresh', { body: { refreshToken: t1.body.refreshToken } }), 401, 'UNAUTHENTICATED');
    expect(reuse.reason).toBe('REFRESH_TOKEN_REUSED');
    problem(await sys.api('POST', '/v1/sessions/refresh', { body: { refreshToken: t2.body.refreshToken } }), 401, 'UNAUTHENTICATED');
    problem(await sys.api('GET', '/v1/accounts/me', { token: t2.body.accessToken }), 401, 'UNAUTHENTICATED');
    // the sign-up's own session is another family: untouched
    expect((await sys.api('GET', '/v1/accounts/me', { token: signUp.session.accessToken })).status).toBe(200);

    const t3 = await login(hongA);
    expect(t3.status).toBe(201);
    token = t3.body.accessToken;

    // a second certificate (another CA customer, no identity proof) added with the bearer token
    const kimB = await sys.issue({ name: '김철수', idn: '9001011234567' });
    const added = await sys.api<{ certificate: CertificateView }>('POST', '/v1/certificates', { token, body: await signed(kimB) });
    expect(added.status).toBe(201);
    expect(added.body.certificate).toMatchObject({ status: 'active', fingerprintSha256: sha256(kimB.der) });
    const viaB = await login(kimB);
    expect(viaB.status).toBe(201);
    expect(viaB.body.account.id).toBe(signUp.account.id);

    // A replaced by its successor A' (issued later: same name and idn, later notAfter), identity proven
    hongA2 = await sys.issue({ name: '홍길동', idn: HONG_IDN, validityDays: 400 });
    const replaced = await sys.api<ReplaceResult>('POST', `/v1/certificates/${signUp.certificate.id}/replace`, {
      token,
      body: { ...(await signed(hongA2)), identity: identityOf(hongA2, HONG_IDN) },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.previous).toMatchObject({ id: signUp.certificate.id, status: 'replaced', replacedBy: replaced.body.certificate.id });
    expect(replaced.body.certificate).toMatchObject({ status: 'active', fingerprintSha256: sha256(hongA2.der) });
    expect(replaced.body.certificate.notAfter > replaced.body.previous.notAfter).toBe(true);
    problem(await login(hongA), 401, 'CERT_NOT_REGISTERED');
    expect((await login(hongA2)).status).toBe(201);

    // B deleted → 204; B can no longer log in
    const del = await sys.api('DELETE', `/v1/certificates/${added.body.certificate.id}`, { token });
    expect(del.status).toBe(204);
    problem(await login(kimB), 401, 'CERT_NOT_REGISTERED');
    problem(await sys.api('GET', `/v1/certificates/${added.body.certificate.id}`, { token }), 404, 'NOT_FOUND');
    expect(await sys.count('certificates', 'id = $1 AND status = $2', [added.body.certificate.id, 'deleted'])).toBe(1);

    // the account's certificates with their statuses (deleted ones are kept for audit, not listed)
    const list = await sys.api<CertificateView[]>('GET', '/v1/certificates', { token });
    expect(list.status).toBe(200);
    const byFingerprint = Object.fromEntries(list.body.map((c) => [c.fingerprintSha256, c]));
    expect(list.body).toHaveLength(2);
    expect(byFingerprint[sha256(hongA.der)]).toMatchObject({ status: 'replaced', replacedBy: replaced.body.certificate.id });
    expect(byFingerprint[sha256(hongA2.der)]).toMatchObject({ status: 'active', daysLeft: expect.any(Number) });
    expect(byFingerprint[sha256(hongA2.der)]!.daysLeft).toBeGreaterThan(390);
  });

  it('a consumed challenge replayed → 400 CHALLENGE_UNKNOWN (also for another route)', async () => {
    const body = await signed(hongA2);
    expect((await sys.api('POST', '/v1/sessions', { body })).status).toBe(201);
    problem(await sys.api('POST', '/v1/sessions', { body }), 400, 'CHALLENGE_UNKNOWN');
    problem(await sys.api('POST', '/v1/certificates', { body }), 400, 'CHALLENGE_UNKNOWN');
  });

  it('an expired challenge → 400 CHALLENGE_EXPIRED (the registry clock moved past CHALLENGE_TTL_S, no sleeping)', async () => {
    const c = await sys.challenge();
    const ttl = Date.parse(c.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan((CHALLENGE_TTL_S - 2) * 1000);
    expect(ttl).toBeLessThanOrEqual(CHALLENGE_TTL_S * 1000);
    const body = { challengeId: c.challengeId, signedData: signWithNode(hongA2, Buffer.from(c.nonce, 'base64')) };
    sys.clock.offsetMs = CHALLENGE_TTL_S * 1000 + 1;
    try {
      const p = problem(await sys.api('POST', '/v1/sessions', { body }), 400, 'CHALLENGE_EXPIRED');
      expect(p.expiredAt).toBe(c.expiresAt);
    } finally {
      sys.clock.offsetMs = 0;
    }
    // and it was burnt by that attempt
    problem(await sys.api('POST', '/v1/sessions', { body }), 400, 'CHALLENGE_UNKNOWN');
  });

  it('a signature by an OpenSSL-made certificate outside the trust store → 422 CHAIN_UNTRUSTED, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jc-system-rogue-'));
    try {
      const f = (n: string): string => join(dir, n);
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '30', '-subj', '/C=KR/O=yessign/OU=AccreditedCA/CN=yessignCA Rogue',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/C=KR/O=yessign/OU=personal4IB/CN=rogue()0011']);
      writeFileSync(f('leaf.ext'), 'keyUsage=critical,digitalSignature,nonRepudiation\ncertificatePolicies=critical,1.2.410.200005.1.1.1\n');
      await run('openssl', ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '30', '-extfile', f('leaf.ext'), '-out', f('leaf.pem')]);
      const pems = { certificatePem: readFileSync(f('leaf.pem'), 'utf8'), privateKeyPem: readFileSync(f('leaf.key'), 'utf8'), chainPem: readFileSync(f('ca.pem'), 'utf8') };
      const before = await rows();
      for (const route of ['/v1/certificates', '/v1/sessions']) {
        const c = await sys.challenge();
        const signedData = await signWithOpenssl(pems, Buffer.from(c.nonce, 'base64'));
        problem(await sys.api('POST', route, { body: { challengeId: c.challengeId, signedData } }), 422, 'CHAIN_UNTRUSTED');
      }
      const after = await rows();
      expect({ ...after, audit_events: 0 }).toEqual({ ...before, audit_events: 0 });
      expect(after.audit_events - before.audit_events).toBe(2); // the two refusals, audited
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a certificate revoked at the dev CA → 422 CERT_REVOKED with its time (the dev CA’s OCSP), nothing written but the audit', async () => {
    const lee = await sys.issue({ name: '이순신', idn: '7001011234567' });
    await sys.revoke(lee.issued.serialHex, 'keyCompromise');
    const before = await rows();
    const p = problem(await sys.api('POST', '/v1/certificates', { body: { ...(await signed(lee)), identity: identityOf(lee, '7001011234567') } }), 422, 'CERT_REVOKED');
    expect(Date.parse(String(p.revokedAt))).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - Date.parse(String(p.revokedAt))).toBeLessThan(60_000);
    const after = await rows();
    expect(after).toEqual({ ...before, audit_events: before.audit_events + 1 });
    expect(await sys.count('audit_events', `action = 'register' AND outcome = 'failure' AND reason = 'CERT_REVOKED'`)).toBe(1);
  });

  it('a certificate revoked per a real `openssl ocsp` responder → 422 CERT_REVOKED; the report names that responder', async () => {
    const holder = { der: ossl.chain.user.der, key: ossl.chain.user.key };
    const certs = [ossl.chain.user.der, ossl.chain.ca.der];
    const p = problem(await sys.api('POST', '/v1/certificates', { body: await signed(holder, certs) }), 422, 'CERT_REVOKED');
    expect(p.revokedAt).toBe(new Date(OSSL_REVOKED_AT).toISOString());
    // the same signer's document: the report carries the responder's answer as evidence
    const doc = signWithNode(holder, Buffer.from('계약서 v1'), { certs });
    const report = await sys.api<ValidationReport>('POST', '/v1/signatures/verify', { token, body: { signedData: doc } });
    expect(report.status).toBe(200);
    expect(report.body.verdict).toBe('invalid');
    expect(report.body.signers[0]!.revocation[0]).toMatchObject({ status: 'revoked', source: 'ocsp', url: ossl.url, revokedAt: new Date(OSSL_REVOKED_AT).toISOString(), reason: 'keyCompromise' });
  });

  it('malformed bodies of every field of POST /v1/certificates and POST /v1/sessions → 400 problems, nothing written, the challenge not even consumed', async () => {
    const good = await signed(hongA2);
    const idn = HONG_IDN;
    const randomNum = hongA2.issued.randomNum;
    const big = Buffer.alloc(64 * 1024 + 3).toString('base64');
    // [case, body, the fields the problem names]
    type Case = [string, unknown, string[]];
    const common: Case[] = [
      ['empty object', {}, ['challengeId', 'signedData']],
      ['challengeId missing', { signedData: good.signedData }, ['challengeId']],
      ['challengeId a number', { ...good, challengeId: 42 }, ['challengeId']],
      ['challengeId too short', { ...good, challengeId: 'abc' }, ['challengeId']],
      ['challengeId with bad characters', { ...good, challengeId: `${good.challengeId}!` }, ['challengeId']],
      ['challengeId too long', { ...good, challengeId: 'a'.repeat(65) }, ['challengeId']],
      ['signedData missing', { challengeId: good.challengeId }, ['signedData']],
      ['signedData empty', { ...good, signedData: '' }, ['signedData']],
      ['signedData not base64', { ...good, signedData: 'not base64!' }, ['signedData']],
      ['signedData truncated base64', { ...good, signedData: 'QUJDQ' }, ['signedData']],
      ['signedData mixing base64 and base64url', { ...good, signedData: '-_-/' }, ['signedData']],
      ['signedData an object', { ...good, signedData: { der: good.signedData } }, ['signedData']],
      ['signedData over 64 KiB', { ...good, signedData: big }, ['signedData']],
      ['unknown field', { ...good, admin: true }, ['admin']],
      ['null body', null, ['(body)']],
      ['array body', [good], ['(body)']],
    ];
    const certificatesOnly: Case[] = [
      ['email not an address', { ...good, email: 'not-an-email' }, ['email']],
      ['email a number', { ...good, email: 7 }, ['email']],
      ['email too long', { ...good, email: `${'a'.repeat(250)}@example.test` }, ['email']],
      ['identity a string', { ...good, identity: 'hong' }, ['identity']],
      ['identity.idn missing', { ...good, identity: { randomNum } }, ['identity.idn']],
      ['identity.idn too short', { ...good, identity: { idn: '800101', randomNum } }, ['identity.idn']],
      ['identity.idn letters', { ...good, identity: { idn: '800101-123456X', randomNum } }, ['identity.idn']],
      ['identity.randomNum missing', { ...good, identity: { idn } }, ['identity.randomNum']],
      ['identity.randomNum 19 bytes', { ...good, identity: { idn, randomNum: randomBytes(19).toString('base64') } }, ['identity.randomNum']],
      ['identity.randomNum 21 bytes', { ...good, identity: { idn, randomNum: randomBytes(21).toString('base64') } }, ['identity.randomNum']],
      ['identity.randomNum not base64', { ...good, identity: { idn, randomNum: '%'.repeat(28) } }, ['identity.randomNum']],
      ['identity unknown field', { ...good, identity: { idn, randomNum, name: '홍길동' } }, ['identity.name']],
      ['every field wrong at once', { challengeId: 1, signedData: '!', email: 'x', identity: { idn: '1', randomNum: 'x' } }, ['challengeId', 'signedData', 'email', 'identity.idn', 'identity.randomNum']],
    ];
    const sessionsOnly: Case[] = [
      ['email (not a field of login)', { ...good, email: 'hong@example.test' }, ['email']],
      ['identity (not a field of login)', { ...good, identity: { idn, randomNum } }, ['identity']],
    ];
    // [case, raw body, content type, status, code]
    const raw: Array<[string, string, string, number, string]> = [
      ['truncated JSON', '{"challengeId":', 'application/json', 400, 'MALFORMED_INPUT'],
      ['not JSON', 'challengeId=x', 'application/json', 400, 'MALFORMED_INPUT'],
      ['form encoded', `challengeId=${good.challengeId}`, 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['text/plain', JSON.stringify(good), 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    const before = await rows();
    const seen: string[] = [];
    for (const [route, cases] of [
      ['/v1/certificates', [...common, ...certificatesOnly]],
      ['/v1/sessions', [...common, ...sessionsOnly]],
    ] as const) {
      for (const [name, body, fields] of cases) {
        const res = await sys.api('POST', route, { payload: JSON.stringify(body) });
        const named = [...new Set(((res.body as Problem).errors as Array<{ field: string }> | undefined)?.map((e) => e.field))].sort();
        expect({ route, name, status: res.status, code: (res.body as Problem).code, named }).toEqual({ route, name, status: 400, code: 'MALFORMED_INPUT', named: [...fields].sort() });
        problem(res, 400, 'MALFORMED_INPUT');
        seen.push(`${route} ${name}`);
      }
      for (const [name, payload, type, status, code] of raw) {
        const res = await sys.api('POST', route, { payload, headers: { 'content-type': type } });
        expect({ route, name, status: res.status, code: (res.body as Problem).code }).toEqual({ route, name, status, code });
        problem(res, status, code);
      }
    }
    expect(seen.length).toBe(2 * common.length + certificatesOnly.length + sessionsOnly.length);
    expect(await rows()).toEqual(before); // not even an audit row: nothing reached the registry
    // well-formed base64 that is not CMS passes the edge: the registry refuses it (400), burning the challenge, writing only its audit row
    const junk = await sys.challenge();
    problem(await sys.api('POST', '/v1/sessions', { body: { challengeId: junk.challengeId, signedData: randomBytes(300).toString('base64') } }), 400, 'MALFORMED_INPUT');
    expect(await rows()).toEqual({ ...before, audit_events: before.audit_events + 1 });
    // the well-formed challenge was never consumed by the refused requests
    expect((await sys.api('POST', '/v1/sessions', { body: good })).status).toBe(201);
  });

  it('two concurrent registrations of one certificate (two challenges, two signatures) → exactly one 201, the other 409', async () => {
    const park = await sys.issue({ name: '박영희', idn: '9502022345678' });
    const before = await rows();
    const [a, b] = await Promise.all([signed(park), signed(park)]);
    const results = await Promise.all([a, b].map((body, i) => sys.api('POST', '/v1/certificates', { body: { ...body, email: `park${i}@example.test` } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    problem(results.find((r) => r.status === 409)!, 409, 'CERT_ALREADY_REGISTERED');
    const after = await rows();
    expect({ accounts: after.accounts - before.accounts, certificates: after.certificates - before.certificates, sessions: after.sessions - before.sessions }).toEqual({
      accounts: 1,
      certificates: 1,
      sessions: 1,
    });
    expect(await sys.count('certificates', 'fingerprint_sha256 = $1', [sha256(park.der)])).toBe(1);
  });

  it('POST /v1/signatures/verify: a valid signed document → valid with path and revocation evidence; tampered → 200 invalid', async () => {
    const content = Buffer.from('청약 신청서: 홍길동, 2026-03-01');
    const doc = signCmsDoc(hongA2, content);
    const ok = await sys.api<ValidationReport>('POST', '/v1/signatures/verify', { token, body: { signedData: doc.toString('base64') } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ verdict: 'valid', reasons: [], contentLength: content.length });
    const signer = ok.body.signers[0]!;
    expect(signer.certificate).toMatchObject({ fingerprintSha256: sha256(hongA2.der) });
    expect(signer.path.map((c) => c.subject)).toEqual([expect.stringContaining('홍길동'), expect.stringContaining('CA'), expect.stringContaining('Root')]);
    expect(signer.revocation[0]).toMatchObject({ status: 'good', source: 'ocsp', url: expect.stringContaining(sys.devCa.url), thisUpdate: expect.any(String), nextUpdate: expect.any(String) });

    // detached, with the content beside it
    const detached = signWithNode(hongA2, content, { detached: true });
    const okDetached = await sys.api<ValidationReport>('POST', '/v1/signatures/verify', { token, body: { signedData: detached, content: content.toString('base64') } });
    expect(okDetached.body.verdict).toBe('valid');

    // one byte of the content changed inside the message
    const at = doc.indexOf(content);
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(doc);
    tampered[at + content.length - 1] = tampered[at + content.length - 1]! ^ 0x01;
    const bad = await sys.api<ValidationReport>('POST', '/v1/signatures/verify', { token, body: { signedData: tampered.toString('base64') } });
    expect(bad.status).toBe(200);
    expect(bad.body.verdict).toBe('invalid');
    expect(bad.body.reasons.length).toBeGreaterThan(0);

    problem(await sys.api('POST', '/v1/signatures/verify', { body: { signedData: doc.toString('base64') } }), 401, 'UNAUTHENTICATED');
  });

  it('the verifier stopped → POST /v1/sessions answers 503 within SERVICE_TIMEOUT_MS (bounded, measured); back when it returns', async () => {
    await sys.stopVerifier();
    try {
      const res = await login(hongA2);
      problem(res, 503, 'SERVICE_UNAVAILABLE');
      expect(res.ms).toBeGreaterThanOrEqual(SERVICE_TIMEOUT_MS * 0.9);
      expect(res.ms).toBeLessThan(SERVICE_TIMEOUT_MS + 1000);
      const doc = await sys.api('POST', '/v1/signatures/verify', { token, body: { signedData: signWithNode(hongA2, Buffer.from('x')) } });
      problem(doc, 503, 'SERVICE_UNAVAILABLE');
      expect(doc.ms).toBeLessThan(SERVICE_TIMEOUT_MS + 1000);
      console.log(`verifier down: POST /v1/sessions 503 after ${res.ms.toFixed(0)} ms, POST /v1/signatures/verify 503 after ${doc.ms.toFixed(0)} ms (SERVICE_TIMEOUT_MS ${SERVICE_TIMEOUT_MS})`);
    } finally {
      await sys.startVerifier();
    }
    expect((await login(hongA2)).status).toBe(201);
  });

  it('audit_events: registration, login success and failure, replacement, deletion — with the account, address and reason', async () => {
    const q = await sys.sql.query<{ action: string; outcome: string; reason: string | null; n: number }>(
      `SELECT action, outcome, reason, count(*)::int AS n FROM audit_events WHERE account_id = $1 OR action IN ('login', 'register') GROUP BY 1, 2, 3`,
      [signUp.account.id],
    );
    const has = (action: string, outcome: string, reason: string | null = null): number =>
      q.rows.filter((r) => r.action === action && r.outcome === outcome && (reason === null || r.reason === reason)).reduce((n, r) => n + r.n, 0);
    expect(has('register', 'success')).toBeGreaterThanOrEqual(3);
    expect(has('login', 'success')).toBeGreaterThanOrEqual(5);
    expect(has('login', 'failure', 'CERT_NOT_REGISTERED')).toBeGreaterThanOrEqual(2);
    expect(has('login', 'failure', 'CHALLENGE_EXPIRED')).toBe(1);
    expect(has('replace', 'success')).toBe(1);
    expect(has('delete', 'success')).toBe(1);
    const own = await sys.sql.query<{ action: string; ip: string; request_id: string | null }>(
      `SELECT action, host(ip) AS ip, request_id FROM audit_events WHERE account_id = $1 AND outcome = 'success' AND action IN ('register', 'replace', 'delete')`,
      [signUp.account.id],
    );
    expect(own.rows.length).toBe(4);
    for (const r of own.rows) expect(r).toMatchObject({ ip: '127.0.0.1', request_id: expect.any(String) });
  });
});

/** An attached CMS document by the holder (DER), for tampering. */
function signCmsDoc(h: Holder, content: Buffer): Buffer {
  return Buffer.from(signWithNode(h, content), 'base64');
}


