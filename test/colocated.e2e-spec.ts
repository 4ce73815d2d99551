/**
 * COLOCATE=registry,verifier: one gateway process hosting the registry and
 * the verifier (no other app process), on a Redis and a Postgres of this
 * test's own (stopped and started by the test; the shared ones are never
 * touched). The main API flows answer as over the transport — sign-up,
 * login, document verification, delete, an idempotent repeat, a refusal —
 * the audit rows carry the request id, the hosted services still answer the
 * Streams transport (other processes reach them), and an outage of Postgres
 * or Redis is a 503 problem+json, never a 500 or an exit, until it is back.
 */
import { randomUUID } from 'node:crypto';
import { createServiceClient, requestStream, type ServiceClient } from '@jointcert/common';
import { Api, type SessionTokens } from '@jointcert/contracts';
import { startPrivatePostgres, startPrivateRedis, type PrivateServer } from './support/private-servers';
import { signWithNode, startSystem, until, type ApiResponse, type Holder, type System } from './support/system';

let redis: PrivateServer;
let pg: PrivateServer;
let sys: System;

beforeAll(async () => {
  [redis, pg] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  sys = await startSystem({ name: 'colocated', mode: 'processes', colocate: true, adminDatabaseUrl: pg.url, env: { REDIS_URL: redis.url, SERVICE_TIMEOUT_MS: '2000' } });
}, 180_000);

afterAll(async () => {
  await sys?.close();
  await Promise.all([redis?.close(), pg?.close()]);
});

