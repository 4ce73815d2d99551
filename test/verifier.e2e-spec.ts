import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type AppConfig, createMicroservice, createServiceClient, DomainError, loadConfig, type ServiceClient } from '@jointcert/common';
import { Api, type VerifyChallengeRequest } from '@jointcert/contracts';
import { DAY, KOREAN_DEFAULTS, signCms, TEST_TIME } from '@jointcert/pki/issuing';
import { VerifierModule } from '@jointcert/verification';
import { RevocationService } from '../libs/verification/src/revocation/revocation.service';
import { deleteKeys } from './support/redis';
import { deadUrl, type KoreanMaterial, koreanMaterial, RevocationPeer, verifierTestEnv } from './support/verifier';

// The verifier microservice started in-process on the real Redis transport,
// driven through the typed ServiceClient; revocation from a real HTTP peer
// (OCSP responses and CRLs built by the toolkit), the Redis revocation cache,
// an OpenSSL-made CA outside the trust store. The clock is injected (TEST_TIME).
const AT = TEST_TIME;
const run = `${process.pid}-${randomBytes(4).toString('hex')}`;
const NONCE = randomBytes(32);
const b64 = (b: Buffer): string => b.toString('base64');

let peer: RevocationPeer;
let pki: KoreanMaterial;
let redis: Redis;
const started: { service: INestMicroservice; client: ServiceClient; config: AppConfig }[] = [];

async function startVerifier(name: string, env: Record<string, string> = {}): Promise<{ client: ServiceClient; config: AppConfig }> {
  const config = loadConfig({ ...verifierTestEnv(pki, `jc-verifier-e2e-${name}-${run}:`), ...env });
  const service = await createMicroservice(VerifierModule.forRoot(config, { clock: { now: () => AT } }), config);
  await service.listen();
  const client = createServiceClient(config);
  started.push({ service, client, config });
  return { client, config };
}

let hard: ServiceClient;
let soft: ServiceClient;

/** Expect the call to fail with a DomainError of `code`; returns its extra. */
async function refused(p: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  return (err as DomainError).extra;
}

function challenge(signedData: Buffer, extra: Partial<VerifyChallengeRequest> = {}): VerifyChallengeRequest {
  return { signedData: b64(signedData), expectedContent: b64(NONCE), purpose: 'login', ...extra };
}

// users, each with its own serial and revocation URLs (cache keys never collide)
let good: ReturnType<KoreanMaterial['user']>;
let revoked: ReturnType<KoreanMaterial['user']>;
let fallback: ReturnType<KoreanMaterial['user']>;
let bothDown: ReturnType<KoreanMaterial['user']>;
let ssrf: ReturnType<KoreanMaterial['user']>;

beforeAll(async () => {
  peer = await new RevocationPeer().start();
  pki = koreanMaterial(peer, AT);
  redis = new Redis(loadConfig({}).REDIS_URL);
  const p = (s: string): string => `${peer.base}${s}`;

  good = pki.user({ serial: 0x1001n, ocspUrl: p('/ocsp/good'), crlUrls: [p('/crl/good.crl')] });
  peer.ocsp('/ocsp/good', pki.ocspFor(good.user, { status: 'good' }));
  peer.crl('/crl/good.crl', pki.crlOf([]));

  revoked = pki.user({ serial: 0x1002n, ocspUrl: p('/ocsp/revoked'), crlUrls: [p('/crl/good.crl')] });
  peer.ocsp('/ocsp/revoked', pki.ocspFor(revoked.user, { status: 'revoked', revokedAt: AT - 2 * DAY, reason: 1 }));

  fallback = pki.user({ serial: 0x1003n, ocspUrl: await deadUrl('/ocsp'), crlUrls: [p('/crl/fallback.crl')] });
  peer.crl('/crl/fallback.crl', pki.crlOf([{ serial: 0x9999n, revokedAt: AT - DAY, reason: 'keyCompromise' }]));

  bothDown = pki.user({ serial: 0x1004n, ocspUrl: await deadUrl('/ocsp'), crlUrls: [await deadUrl('/crl/x.crl')] });

  // same peer, but named "localhost": not on FETCH_ALLOW_HOSTS — a fetch would be counted here
  ssrf = pki.user({ serial: 0x1005n, ocspUrl: `http://localhost:${peer.port}/ocsp/ssrf`, crlUrls: [`http://localhost:${peer.port}/crl/ssrf.crl`] });
  peer.ocsp('/ocsp/ssrf', pki.ocspFor(ssrf.user, { status: 'good' }));
  peer.crl('/crl/ssrf.crl', pki.crlOf([]));

  hard = (await startVerifier('hard')).client;
  soft = (await startVerifier('soft', { REVOCATION_POLICY: 'soft-fail' })).client;
});

