import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { Api, type Caller, type ValidationReport } from '@jointcert/contracts';
import { DomainError, issueAccessToken, loadConfig, SessionRevocations } from '@jointcert/common';
import { createGateway } from '../apps/gateway/src/bootstrap';
import * as ex from '../apps/gateway/src/openapi/examples';
import { startStandIns, type StandIns } from './support/gateway-stand-ins';
import { deleteKeys } from './support/redis';

// The REST gateway, route by route, through Fastify's inject, with stand-in
// registry and verifier microservices on the real Redis transport.
const PREFIX = `jc-gw-${process.pid}-${randomBytes(4).toString('hex')}:`;
const TIMEOUT_MS = 300;
const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: PREFIX, SERVICE_TIMEOUT_MS: String(TIMEOUT_MS), RATE_LIMIT_PER_IP: '10000' });

const R = Api.registry;
const caller: Caller = { accountId: randomUUID(), sessionId: randomUUID() };
const token = issueAccessToken(config, caller, Date.now());
const auth = { authorization: `Bearer ${token}` };
const json = { 'content-type': 'application/json' };
const signedData = randomBytes(700).toString('base64');
const challengeId = randomUUID();
const randomNum = randomBytes(20).toString('base64');
const certId = ex.certificateExample.id;
/** What the gateway saw: inject's address and its default user agent. */
const CLIENT = { ip: '127.0.0.1', userAgent: 'lightMyRequest' };

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

