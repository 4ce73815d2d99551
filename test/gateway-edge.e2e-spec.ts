import { randomBytes, randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { Api } from '@jointcert/contracts';
import { issueAccessToken, loadConfig, PROBLEM_TYPES, type AppConfig } from '@jointcert/common';
import { createGateway } from '../apps/gateway/src/bootstrap';
import { startStandIns, type StandIns } from './support/gateway-stand-ins';
import { deleteKeys } from './support/redis';

// The gateway's edges: rate limits, client addresses behind a proxy, Redis
// and services down, CORS, security headers, the OpenAPI document, metrics
// and readiness. Stand-in services on the real Redis transport.
const PREFIX = `jc-gwe-${process.pid}-${randomBytes(4).toString('hex')}:`;
const TIMEOUT_MS = 300;
const LIMIT = 3;
const base = { LOG_LEVEL: 'silent', REDIS_PREFIX: PREFIX, SERVICE_TIMEOUT_MS: String(TIMEOUT_MS), RATE_LIMIT_PER_IP: String(LIMIT) };
const config = loadConfig(base);
const signedData = randomBytes(300).toString('base64');
const challengeId = randomUUID();
const auth = { authorization: `Bearer ${issueAccessToken(config, { accountId: randomUUID(), sessionId: randomUUID() }, Date.now())}` };

async function gateway(c: AppConfig): Promise<NestFastifyApplication> {
  const app = await createGateway(c);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

type InjectOptions = { method?: 'GET' | 'POST' | 'OPTIONS' | 'DELETE'; url: string; headers?: Record<string, string>; body?: unknown; remoteAddress?: string };
function injector(app: NestFastifyApplication) {
  return (o: InjectOptions) =>
    app.getHttpAdapter().getInstance().inject({
      method: o.method ?? 'GET',
      url: o.url,
      headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
      ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
      ...(o.remoteAddress ? { remoteAddress: o.remoteAddress } : {}),
    });
}

describe('gateway edges', () => {
  const redis = new Redis(config.REDIS_URL);
  const apps: NestFastifyApplication[] = [];
  let standIns: StandIns;
  let app: NestFastifyApplication;
  let inject: ReturnType<typeof injector>;

  beforeAll(async () => {
    standIns = await startStandIns(config);
    app = await gateway(config);
    apps.push(app);
    inject = injector(app);
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    await standIns.close();
    await deleteKeys(redis, PREFIX);
    await redis.quit();
  });

  beforeEach(() => standIns.state.reset());

  describe('rate limiting per client address (Redis-backed)', () => {
    it('over RATE_LIMIT_PER_IP a minute → 429 RATE_LIMITED with Retry-After; the budget spans the limited routes; other addresses unaffected', async () => {
      const a = '198.51.100.7';
      for (let i = 0; i < LIMIT; i++) expect((await inject({ method: 'POST', url: '/v1/challenges', remoteAddress: a })).statusCode).toBe(201);
      const refused = await inject({ method: 'POST', url: '/v1/challenges', remoteAddress: a });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfter });
      // the same budget covers login and registration
      expect((await inject({ method: 'POST', url: '/v1/sessions', body: { challengeId, signedData }, remoteAddress: a })).statusCode).toBe(429);
      expect((await inject({ method: 'POST', url: '/v1/certificates', body: { challengeId, signedData }, remoteAddress: a })).statusCode).toBe(429);
      // and document verification (a document buys path-building work), before authentication
      expect((await inject({ method: 'POST', url: '/v1/signatures/verify', headers: auth, body: { signedData }, remoteAddress: a })).statusCode).toBe(429);
      expect((await inject({ method: 'POST', url: '/v1/signatures/verify', body: { signedData }, remoteAddress: a })).statusCode).toBe(429);
      expect(standIns.state.calls).toHaveLength(LIMIT);
      // another client is unaffected, and so are routes outside the limit
      expect((await inject({ method: 'POST', url: '/v1/challenges', remoteAddress: '198.51.100.8' })).statusCode).toBe(201);
      expect((await inject({ url: '/v1/accounts/me', headers: auth, remoteAddress: a })).statusCode).toBe(200);
      // the counter lives in Redis under the deployment prefix, so every replica sees it
      expect(await redis.exists(`${PREFIX}rate:ip:${a}`)).toBe(1);
    });

    it('a second gateway replica shares the counters', async () => {
      const a = '198.51.100.9';
      const replica = await gateway(config);
      apps.push(replica);
      for (let i = 0; i < LIMIT; i++) expect((await inject({ method: 'POST', url: '/v1/challenges', remoteAddress: a })).statusCode).toBe(201);
      expect((await injector(replica)({ method: 'POST', url: '/v1/challenges', remoteAddress: a })).statusCode).toBe(429);
    });
  });

  describe('client address', () => {
    it('X-Forwarded-For is ignored unless TRUST_PROXY', async () => {
      await inject({ method: 'POST', url: '/v1/challenges', headers: { 'x-forwarded-for': '203.0.113.50' }, remoteAddress: '10.1.1.1' });
      expect(standIns.state.calls[0]?.data).toMatchObject({ client: { ip: '10.1.1.1' } });
    });

    it('with TRUST_PROXY the forwarded address is the client (and the rate-limit key)', async () => {
      const proxied = await gateway(loadConfig({ ...base, TRUST_PROXY: 'true' }));
      apps.push(proxied);
      const send = injector(proxied);
      await send({ method: 'POST', url: '/v1/challenges', headers: { 'x-forwarded-for': '203.0.113.51' }, remoteAddress: '10.1.1.2' });
      expect(standIns.state.calls[0]?.data).toMatchObject({ client: { ip: '203.0.113.51' } });
      for (let i = 1; i < LIMIT; i++) await send({ method: 'POST', url: '/v1/challenges', headers: { 'x-forwarded-for': '203.0.113.51' }, remoteAddress: '10.1.1.2' });
      expect((await send({ method: 'POST', url: '/v1/challenges', headers: { 'x-forwarded-for': '203.0.113.51' }, remoteAddress: '10.1.1.2' })).statusCode).toBe(429);
      expect((await send({ method: 'POST', url: '/v1/challenges', headers: { 'x-forwarded-for': '203.0.113.52' }, remoteAddress: '10.1.1.2' })).statusCode).toBe(201);
    });
  });

  describe('security headers and CORS', () => {
    it('API responses and problems carry helmet headers and a locked-down CSP', async () => {
      for (const res of [await inject({ url: '/health/live' }), await inject({ url: '/v1/accounts/me' })]) {
        expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['access-control-allow-origin']).toBeUndefined(); // CORS off by default
      }
    });

    it('Swagger UI gets a CSP that lets it load its own scripts and styles, nothing else', async () => {
      const res = await inject({ url: '/docs' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");
      const asset = await inject({ url: '/docs/swagger-ui-bundle.js' });
      expect(asset.statusCode).toBe(200);
    });

    it('CORS_ORIGINS: an allowed origin gets the CORS headers (preflight and actual), another does not', async () => {
      const cors = await gateway(loadConfig({ ...base, CORS_ORIGINS: 'https://app.example.kr, https://m.example.kr' }));
      apps.push(cors);
      const send = injector(cors);
      const preflight = await send({
        method: 'OPTIONS',
        url: '/v1/sessions',
        headers: { origin: 'https://app.example.kr', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.kr');
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
      // a frontend on another origin sends the second factor (X-TOTP-Code) and reports a password change (PUT)
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('x-totp-code');
      expect(String(preflight.headers['access-control-allow-methods'])).toContain('PUT');
      const actual = await send({ url: '/health/live', headers: { origin: 'https://m.example.kr' } });
      expect(actual.headers['access-control-allow-origin']).toBe('https://m.example.kr');
      expect(String(actual.headers['access-control-expose-headers'])).toContain('x-request-id');
      // problems and 404s too (every response is sent through the Fastify reply, which carries them)
      for (const problem of [
        await send({ url: '/v1/no-such-route', headers: { origin: 'https://m.example.kr' } }),
        await send({ url: '/v1/accounts/me', headers: { origin: 'https://m.example.kr' } }),
        await send({ method: 'POST', url: '/v1/sessions', headers: { origin: 'https://m.example.kr', 'content-type': 'text/csv' }, body: 'a,b' }),
      ]) {
        expect([404, 401, 415]).toContain(problem.statusCode);
        expect(problem.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(problem.headers['access-control-allow-origin']).toBe('https://m.example.kr');
        expect(String(problem.headers['access-control-expose-headers'])).toContain('www-authenticate');
      }
      const denied = await send({ url: '/health/live', headers: { origin: 'https://evil.example.com' } });
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      const deniedPreflight = await send({ method: 'OPTIONS', url: '/v1/sessions', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
      expect(deniedPreflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('OpenAPI document', () => {
    const routes: Array<[string, string, number]> = [
      ['post', '/v1/challenges', 201],
      ['post', '/v1/certificates', 201],
      ['get', '/v1/certificates', 200],
      ['get', '/v1/certificates/{id}', 200],
      ['post', '/v1/certificates/{id}/replace', 200],
      ['delete', '/v1/certificates/{id}', 204],
      ['post', '/v1/certificates/{id}/lock', 200],
      ['post', '/v1/certificates/{id}/unlock', 200],
      ['post', '/v1/accounts/me/totp', 201],
      ['post', '/v1/accounts/me/totp/confirm', 200],
      ['delete', '/v1/accounts/me/totp', 204],
      ['get', '/v1/sessions', 200],
      ['delete', '/v1/sessions', 200],
      ['post', '/v1/sessions', 201],
      ['post', '/v1/sessions/refresh', 200],
      ['delete', '/v1/sessions/current', 204],
      ['get', '/v1/accounts/me', 200],
      ['patch', '/v1/accounts/me', 200],
      ['post', '/v1/signatures/verify', 200],
      ['get', '/v1/server-certificate', 200],
      ['post', '/v1/transfers', 201],
      ['post', '/v1/transfers/claim', 200],
      ['get', '/v1/transfers/current', 200],
      ['delete', '/v1/transfers/current', 204],
      ['get', '/health/live', 200],
      ['get', '/health/ready', 200],
      ['get', '/v1/notifications/unsubscribe', 200],
      ['post', '/v1/notifications/unsubscribe', 200],
      ['put', '/v1/certificates/{id}/password-changed', 200],
      ['get', '/v1/notifications/delete-certificate', 200],
      ['post', '/v1/notifications/delete-certificate', 200],
    ];
    type Doc = {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: unknown; examples?: Record<string, unknown> }> }> }>>;
      components: { schemas: Record<string, { example?: unknown }>; securitySchemes: Record<string, unknown> };
    };
    let doc: Doc;

    beforeAll(async () => {
      const res = await inject({ url: '/docs-json' });
      expect(res.statusCode).toBe(200);
      doc = res.json<Doc>();
    });

    it('is a valid OpenAPI 3.1 document', async () => {
      expect(doc.openapi).toBe('3.1.0');
      await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    });

    it('lists exactly the routes of the API, each with its success response schema', () => {
      const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
      expect(listed).toEqual(routes.map(([m, p]) => `${m} ${p}`).sort());
      for (const [method, path, status] of routes) {
        const op = doc.paths[path]![method]!;
        const ok = op.responses[String(status)];
        expect(ok).toBeDefined();
        if (status !== 204) expect(ok!.content!['application/json']!.schema).toHaveProperty('$ref');
      }
    });

    it('describes every request body from the zod schemas, and every error as problem+json with examples', () => {
      for (const [method, path] of routes.filter(([m]) => m === 'post' || m === 'patch')) {
        const op = doc.paths[path]![method]!;
        if (path === '/v1/challenges' || path === '/v1/notifications/unsubscribe' || path === '/v1/notifications/delete-certificate') continue; // no JSON body (a link's form)
        if (/^\/v1\/certificates\/\{id\}\/(lock|unlock)$|^\/v1\/accounts\/me\/totp$/.test(path)) continue; // no request body
        expect(op.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { $ref: expect.stringMatching(/^#\/components\/schemas\//) } } } });
        const bad = op.responses['400']!.content!['application/problem+json']!;
        expect(bad.schema).toEqual({ $ref: '#/components/schemas/Problem' });
        expect(bad.examples).toHaveProperty('MALFORMED_INPUT');
      }
      expect(doc.components.schemas.RegisterRequest).toMatchObject({ additionalProperties: false, required: ['challengeId', 'signedData'] });
      expect(Object.keys(doc.paths['/v1/sessions']!.post!.responses['401']!.content!['application/problem+json']!.examples!)).toEqual(
        expect.arrayContaining(['CERT_NOT_REGISTERED']),
      );
      expect(doc.paths['/v1/challenges']!.post!.responses['429']).toBeDefined();
      expect(doc.paths['/v1/signatures/verify']!.post!.responses['429']).toBeDefined();
      expect(Object.keys(doc.components.schemas.Problem as object)).toContain('properties');
      expect(JSON.stringify(doc.components.schemas.Problem)).toContain(Object.keys(PROBLEM_TYPES)[0]!);
    });

    it('carries realistic examples and the bearer scheme', () => {
      for (const name of ['ChallengeView', 'SessionTokens', 'CertificateView', 'ValidationReport', 'AccountView', 'Problem']) {
        expect(doc.components.schemas[name]!.example).toBeDefined();
      }
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.paths['/v1/accounts/me']!.get!.security).toEqual([{ bearer: [] }]);
      expect(doc.paths['/v1/certificates']!.post!.security).toEqual([{ bearer: [] }, {}]);
      expect(doc.paths['/v1/sessions']!.post!.security).toBeUndefined();
    });
  });

  describe('metrics', () => {
    it('/metrics exposes request counters by route template and service-call durations, without ids', async () => {
      const id = randomUUID();
      await inject({ url: `/v1/certificates/${id}`, headers: auth });
      await inject({ url: '/v1/nope' });
      const res = await inject({ url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body).toMatch(/jointcert_http_requests_total\{method="GET",route="\/v1\/certificates\/:id",status="200"\} 1/);
      expect(res.body).toMatch(/jointcert_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
      expect(res.body).toMatch(/jointcert_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/certificates\/:id",status="200"\}/);
      expect(res.body).toMatch(new RegExp(`jointcert_service_call_duration_seconds_count\\{pattern="${Api.registry.getCertificate.cmd}",outcome="ok"\\} 1`));
      expect(res.body).toContain('jointcert_gateway_process_cpu_seconds_total');
      expect(res.body).not.toContain(id);
    });

    it('METRICS_ENABLED=false → /metrics is 404', async () => {
      const off = await gateway(loadConfig({ ...base, METRICS_ENABLED: 'false' }));
      apps.push(off);
      const res = await injector(off)({ url: '/metrics' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('readiness and services down', () => {
    it('/health/ready → 200 with Redis, registry and verifier up', async () => {
      const res = await inject({ url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ready', checks: { redis: 'up', registry: 'up', verifier: 'up' } });
    });

    it('a gateway whose Redis is unreachable: limited and authenticated routes fail closed with 503, readiness names redis', async () => {
      const down = await gateway(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:1/0' }));
      apps.push(down);
      const send = injector(down);
      const started = Date.now();
      const limited = await send({ method: 'POST', url: '/v1/challenges' });
      expect(limited.statusCode).toBe(503);
      expect(limited.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect((await send({ url: '/v1/accounts/me', headers: auth })).statusCode).toBe(503);
      expect((await send({ url: '/health/live' })).statusCode).toBe(200);
      const ready = await send({ url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', checks: { redis: 'down', registry: 'down', verifier: 'down' } });
      expect(Date.now() - started).toBeLessThan(3 * TIMEOUT_MS + 1500);
    });

    it('the verifier down: verify → 503 within SERVICE_TIMEOUT_MS; readiness → 503 naming the verifier', async () => {
      await standIns.stopVerifier();
      const started = process.hrtime.bigint();
      const res = await inject({ method: 'POST', url: '/v1/signatures/verify', headers: auth, body: { signedData } });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
      const ready = await inject({ url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ detail: 'not ready: verifier not answering', checks: { redis: 'up', registry: 'up', verifier: 'down' } });
      // the registry still answers
      expect((await inject({ url: '/v1/accounts/me', headers: auth })).statusCode).toBe(200);
    });
  });
});