afterAll(async () => {
  for (const s of started) {
    await s.client.close();
    await s.service.close();
    await deleteKeys(redis, s.config.REDIS_PREFIX);
  }
  await redis.quit();
  await peer.stop();
  pki.cleanup();
});

describe('verifyChallenge over Redis', () => {
  it('accepts a good signature with revocation evidence, then serves the OCSP answer from the Redis cache', async () => {
    const msg = signCms(good.user, NONCE);
    const r = await hard.send(Api.verifier.verifyChallenge, challenge(msg));
    expect(r.certificate).toMatchObject({
      subject: expect.stringContaining(`CN=${KOREAN_DEFAULTS.userCn}`),
      issuer: 'CN=yessignCA-Test,OU=AccreditedCA,O=yessign,C=kr',
      serialHex: '1001',
      policyOid: '1.2.410.200005.1.1.1',
      ca: 'yessign',
      type: 'personal/general',
      typeLabel: expect.stringContaining('개인 범용'),
      hasIdentifyData: true,
      cnBase: '홍길동()',
      notAfter: expect.stringMatching(/T14:59:59\.000Z$/),
    });
    expect(Buffer.from(r.certificate.der, 'base64').equals(good.user.der)).toBe(true);
    expect(r.certificate.issuerKey.length).toBeGreaterThan(10);
    expect(r.identityVerified).toBe(false);
    expect(r.signingTime).toBe('2026-01-15T02:59:00.000Z');
    expect(r.revocation).toHaveLength(2);
    expect(r.revocation[0]).toMatchObject({
      status: 'good',
      source: 'ocsp',
      url: `${peer.base}/ocsp/good`,
      thisUpdate: new Date(AT - 3_600_000).toISOString(),
      nextUpdate: new Date(AT + DAY).toISOString(),
      producedAt: new Date(AT - 60_000).toISOString(),
      cached: false,
    });
    // the CA checked against its ARL (no OCSP URL in the CA certificate)
    expect(r.revocation[1]).toMatchObject({ subject: 'CN=yessignCA-Test,OU=AccreditedCA,O=yessign,C=kr', status: 'good', source: 'crl', url: `${peer.base}/crl/arl.crl` });
    expect(peer.hitsOf('/ocsp/good')).toBe(1);
    // the verified answer is in Redis under this deployment's prefix (shared by replicas)
    expect((await redis.keys(`${started[0]!.config.REDIS_PREFIX}revocation:*`)).length).toBeGreaterThanOrEqual(1);

    const again = await hard.send(Api.verifier.verifyChallenge, challenge(signCms(good.user, NONCE)));
    expect(again.revocation[0]).toMatchObject({ status: 'good', source: 'ocsp', cached: true, nextUpdate: new Date(AT + DAY).toISOString() });
    expect(peer.hitsOf('/ocsp/good')).toBe(1);
    expect(peer.hitsOf('/crl/good.crl')).toBe(0);
  });

  it('checks the VID: the NPKI.md vector identity verifies, a wrong idn is VID_MISMATCH', async () => {
    const msg = signCms(good.user, NONCE);
    const identity = { idn: '800101-1234567', randomNum: b64(Buffer.from(KOREAN_DEFAULTS.randomNumHex, 'hex')) };
    const r = await hard.send(Api.verifier.verifyChallenge, challenge(msg, { identity, purpose: 'register' }));
    expect(r.identityVerified).toBe(true);
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(msg, { identity: { ...identity, idn: '8001011234568' } })), 'VID_MISMATCH');
    expect(extra.reason).toBe('VID_MISMATCH');
    expect(JSON.stringify(extra)).not.toContain('800101');
  });

  it('identity given for a certificate without identifyData: VID_MISMATCH with the reason', async () => {
    const noVid = pki.user({ serial: 0x1006n, ocspUrl: false, crlUrls: false, identity: false });
    const identity = { idn: '8001011234567', randomNum: b64(Buffer.from(KOREAN_DEFAULTS.randomNumHex, 'hex')) };
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms(noVid.user, NONCE), { identity })), 'VID_MISMATCH');
    expect(extra.reason).toBe('NO_IDENTIFY_DATA');
  });

  it('revoked by OCSP: CERT_REVOKED with the time and reason', async () => {
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms(revoked.user, NONCE))), 'CERT_REVOKED');
    expect(extra).toMatchObject({ revokedAt: new Date(AT - 2 * DAY).toISOString(), reason: 'keyCompromise', serialHex: '1002', source: 'ocsp' });
  });

  it('OCSP responder down, CRL good: accepted via the CRL', async () => {
    const r = await hard.send(Api.verifier.verifyChallenge, challenge(signCms(fallback.user, NONCE)));
    expect(r.revocation[0]).toMatchObject({ status: 'good', source: 'crl', url: `${peer.base}/crl/fallback.crl`, cached: false });
    expect(peer.hitsOf('/crl/fallback.crl')).toBe(1);
  });

  it('both sources down: REVOCATION_UNKNOWN under hard-fail; accepted with the unknown recorded under soft-fail', async () => {
    const msg = signCms(bothDown.user, NONCE);
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(msg)), 'REVOCATION_UNKNOWN');
    expect(extra).toMatchObject({ reason: 'FETCH_FAILED', serialHex: '1004' });
    const r = await soft.send(Api.verifier.verifyChallenge, challenge(msg));
    expect(r.revocation[0]).toMatchObject({ status: 'unknown', unknownReason: 'FETCH_FAILED', serialHex: '1004' });
    expect(r.revocation[1]).toMatchObject({ status: 'good' });
  });

  it('SSRF guard: OCSP and CRL URLs on a host outside FETCH_ALLOW_HOSTS are never fetched', async () => {
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms(ssrf.user, NONCE))), 'REVOCATION_UNKNOWN');
    expect(extra.reason).toBe('FETCH_FAILED');
    expect(String(extra.reasonDetail)).toMatch(/not allowed/);
    expect(peer.hitsOf('/ocsp/ssrf')).toBe(0);
    expect(peer.hitsOf('/crl/ssrf.crl')).toBe(0);
  });

  it('expired certificate: CERT_EXPIRED with the dates', async () => {
    const expired = pki.user({ serial: 0x1007n, ocspUrl: false, crlUrls: false, userValidity: 'expired' });
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms(expired.user, NONCE))), 'CERT_EXPIRED');
    expect(extra).toMatchObject({ reason: 'EXPIRED', validationTime: new Date(AT).toISOString(), notAfter: new Date(AT - 35 * DAY).toISOString().replace(/T.*/, 'T14:59:59.000Z') });
  });

  it('a certificate from an OpenSSL-made CA outside the trust store: CHAIN_UNTRUSTED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jc-verifier-openssl-'));
    try {
      const f = (n: string): string => join(dir, n);
      const ossl = (args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      writeFileSync(f('leaf.cnf'), 'keyUsage=critical,digitalSignature,nonRepudiation\ncertificatePolicies=1.2.410.200005.1.1.1\n');
      writeFileSync(f('nonce.bin'), NONCE);
      ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-subj', '/C=KR/O=yessign/OU=AccreditedCA/CN=yessignCA-Test', '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', f('ca.pem')]);
      ossl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-subj', '/C=KR/O=yessign/CN=mallory()0010', '-out', f('leaf.csr')]);
      ossl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', '4097', '-days', '3650', '-extfile', f('leaf.cnf'), '-out', f('leaf.pem')]);
      ossl(['cms', '-sign', '-binary', '-nodetach', '-in', f('nonce.bin'), '-signer', f('leaf.pem'), '-inkey', f('leaf.key'), '-certfile', f('ca.pem'), '-outform', 'DER', '-out', f('msg.der')]);
      const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(readFileSync(f('msg.der')))), 'CHAIN_UNTRUSTED');
      expect(['UNTRUSTED_ROOT', 'NO_PATH', 'BAD_SIGNATURE']).toContain(extra.reason);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a credit-card limited-use certificate under the default accepted types: POLICY_NOT_ACCEPTED', async () => {
    const limited = pki.user({ serial: 0x1008n, ocspUrl: false, crlUrls: false, policyOid: '1.2.410.200005.1.1.6.2' });
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms(limited.user, NONCE))), 'POLICY_NOT_ACCEPTED');
    expect(extra).toMatchObject({ reason: 'POLICY_NOT_ACCEPTED', policyOid: '1.2.410.200005.1.1.6.2', certType: 'personal/limited', ca: 'yessign', accepted: ['default'] });
  });

  it('the bank/insurance limited-use certificate (yessign 1.2.410.200005.1.1.4) is accepted by default', async () => {
    const bank = pki.user({ serial: 0x1018n, ocspUrl: false, crlUrls: false, policyOid: '1.2.410.200005.1.1.4' });
    const r = await soft.send(Api.verifier.verifyChallenge, challenge(signCms(bank.user, NONCE)));
    expect(r.certificate.serialHex).toBe('1018');
  });

  it('a leaf without digitalSignature/nonRepudiation: POLICY_NOT_ACCEPTED (KEY_USAGE)', async () => {
    const encOnly = pki.user({ serial: 0x1009n, ocspUrl: false, crlUrls: false, userKeyUsage: ['keyEncipherment'] });
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms(encOnly.user, NONCE))), 'POLICY_NOT_ACCEPTED');
    expect(extra.reason).toBe('KEY_USAGE');
  });

  it('a signature over another nonce: CONTENT_MISMATCH (not a signature failure)', async () => {
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms(good.user, randomBytes(32)))), 'CONTENT_MISMATCH');
    expect(extra.reason).toBe('CONTENT_MISMATCH');
  });

  it('a signature by another key: SIGNATURE_INVALID', async () => {
    const extra = await refused(hard.send(Api.verifier.verifyChallenge, challenge(signCms({ der: good.user.der, key: revoked.keys.ca.privateKey }, NONCE))), 'SIGNATURE_INVALID');
    expect(extra.reason).toBe('SIGNATURE_INVALID');
  });

  it('garbage base64 and non-CMS input: MALFORMED_INPUT', async () => {
    const bad = await refused(hard.send(Api.verifier.verifyChallenge, { ...challenge(Buffer.alloc(1)), signedData: 'not*base64!' }), 'MALFORMED_INPUT');
    expect(bad).toEqual({ errors: [{ field: 'signedData', message: 'must be standard base64 (A-Z a-z 0-9 + /, padded with =)' }] });
    const notCms = await refused(hard.send(Api.verifier.verifyChallenge, challenge(good.user.der)), 'MALFORMED_INPUT');
    expect(notCms).toMatchObject({ errors: [{ field: 'signedData', message: 'is not a CMS SignedData' }], reason: 'MALFORMED' });
    await refused(hard.send(Api.verifier.verifyChallenge, { signedData: 'AAAA' } as VerifyChallengeRequest), 'MALFORMED_INPUT');
  });
});