describe('gateway REST API v1', () => {
  let app: NestFastifyApplication;
  let standIns: StandIns;
  const redis = new Redis(config.REDIS_URL);

  beforeAll(async () => {
    standIns = await startStandIns(config);
    app = await createGateway(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await standIns.close();
    await deleteKeys(redis, PREFIX);
    await redis.quit();
  });

  beforeEach(() => standIns.state.reset());

  const inject = (method: Method, url: string, opts: { headers?: Record<string, string>; body?: unknown; payload?: string } = {}) =>
    app.getHttpAdapter().getInstance().inject({
      method,
      url,
      headers: { ...(opts.body !== undefined || opts.payload !== undefined ? json : {}), ...opts.headers },
      ...(opts.body !== undefined ? { payload: JSON.stringify(opts.body) } : opts.payload !== undefined ? { payload: opts.payload } : {}),
    });

  type Res = Awaited<ReturnType<typeof inject>>;

  function problem(res: Res, status: number, code: string): Record<string, unknown> {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status, code, requestId: res.headers['x-request-id'] });
    return body;
  }

  function only(cmd: string): { meta: { requestId: string }; data: Record<string, unknown> } {
    const calls = standIns.state.callsTo(cmd);
    expect(calls).toHaveLength(1);
    return calls[0] as { meta: { requestId: string }; data: Record<string, unknown> };
  }

  describe('happy paths', () => {
    it('POST /v1/challenges → 201 ChallengeView; client address and truncated user agent travel to the registry', async () => {
      const res = await inject('POST', '/v1/challenges', { headers: { 'user-agent': 'U'.repeat(1000), 'x-request-id': 'req-challenge-1' } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual(ex.challengeExample);
      const call = only(R.createChallenge.cmd);
      expect(call.meta.requestId).toBe('req-challenge-1');
      expect(call.data).toEqual({ client: { ip: '127.0.0.1', userAgent: 'U'.repeat(256) } });
    });

    it('POST /v1/certificates without a token → 201 sign-up {account, certificate, session}', async () => {
      const body = { challengeId, signedData, email: 'hong@example.kr', identity: { idn: '900101-1234567', randomNum } };
      const res = await inject('POST', '/v1/certificates', { body });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual(ex.signUpExample);
      expect(only(R.register.cmd).data).toEqual({ client: CLIENT, ...body });
    });

    it('POST /v1/certificates with a valid token → 201 {certificate} on the caller’s account', async () => {
      const res = await inject('POST', '/v1/certificates', { headers: auth, body: { challengeId, signedData } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ certificate: ex.certificateExample });
      expect(only(R.register.cmd).data).toEqual({ client: CLIENT, caller, challengeId, signedData });
    });

    it('POST /v1/sessions → 201 SessionTokens', async () => {
      const res = await inject('POST', '/v1/sessions', { body: { challengeId, signedData } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual(ex.sessionExample);
      expect(only(R.login.cmd).data).toEqual({ client: CLIENT, challengeId, signedData });
    });

    it('POST /v1/sessions/refresh → 200 SessionTokens (the session exists; its tokens rotate)', async () => {
      const res = await inject('POST', '/v1/sessions/refresh', { body: { refreshToken: ex.sessionExample.refreshToken } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(ex.sessionExample);
      expect(only(R.refresh.cmd).data).toEqual({ client: CLIENT, refreshToken: ex.sessionExample.refreshToken });
    });

    it('DELETE /v1/sessions/current → 204 with the caller', async () => {
      const res = await inject('DELETE', '/v1/sessions/current', { headers: auth });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(only(R.logout.cmd).data).toEqual({ client: CLIENT, caller });
    });

    it('GET /v1/accounts/me → 200 AccountView', async () => {
      const res = await inject('GET', '/v1/accounts/me', { headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(ex.accountExample);
      expect(only(R.getAccount.cmd).data).toEqual({ client: CLIENT, caller });
    });

    it('PATCH /v1/accounts/me → 200 AccountView; email null removes the address', async () => {
      const body = { email: null, locale: 'en', reminders: { enabled: true, daysBefore: [14, 3] } };
      const res = await inject('PATCH', '/v1/accounts/me', { headers: auth, body });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ locale: 'en' });
      expect(only(R.updateAccount.cmd).data).toEqual({ client: CLIENT, caller, ...body });
    });

    it('GET /v1/certificates → 200 list', async () => {
      const res = await inject('GET', '/v1/certificates', { headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([ex.certificateExample]);
      expect(only(R.listCertificates.cmd).data).toEqual({ client: CLIENT, caller });
    });

    it('GET /v1/certificates/:id → 200 CertificateView', async () => {
      const res = await inject('GET', `/v1/certificates/${certId}`, { headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(ex.certificateExample);
      expect(only(R.getCertificate.cmd).data).toEqual({ client: CLIENT, caller, certificateId: certId });
    });

    it('POST /v1/certificates/:id/replace → 200 {previous, certificate}', async () => {
      const body = { challengeId, signedData, identity: { idn: '1234567890', randomNum } };
      const res = await inject('POST', `/v1/certificates/${certId}/replace`, { headers: auth, body });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(ex.replaceExample);
      expect(only(R.replaceCertificate.cmd).data).toEqual({ client: CLIENT, caller, certificateId: certId, ...body });
    });

    it('DELETE /v1/certificates/:id → 204', async () => {
      const res = await inject('DELETE', `/v1/certificates/${certId}`, { headers: auth });
      expect(res.statusCode).toBe(204);
      expect(only(R.deleteCertificate.cmd).data).toEqual({ client: CLIENT, caller, certificateId: certId });
    });

    it('POST /v1/signatures/verify → 200 report, also when the verdict is invalid', async () => {
      const invalid: ValidationReport = { ...ex.reportExample, verdict: 'invalid', reasons: ['SIGNATURE_INVALID'] };
      standIns.state.report = invalid;
      const content = Buffer.from('계약서 본문').toString('base64');
      const res = await inject('POST', '/v1/signatures/verify', { headers: auth, body: { signedData, content } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(invalid);
      // the bytes and type Fastify's serializer would give (the route writes the report's JSON itself)
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.rawPayload.equals(Buffer.from(JSON.stringify(invalid)))).toBe(true);
      expect(only(Api.verifier.verifyDocument.cmd).data).toEqual({ signedData, content });
    });

    it('GET /health/live → 200', async () => {
      const res = await inject('GET', '/health/live');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    });
  });

  describe('validation at the edge: 400 MALFORMED_INPUT naming the field, nothing sent to a service', () => {
    const reg = { challengeId, signedData };
    const tooBig = randomBytes(64 * 1024 + 1).toString('base64');
    const cases: Array<[string, Method, string, unknown, string]> = [
      ['signedData missing', 'POST', '/v1/certificates', { challengeId }, 'signedData'],
      ['signedData not base64', 'POST', '/v1/certificates', { ...reg, signedData: 'MII%%%==' }, 'signedData'],
      ['signedData mixing base64 and base64url', 'POST', '/v1/certificates', { ...reg, signedData: 'ab-/' }, 'signedData'],
      ['signedData empty', 'POST', '/v1/certificates', { ...reg, signedData: '' }, 'signedData'],
      ['signedData over 64 KiB decoded', 'POST', '/v1/certificates', { ...reg, signedData: tooBig }, 'signedData'],
      ['signedData a number', 'POST', '/v1/sessions', { challengeId, signedData: 12 }, 'signedData'],
      ['challengeId too short', 'POST', '/v1/certificates', { ...reg, challengeId: 'abc' }, 'challengeId'],
      ['challengeId with spaces', 'POST', '/v1/sessions', { signedData, challengeId: 'a b c d e f g h i j k l' }, 'challengeId'],
      ['email invalid', 'POST', '/v1/certificates', { ...reg, email: 'not-an-email' }, 'email'],
      ['idn with letters', 'POST', '/v1/certificates', { ...reg, identity: { idn: '900101-123456X', randomNum } }, 'identity.idn'],
      ['idn too short', 'POST', '/v1/certificates', { ...reg, identity: { idn: '12345', randomNum } }, 'identity.idn'],
      ['randomNum 19 bytes', 'POST', '/v1/certificates', { ...reg, identity: { idn: '9001011234567', randomNum: randomBytes(19).toString('base64') } }, 'identity.randomNum'],
      ['identity unknown member', 'POST', '/v1/certificates', { ...reg, identity: { idn: '9001011234567', randomNum, vid: 'x' } }, 'identity.vid'],
      ['unknown field', 'POST', '/v1/certificates', { ...reg, admin: true }, 'admin'],
      ['body an array', 'POST', '/v1/sessions', [reg], '(body)'],
      ['login with an email', 'POST', '/v1/sessions', { ...reg, email: 'a@b.kr' }, 'email'],
      ['refreshToken too short', 'POST', '/v1/sessions/refresh', { refreshToken: 'short' }, 'refreshToken'],
      ['refreshToken missing', 'POST', '/v1/sessions/refresh', {}, 'refreshToken'],
      ['empty account patch', 'PATCH', '/v1/accounts/me', {}, '(body)'],
      ['locale not a tag', 'PATCH', '/v1/accounts/me', { locale: 'Korean!' }, 'locale'],
      ['reminder day out of range', 'PATCH', '/v1/accounts/me', { reminders: { daysBefore: [400] } }, 'reminders.daysBefore.0'],
      ['reminder days repeated', 'PATCH', '/v1/accounts/me', { reminders: { daysBefore: [7, 7] } }, 'reminders.daysBefore'],
      ['locale other than ko and en', 'PATCH', '/v1/accounts/me', { locale: 'ko-KR' }, 'locale'],
      ['no reminder days', 'PATCH', '/v1/accounts/me', { reminders: { daysBefore: [] } }, 'reminders.daysBefore'],
      ['reminders.enabled not boolean', 'PATCH', '/v1/accounts/me', { reminders: { enabled: 'yes' } }, 'reminders.enabled'],
      ['replace: signedData missing', 'POST', `/v1/certificates/${certId}/replace`, { challengeId }, 'signedData'],
      ['verify: content not base64', 'POST', '/v1/signatures/verify', { signedData, content: '***' }, 'content'],
      ['verify: unknown field', 'POST', '/v1/signatures/verify', { signedData, detached: true }, 'detached'],
    ];

    it.each(cases)('%s → %s %s names %#', async (_name, method, url, body, field) => {
      const res = await inject(method, url, { headers: auth, body });
      const p = problem(res, 400, 'MALFORMED_INPUT');
      expect((p.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
      expect(p.detail).toContain(field);
      expect(standIns.state.calls).toHaveLength(0);
    });

    it('never echoes secrets (identity number, signature) in the problem', async () => {
      const res = await inject('POST', '/v1/certificates', { body: { ...reg, signedData: 'SECRETSIG!!', identity: { idn: '900101-12345678', randomNum: 'c2VjcmV0' } } });
      problem(res, 400, 'MALFORMED_INPUT');
      expect(res.body).not.toContain('900101-12345678');
      expect(res.body).not.toContain('SECRETSIG');
      expect(res.body).not.toContain('c2VjcmV0');
    });

    it.each([
      ['GET', '/v1/certificates/not-a-uuid'],
      ['DELETE', '/v1/certificates/123'],
      ['POST', '/v1/certificates/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz/replace'],
    ] as Array<[Method, string]>)('%s %s: a malformed certificate id → 400 naming id', async (method, url) => {
      const res = await inject(method, url, { headers: auth, ...(method === 'POST' ? { body: { challengeId, signedData } } : {}) });
      const p = problem(res, 400, 'MALFORMED_INPUT');
      expect(p.errors).toEqual([{ field: 'id', message: 'must be a certificate id (UUID)' }]);
      expect(standIns.state.calls).toHaveLength(0);
    });

    it('a POST without a body → 400 naming the body', async () => {
      const res = await app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/v1/sessions' });
      const p = problem(res, 400, 'MALFORMED_INPUT');
      expect(p.errors).toEqual([{ field: '(body)', message: 'the body must be a JSON object' }]);
    });
  });

  describe('authentication', () => {
    // Rows all have three members: jest hands a shorter row's test a `done` callback.
    const protectedRoutes: Array<[Method, string, unknown]> = [
      ['GET', '/v1/accounts/me', undefined],
      ['PATCH', '/v1/accounts/me', { locale: 'en' }],
      ['GET', '/v1/certificates', undefined],
      ['GET', `/v1/certificates/${certId}`, undefined],
      ['POST', `/v1/certificates/${certId}/replace`, { challengeId, signedData }],
      ['DELETE', `/v1/certificates/${certId}`, undefined],
      ['DELETE', '/v1/sessions/current', undefined],
      ['POST', '/v1/signatures/verify', { signedData }],
    ];

    it.each(protectedRoutes)('%s %s without a bearer token → 401 with WWW-Authenticate', async (method, url, body) => {
      const res = await inject(method, url, body === undefined ? {} : { body });
      const p = problem(res, 401, 'UNAUTHENTICATED');
      expect(p.reason).toBe('TOKEN_MISSING');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="jointcert"');
      expect(standIns.state.calls).toHaveLength(0);
    });

    const expired = issueAccessToken(config, caller, Date.now() - (config.ACCESS_TOKEN_TTL_S + 60) * 1000);
    const otherKey = issueAccessToken({ ...config, ACCESS_TOKEN_SECRET: 'x'.repeat(40) }, caller, Date.now());
    const none = jwt.sign({ sid: caller.sessionId }, '', { algorithm: 'none', subject: caller.accountId, issuer: 'jointcert', audience: 'jointcert-api' });
    it.each([
      ['garbage', 'Bearer not-a-jwt', 'TOKEN_INVALID'],
      ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`, 'TOKEN_INVALID'],
      ['signed with another key', `Bearer ${otherKey}`, 'TOKEN_INVALID'],
      ['alg none', `Bearer ${none}`, 'TOKEN_INVALID'],
      ['expired', `Bearer ${expired}`, 'TOKEN_EXPIRED'],
    ])('a bearer token that is %s → 401 invalid_token', async (_name, authorization, reason) => {
      const res = await inject('GET', '/v1/accounts/me', { headers: { authorization } });
      const p = problem(res, 401, 'UNAUTHENTICATED');
      expect(p.reason).toBe(reason);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="jointcert", error="invalid_token"');
      expect(res.body).not.toContain(authorization.slice(7, 40));
      expect(standIns.state.calls).toHaveLength(0);
    });

    it('a token whose session was revoked (logout) → 401 SESSION_REVOKED', async () => {
      const ended: Caller = { accountId: caller.accountId, sessionId: randomUUID() };
      const t = issueAccessToken(config, ended, Date.now());
      expect((await inject('GET', '/v1/accounts/me', { headers: { authorization: `Bearer ${t}` } })).statusCode).toBe(200);
      await new SessionRevocations(redis, config).revoke([ended.sessionId]);
      const res = await inject('GET', '/v1/accounts/me', { headers: { authorization: `Bearer ${t}` } });
      expect(problem(res, 401, 'UNAUTHENTICATED').reason).toBe('SESSION_REVOKED');
      expect(res.headers['www-authenticate']).toContain('invalid_token');
    });

    it('POST /v1/certificates with an invalid token → 401, never a silent sign-up', async () => {
      const res = await inject('POST', '/v1/certificates', { headers: { authorization: `Bearer ${expired}` }, body: { challengeId, signedData } });
      problem(res, 401, 'UNAUTHENTICATED');
      expect(standIns.state.callsTo(R.register.cmd)).toHaveLength(0);
    });

    it('POST /v1/certificates with an empty Authorization header → 401, not a sign-up', async () => {
      const res = await inject('POST', '/v1/certificates', { headers: { authorization: '' }, body: { challengeId, signedData } });
      problem(res, 401, 'UNAUTHENTICATED');
      expect(standIns.state.callsTo(R.register.cmd)).toHaveLength(0);
    });
  });

  describe('service errors keep their status, code and extra members', () => {
    it.each([
      [R.login.cmd, 'POST', '/v1/sessions', new DomainError('CERT_NOT_REGISTERED', 'this certificate is not registered', { fingerprintSha256: 'ab'.repeat(32) }), 401],
      [R.register.cmd, 'POST', '/v1/certificates', new DomainError('CERT_REVOKED', 'the certificate has been revoked', { revokedAt: '2026-10-01T09:12:00.000Z' }), 422],
      [R.register.cmd, 'POST', '/v1/certificates', new DomainError('CERT_ALREADY_REGISTERED', 'already registered'), 409],
      [R.register.cmd, 'POST', '/v1/certificates', new DomainError('VID_MISMATCH', 'the identity number does not match'), 422],
      [R.login.cmd, 'POST', '/v1/sessions', new DomainError('CHALLENGE_EXPIRED', 'expired'), 400],
      [R.refresh.cmd, 'POST', '/v1/sessions/refresh', new DomainError('UNAUTHENTICATED', 'refresh token reused; session ended', { reason: 'REFRESH_REUSED' }), 401],
      [R.getCertificate.cmd, 'GET', `/v1/certificates/${certId}`, new DomainError('NOT_FOUND', 'no such certificate'), 404],
      // the verify route writes its report's JSON itself: its errors are problem+json all the same
      [Api.verifier.verifyDocument.cmd, 'POST', '/v1/signatures/verify', new DomainError('MALFORMED_INPUT', 'signedData is not a CMS SignedData', { reason: 'MALFORMED' }), 400],
    ] as Array<[string, Method, string, DomainError, number]>)('%s → %s %s: %p', async (cmd, method, url, error, status) => {
      standIns.state.failures.set(cmd, error);
      const body = url.endsWith('refresh') ? { refreshToken: ex.sessionExample.refreshToken } : url.endsWith('verify') ? { signedData } : method === 'POST' ? { challengeId, signedData } : undefined;
      const res = await inject(method, url, { headers: auth, ...(body ? { body } : {}) });
      const p = problem(res, status, error.code);
      expect(p).toMatchObject({ detail: error.detail, ...error.extra });
      if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="jointcert"$/);
    });
  });
});