async function signed(h: Holder): Promise<{ challengeId: string; signedData: string }> {
  const c = await sys.challenge();
  return { challengeId: c.challengeId, signedData: signWithNode(h, Buffer.from(c.nonce, 'base64')) };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('COLOCATE=registry,verifier (one gateway process)', () => {
  let holder: Holder;
  let token: string;

  it('runs no registry or verifier process; the hosted services answer the transport too, and /health/ready', async () => {
    const pids = sys.pids();
    expect(pids.registry).toBe(pids.gateway);
    expect(pids.verifier).toBe(pids.gateway);
    const transport: ServiceClient = createServiceClient({ ...sys.config, SERVICE_TIMEOUT_MS: 2000 });
    try {
      await expect(transport.send(Api.registry.ping, {})).resolves.toMatchObject({ service: 'registry' });
      await expect(transport.send(Api.verifier.ping, {})).resolves.toMatchObject({ service: 'verifier' });
    } finally {
      await transport.close();
    }
    const ready = await sys.api('GET', '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { checks: { redis: 'up', registry: 'up', verifier: 'up' } } });
  });

  it('sign-up, login, document verification: the wire’s answers, no message on the transport; audit rows carry the request id', async () => {
    // every request stream's length: any message sent over the transport (gateway → registry → verifier) would add an entry
    const streams = [requestStream(sys.config.REDIS_PREFIX, 'registry'), requestStream(sys.config.REDIS_PREFIX, 'verifier')];
    const lengths = (): Promise<number[]> => Promise.all(streams.map((k) => sys.redis.xlen(k)));
    const before = await lengths();
    holder = await sys.issue({ name: '동거', idn: '8501011234567' });
    const requestId = randomUUID();
    const up = await sys.api<{ session: SessionTokens; certificate: { id: string; notAfter: string } }>('POST', '/v1/certificates', { body: await signed(holder), headers: { 'x-request-id': requestId } });
    expect(up.status).toBe(201);
    expect(up.headers.get('x-request-id')).toBe(requestId);
    expect(up.body.certificate.notAfter).toMatch(ISO);
    token = up.body.session.accessToken;
    expect(await sys.count('audit_events', 'request_id = $1', [requestId])).toBeGreaterThan(0);

    const loginId = randomUUID();
    const login = await sys.api<SessionTokens>('POST', '/v1/sessions', { body: await signed(holder), headers: { 'x-request-id': loginId } });
    expect(login.status).toBe(201);
    expect(login.body.accessToken).toEqual(expect.any(String));
    expect(await sys.count('audit_events', "request_id = $1 AND action = 'login'", [loginId])).toBe(1);

    const list = await sys.api<Array<{ id: string; notAfter: string }>>('GET', '/v1/certificates', { token });
    expect(list.status).toBe(200);
    expect(list.body.map((c) => c.id)).toEqual([up.body.certificate.id]);
    expect(list.body[0]!.notAfter).toMatch(ISO);

    const doc = signWithNode(holder, Buffer.from('동거 계약서'));
    const verified = await sys.api<{ verdict: string }>('POST', '/v1/signatures/verify', { token, body: { signedData: doc } });
    expect(verified).toMatchObject({ status: 200, body: { verdict: 'valid' } });
    expect(await lengths()).toEqual(before);
  });

  it('a refusal keeps its code and status: a used challenge → 400 CHALLENGE_UNKNOWN problem+json', async () => {
    const body = await signed(holder);
    expect((await sys.api('POST', '/v1/sessions', { body })).status).toBe(201);
    const again = await sys.api('POST', '/v1/sessions', { body });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
  });

  it('a login without an Idempotency-Key records no result (its key is made for one in-process call: nothing can ask for it); with one, it is recorded and a retry answers it', async () => {
    const results = await sys.count('request_results');
    const sessions = await sys.count('sessions');
    expect((await sys.api('POST', '/v1/sessions', { body: await signed(holder) })).status).toBe(201);
    expect(await sys.count('sessions')).toBe(sessions + 1);
    expect(await sys.count('request_results')).toBe(results);
    const headers = { 'idempotency-key': randomUUID() };
    const body = await signed(holder);
    const first = await sys.api<SessionTokens>('POST', '/v1/sessions', { body, headers });
    expect(first.status).toBe(201);
    expect(await sys.count('request_results')).toBe(results + 1);
    const again = await sys.api<SessionTokens>('POST', '/v1/sessions', { body, headers });
    expect(again).toMatchObject({ status: 201, body: { refreshToken: first.body.refreshToken } });
    expect(await sys.count('sessions')).toBe(sessions + 2);
  });

  it('add and delete retried with the same Idempotency-Key: the same answers, done once', async () => {
    /** The same request twice under one Idempotency-Key. */
    const twice = async <T>(method: string, path: string, body?: unknown): Promise<Array<ApiResponse<T>>> => {
      const headers = { 'idempotency-key': randomUUID() };
      return [await sys.api<T>(method, path, { token, body, headers }), await sys.api<T>(method, path, { token, body, headers })];
    };
    const [add, addAgain] = await twice<{ certificate: { id: string } }>('POST', '/v1/certificates', await signed(await sys.issue({ name: '추가동거', idn: '8601011234567' })));
    expect([add!.status, addAgain!.body]).toEqual([201, add!.body]);
    expect(await sys.count('certificates')).toBe(2);
    const id = add!.body.certificate.id;
    expect((await twice('DELETE', `/v1/certificates/${id}`)).map((r) => r.status)).toEqual([204, 204]);
    expect(await sys.count('audit_events', "action = 'delete' AND outcome = 'success'")).toBe(1);
    const list = await sys.api<Array<{ id: string; status: string }>>('GET', '/v1/certificates', { token });
    expect(list.status).toBe(200);
    expect(list.body.find((c) => c.id === id)?.status ?? 'gone').not.toBe('active');
  });

  it('Postgres stopped: 503 problem+json (never 500); started again: the same process serves again', async () => {
    const gateway = sys.processes().gateway!;
    await pg.stop();
    try {
      const login = await sys.api('POST', '/v1/sessions', { body: await signed(holder) });
      expect(login.status).toBe(503);
      expect(login.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(login.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect((await sys.api('GET', '/v1/certificates', { token })).status).toBe(503);
    } finally {
      await pg.start();
    }
    await until('/health/ready after Postgres is back', async () => (await sys.api('GET', '/health/ready')).status === 200);
    expect((await sys.api('POST', '/v1/sessions', { body: await signed(holder) })).status).toBe(201);
    expect(gateway.exitCode).toBeNull();
    expect(sys.pids().gateway).toBe(gateway.pid);
  }, 60_000);

  it('Redis stopped: 503 problem+json (never 500); back (empty): challenges and logins again, logout still holds', async () => {
    const gateway = sys.processes().gateway!;
    const loggedIn = await sys.api<SessionTokens>('POST', '/v1/sessions', { body: await signed(holder) });
    expect(loggedIn.status).toBe(201);
    expect((await sys.api('DELETE', '/v1/sessions/current', { token: loggedIn.body.accessToken })).status).toBeLessThan(300);
    await redis.stop();
    try {
      const challenge = await sys.api('POST', '/v1/challenges');
      expect(challenge.status).toBe(503);
      expect(challenge.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await redis.start();
    }
    await until('/health/ready after Redis is back', async () => (await sys.api('GET', '/health/ready')).status === 200);
    // the hosted registry's revocation sync reloads the revoked session into the empty Redis
    await until('the revoked session refused again', async () => (await sys.api('GET', '/v1/accounts/me', { token: loggedIn.body.accessToken })).status === 401);
    expect((await sys.api('POST', '/v1/sessions', { body: await signed(holder) })).status).toBe(201);
    expect(gateway.exitCode).toBeNull();
  }, 60_000);
});