describe('verifyChallenge: site content rules and SHA-1 (CHALLENGE_TEMPLATE, ALLOW_SHA1_FOR)', () => {
  let site: ServiceClient;
  let plain: ReturnType<KoreanMaterial['user']>;
  const form = (nonce: Buffer, rest: string): Buffer => Buffer.from(`login=certLogin&delfinoNonce=${nonce.toString('base64')}&${rest}`);

  beforeAll(async () => {
    plain = pki.user({ serial: 0x1020n, ocspUrl: false, crlUrls: false });
    site = (await startVerifier('site', { REVOCATION_POLICY: 'soft-fail', CHALLENGE_TEMPLATE: 'login=certLogin&delfinoNonce={nonce}&{*}', ALLOW_SHA1_FOR: 'login', SITE_NAME: '청약홈' })).client;
  });

  it('the configured template matches the whole signed form; a form with another nonce is CONTENT_MISMATCH', async () => {
    const ok = await site.send(Api.verifier.verifyChallenge, challenge(signCms(plain.user, form(NONCE, '__USER_IP=10.0.0.1&time=20260115'))));
    expect(ok.certificate.serialHex).toBe('1020');
    await refused(site.send(Api.verifier.verifyChallenge, challenge(signCms(plain.user, form(randomBytes(32), 'a=b')))), 'CONTENT_MISMATCH');
    await refused(soft.send(Api.verifier.verifyChallenge, challenge(signCms(plain.user, form(NONCE, 'a=b')))), 'CONTENT_MISMATCH'); // no template there
  });

  it('SHA-1 is accepted for the flows ALLOW_SHA1_FOR names, refused elsewhere and by default', async () => {
    const sha1 = signCms(plain.user, NONCE, { digest: 'sha1' });
    expect((await site.send(Api.verifier.verifyChallenge, challenge(sha1))).certificate.serialHex).toBe('1020');
    const other = await refused(site.send(Api.verifier.verifyChallenge, challenge(sha1, { purpose: 'register' })), 'SIGNATURE_INVALID');
    expect(other.reason).toBe('ALGORITHM_NOT_ALLOWED');
    const dflt = await refused(soft.send(Api.verifier.verifyChallenge, challenge(sha1)), 'SIGNATURE_INVALID');
    expect(dflt.reason).toBe('ALGORITHM_NOT_ALLOWED');
  });
});

