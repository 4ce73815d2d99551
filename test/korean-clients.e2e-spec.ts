/**
 * What Korean signing clients send, through the REST API of the whole system
 * (test/support/system.ts: dev CA, verifier, registry, gateway on the real
 * Postgres and Redis). Each shape is made by OpenSSL where OpenSSL can make it,
 * else by the project's own signer (EUC-KR text, KOSCOM v0, no certificates),
 * and is accepted or refused exactly as specified; a refusal changes no row
 * but its audit event.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { createPublicKey } from 'node:crypto';
import type { CertificateView, ChallengeView, ServerCertificateView, SessionTokens, ValidationReport } from '@jointcert/contracts';
import { encryptVidMsg, parseCertificate } from '@jointcert/pki';
import { issueKoreanChain, signCms, testKey } from '@jointcert/pki/issuing';
import { startSystem, type ApiResponse, type Holder, type System } from './support/system';

const run = promisify(execFile);
let sys: System;
let dir: string;

type Problem = { status: number; code: string; detail: string; title: string; reason?: string };

interface OpensslOptions {
  detached?: boolean;
  md?: 'sha1' | 'sha256';
  outform?: 'DER' | 'PEM';
}

/** `openssl cms -sign` over `content` with the holder's key, as a client would. */
async function openssl(h: Holder, content: Buffer, o: OpensslOptions = {}): Promise<Buffer> {
  const f = (n: string, data: string | Buffer): string => {
    writeFileSync(join(dir, n), data);
    return join(dir, n);
  };
  const args = ['cms', '-sign', '-binary', '-md', o.md ?? 'sha256', '-outform', o.outform ?? 'DER', '-signer', f('cert.pem', h.issued.certificatePem), '-inkey', f('key.pem', h.issued.privateKeyPem)];
  if (!o.detached) args.push('-nodetach');
  args.push('-in', f('content.bin', content), '-out', join(dir, 'out'));
  await run('openssl', args);
  return readFileSync(join(dir, 'out'));
}

const utf8 = (c: ChallengeView): Buffer => Buffer.from(c.textToSign, 'utf8');
const nonceOf = (c: ChallengeView): Buffer => Buffer.from(c.nonce, 'base64');

async function rows(): Promise<Record<string, number>> {
  return { accounts: await sys.count('accounts'), certificates: await sys.count('certificates'), sessions: await sys.count('sessions') };
}

async function login(challengeId: string, signedData: string): Promise<ApiResponse<SessionTokens>> {
  return sys.api<SessionTokens>('POST', '/v1/sessions', { body: { challengeId, signedData } });
}

/** A refusal: the status and code, problem+json, and nothing but an audit row written. */
async function refusedLogin(make: (c: ChallengeView) => Promise<string> | string, status: number, code: string): Promise<Problem> {
  const before = await rows();
  const audits = await sys.count('audit_events');
  const c = await sys.challenge();
  const res = await login(c.challengeId, await make(c));
  expect({ status: res.status, code: (res.body as unknown as Problem).code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await rows()).toEqual(before);
  expect(await sys.count('audit_events')).toBeLessThanOrEqual(audits + 1);
  return res.body as unknown as Problem;
}

let bank: Holder;
let accountId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jc-korean-clients-'));
  // CRLs first: every check below takes the LDAP CRL distribution point the dev CA names first
  sys = await startSystem({ name: 'korean', env: { SITE_NAME: '청약홈', REVOCATION_ORDER: 'crl,ocsp' } });
  bank = await sys.issue({ name: '홍길동', idn: '8001011234567', policy: '1.2.410.200005.1.1.4' });
});