describe('verifyDocument over Redis', () => {
  const doc = Buffer.from('계약서: 청약 신청서 제출 확인 (jointcert test document)\n');

  it('valid: a report with signer, path, checks and revocation views', async () => {
    const report = await hard.send(Api.verifier.verifyDocument, { signedData: b64(signCms(good.user, doc)) });
    expect(report).toMatchObject({ verdict: 'valid', reasons: [], validationTime: new Date(AT).toISOString(), contentType: '1.2.840.113549.1.7.1', contentLength: doc.length });
    const s = report.signers[0]!;
    expect(s).toMatchObject({ verdict: 'valid', digestAlgorithm: 'sha256', signatureAlgorithm: 'rsaEncryption', signedAttributes: true, policyOid: '1.2.410.200005.1.1.1', type: 'personal/general', signingTime: '2026-01-15T02:59:00.000Z' });
    expect(s.path.map((c) => c.subject)).toEqual([expect.stringContaining('홍길동'), 'CN=yessignCA-Test,OU=AccreditedCA,O=yessign,C=kr', 'CN=Test RootCA,OU=Korea Certification Authority Central,O=KISA,C=KR']);
    expect(s.checks).toEqual(expect.arrayContaining([{ check: 'cms.signature', ok: true }, { check: 'revocation', cert: 0, ok: true }]));
    expect(s.checks.filter((c) => c.check.startsWith('path.')).every((c) => c.ok)).toBe(true);
    expect(s.revocation[0]).toMatchObject({ status: 'good', source: 'ocsp', cached: true });
  });

  it("a repeat signer's report, built without waiting (revocation known in memory), is the one the waiting path builds, to the byte", async () => {
    const checker = started[0]!.service.get(RevocationService).checker;
    const request = { signedData: b64(signCms(good.user, doc)) };
    await hard.send(Api.verifier.verifyDocument, request);
    const wait = jest.spyOn(checker, 'checkPathNow').mockReturnValue(undefined);
    const waited = await hard.send(Api.verifier.verifyDocument, request);
    expect(wait).toHaveBeenCalled();
    wait.mockRestore();
    const now = jest.spyOn(checker, 'checkPathNow');
    const known = await hard.send(Api.verifier.verifyDocument, request);
    expect(now.mock.results.map((r) => r.value !== undefined)).toEqual([true]);
    now.mockRestore();
    expect(JSON.stringify(known)).toBe(JSON.stringify(waited));
    expect(known.signers[0]!.revocation.map((v) => v.cached)).toEqual([true, true]);
  });

  it('tampered content: verdict invalid (a 200 report, not an error), path still reported', async () => {
    const msg = signCms(good.user, doc);
    const at = msg.indexOf(Buffer.from('jointcert test document'));
    msg[at] = msg[at]! ^ 0x20;
    const report = await hard.send(Api.verifier.verifyDocument, { signedData: b64(msg) });
    expect(report.verdict).toBe('invalid');
    expect(report.reasons).toEqual(['SIGNATURE_INVALID:DIGEST_MISMATCH']);
    expect(report.signers[0]!.checks).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'cms.messageDigest', ok: false, reason: 'DIGEST_MISMATCH' })]));
    expect(report.signers[0]!.path).toHaveLength(3);
  });

  it('revocation unknown: indeterminate, never valid', async () => {
    const report = await hard.send(Api.verifier.verifyDocument, { signedData: b64(signCms(bothDown.user, doc)) });
    expect(report.verdict).toBe('indeterminate');
    expect(report.reasons[0]).toMatch(/^REVOCATION_UNKNOWN:/);
    expect(report.signers[0]!.revocation[0]).toMatchObject({ status: 'unknown' });
  });

  it('revoked signer: invalid', async () => {
    const report = await hard.send(Api.verifier.verifyDocument, { signedData: b64(signCms(revoked.user, doc)) });
    expect(report).toMatchObject({ verdict: 'invalid', reasons: ['CERT_REVOKED:keyCompromise'] });
  });

  it('detached content: valid with the content, indeterminate without it', async () => {
    const msg = signCms(good.user, doc, { detached: true });
    const report = await hard.send(Api.verifier.verifyDocument, { signedData: b64(msg), content: b64(doc) });
    expect(report).toMatchObject({ verdict: 'valid', contentLength: doc.length });
    const missing = await hard.send(Api.verifier.verifyDocument, { signedData: b64(msg) });
    expect(missing).toMatchObject({ verdict: 'indeterminate', reasons: ['CONTENT_MISSING'] });
  });

  it('not CMS at all: MALFORMED_INPUT', async () => {
    await refused(hard.send(Api.verifier.verifyDocument, { signedData: b64(Buffer.from('hello')) }), 'MALFORMED_INPUT');
    await refused(hard.send(Api.verifier.verifyDocument, { signedData: '%%%' }), 'MALFORMED_INPUT');
  });
});