afterAll(async () => {
  await sys?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Korean clients over REST', () => {
  it('POST /v1/challenges returns textToSign derived from the nonce and SITE_NAME', async () => {
    const c = await sys.challenge();
    expect(c.textToSign).toBe(`[청약홈] 공동인증서 로그인 (certificate login)\nnonce=${c.nonce}`);
  });

  it('sign-up with the bank/insurance limited-use certificate (accepted by default): OpenSSL over textToSign (UTF-8), PEM, randomNum in hex', async () => {
    const c = await sys.challenge();
    const pem = (await openssl(bank, utf8(c), { outform: 'PEM' })).toString('latin1');
    expect(pem).toMatch(/^-----BEGIN CMS-----/);
    const res = await sys.api<{ certificate: CertificateView; account: { id: string } }>('POST', '/v1/certificates', {
      body: { challengeId: c.challengeId, signedData: pem, identity: { idn: '800101-1234567', randomNum: Buffer.from(bank.issued.randomNum, 'base64').toString('hex') } },
    });
    expect(res.status).toBe(201);
    expect(res.body.certificate).toMatchObject({ type: 'personal/limited', policyOid: '1.2.410.200005.1.1.4', ca: 'yessign' });
    accountId = res.body.account.id;
  });

  it.each<[string, (c: ChallengeView) => Promise<string> | string]>([
    ['OpenSSL detached over the raw nonce, as hex', async (c) => (await openssl(bank, nonceOf(c), { detached: true })).toString('hex')],
    ['OpenSSL detached over textToSign, base64 with CRLF line breaks', async (c) => (await openssl(bank, utf8(c), { detached: true })).toString('base64').replace(/(.{64})/g, '$1\r\n')],
    ['OpenSSL attached over the raw nonce, PKCS7 PEM', async (c) => `-----BEGIN PKCS7-----\n${(await openssl(bank, nonceOf(c))).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`],
    ['our signer over textToSign in EUC-KR, base64url', (c) => signCms(bank, iconv.encode(c.textToSign, 'euc-kr')).toString('base64url')],
    ['our signer over textToSign in EUC-KR, detached, no signed attributes', (c) => signCms(bank, iconv.encode(c.textToSign, 'euc-kr'), { detached: true, noAttributes: true }).toString('base64')],
    ['our signer, no certificate in the message: the registered one by issuer and serial', (c) => signCms(bank, nonceOf(c), { noCertificates: true }).toString('base64')],
    ['our signer, the KOSCOM v0 shape (sid "issuer" = own subject)', (c) => signCms(bank, utf8(c), { koscomV0: true }).toString('base64')],
  ])('login accepted: %s', async (_, make) => {
    const c = await sys.challenge();
    const res = await login(c.challengeId, await make(c));
    expect(res.status).toBe(201);
    expect(res.body.account.id).toBe(accountId);
  });

  it('refused, nothing written: the text with a trailing newline → 422 CONTENT_MISMATCH (not "signature does not verify")', async () => {
    const p = await refusedLogin(async (c) => (await openssl(bank, Buffer.from(`${c.textToSign}\n`))).toString('base64'), 422, 'CONTENT_MISMATCH');
    expect(p.title).toBe('Signed content does not match the challenge');
    expect(p.detail).not.toMatch(/does not verify/);
    expect(p.reason).toBe('CONTENT_MISMATCH');
  });

  it('refused: the nonce as base64 text, and a detached signature over another text → 422 CONTENT_MISMATCH', async () => {
    await refusedLogin(async (c) => (await openssl(bank, Buffer.from(c.nonce))).toString('base64'), 422, 'CONTENT_MISMATCH');
    await refusedLogin(async (c) => (await openssl(bank, Buffer.from(`${c.textToSign}!`), { detached: true })).toString('base64'), 422, 'CONTENT_MISMATCH');
  });

  it('refused: SHA-1 (openssl -md sha1) by default → 422 SIGNATURE_INVALID, reason ALGORITHM_NOT_ALLOWED', async () => {
    const p = await refusedLogin(async (c) => (await openssl(bank, nonceOf(c), { md: 'sha1' })).toString('base64'), 422, 'SIGNATURE_INVALID');
    expect(p.reason).toBe('ALGORITHM_NOT_ALLOWED');
    expect(p.detail).toMatch(/SHA-1/);
  });

  it('refused: KOSCOM v0 when two embedded certificates carry the serial (never guess)', async () => {
    const serial = BigInt(`0x${bank.issued.serialHex}`);
    const twin = issueKoreanChain({ user: { serial, keys: testKey('korean-twin') } });
    await refusedLogin((c) => signCms(bank, nonceOf(c), { koscomV0: true, certs: [bank.der, twin.user.der] }).toString('base64'), 422, 'SIGNATURE_INVALID');
  });

  it('refused: no certificate in the message and none registered under that issuer and serial → 400', async () => {
    const stranger = await sys.issue({ name: '김철수', idn: '9001011234567' });
    await refusedLogin((c) => signCms(stranger, nonceOf(c), { noCertificates: true }).toString('base64'), 400, 'MALFORMED_INPUT');
  });

  it('GET /v1/server-certificate: the KM certificate the dev CA issued; R encrypted to it (OpenSSL EnvelopedData, our vidMsg) registers with the identity checked', async () => {
    const res = await sys.api<ServerCertificateView>('GET', '/v1/server-certificate');
    expect(res.status).toBe(200);
    const kmDer = Buffer.from(res.body.certificate, 'base64');
    expect(parseCertificate(kmDer).ext.keyUsage?.has('keyEncipherment')).toBe(true);
    writeFileSync(join(dir, 'km.der'), kmDer);
    await run('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'km.der'), '-out', join(dir, 'km.pem')]);
    const envelopeOf = async (r: Buffer): Promise<string> => {
      writeFileSync(join(dir, 'r.bin'), r);
      await run('openssl', ['cms', '-encrypt', '-aes256', '-binary', '-in', join(dir, 'r.bin'), '-outform', 'DER', '-out', join(dir, 'env.der'), '-recip', join(dir, 'km.pem')]);
      return readFileSync(join(dir, 'env.der')).toString('base64');
    };
    const kmPublic = createPublicKey(`-----BEGIN CERTIFICATE-----\n${res.body.certificate}\n-----END CERTIFICATE-----`);
    for (const [idn, make] of [
      ['7001011234567', async (r: Buffer) => envelopeOf(r)],
      ['7101011234567', (r: Buffer) => Promise.resolve(encryptVidMsg(kmPublic, r).toString('base64'))],
    ] as const) {
      const h = await sys.issue({ name: '이순신', idn });
      const c = await sys.challenge();
      const up = await sys.api('POST', '/v1/certificates', {
        body: { challengeId: c.challengeId, signedData: signCms(h, nonceOf(c)).toString('base64'), identity: { idn, encryptedRandom: await make(Buffer.from(h.issued.randomNum, 'base64')) } },
      });
      expect(up.status).toBe(201);
    }
  });

  it('identity.encryptedRandom that does not decrypt → 422 DECRYPTION_FAILED, nothing written', async () => {
    const h = await sys.issue({ name: '강감찬', idn: '7201011234567' });
    const before = await rows();
    const kmPublic = createPublicKey(`-----BEGIN CERTIFICATE-----\n${(await sys.api<ServerCertificateView>('GET', '/v1/server-certificate')).body.certificate}\n-----END CERTIFICATE-----`);
    const msg = encryptVidMsg(kmPublic, Buffer.from(h.issued.randomNum, 'base64'));
    msg[msg.length - 1]! ^= 1;
    const c = await sys.challenge();
    const res = await sys.api<Problem>('POST', '/v1/certificates', {
      body: { challengeId: c.challengeId, signedData: signCms(h, nonceOf(c)).toString('base64'), identity: { idn: '7201011234567', encryptedRandom: msg.toString('base64') } },
    });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'DECRYPTION_FAILED' });
    expect(await rows()).toEqual(before);
  });

  it('revocation through the dev CA LDAP CRL (the first CDP): the report names the ldap:// URL', async () => {
    const c = await sys.challenge();
    const session = await login(c.challengeId, signCms(bank, nonceOf(c)).toString('base64'));
    expect(session.status).toBe(201);
    const report = await sys.api<ValidationReport>('POST', '/v1/signatures/verify', {
      token: session.body.accessToken,
      body: { signedData: signCms(bank, Buffer.from('a document')).toString('base64') },
    });
    expect(report.status).toBe(200);
    expect(report.body.verdict).toBe('valid');
    expect(report.body.signers[0]!.revocation[0]).toMatchObject({ status: 'good', source: 'crl', url: sys.devCa.ldapUrl });
  });

  it('refused at the gateway (nothing reaches the registry): bad encodings', async () => {
    const audits = await sys.count('audit_events');
    for (const signedData of ['3', '3082zz!', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'QU JD', '']) {
      const c = await sys.challenge();
      const res = await login(c.challengeId, signedData);
      expect({ status: res.status, code: (res.body as unknown as Problem).code }).toEqual({ status: 400, code: 'MALFORMED_INPUT' });
    }
    expect(await sys.count('audit_events')).toBe(audits);
  });
});
