import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Inject, Module, Post, ServiceUnavailableException } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  contract,
  type Envelope,
} from '@jointcert/contracts';
import {
  createLogger,
  createMicroservice,
  createServiceClient,
  currentRequestId,
  DomainError,
  loadConfig,
  LOGGER,
  ServiceClient,
  type Logger,
} from '@jointcert/common';
import { createGateway } from '../apps/gateway/src/bootstrap';
import { LogCapture } from './support/log-capture';

// Every problem path of the gateway, through Fastify's inject, with a real
// Redis microservice behind it. Patterns are unique per run: Redis pub/sub
// channels ignore the db number, and other runs may share this Redis.
const run = randomBytes(6).toString('hex');
const Probe = {
  refuse: contract<{ fingerprint: string }, never>(`test.${run}.refuse`, z.object({ fingerprint: z.string() })),
  crash: contract<Record<string, never>, never>(`test.${run}.crash`, z.object({})),
  whoami: contract<Record<string, never>, { requestId: string | undefined }>(`test.${run}.whoami`, z.object({})),
  nobody: contract<Record<string, never>, never>(`test.${run}.nobody-listens`, z.object({})),
};
const TIMEOUT_MS = 300;

@Controller()
class ProbeService {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  @MessagePattern(Probe.refuse.cmd)
  refuse(@Payload() env: Envelope<{ fingerprint: string }>): never {
    throw new DomainError('CERT_ALREADY_REGISTERED', 'this certificate is registered to another account', {
      fingerprint: env.data.fingerprint,
      status: 200, // reserved member: must not override the problem's status
    });
  }

  @MessagePattern(Probe.crash.cmd)
  crash(): never {
    throw new Error('service internals: relation "secret_table" does not exist');
  }

  @MessagePattern(Probe.whoami.cmd)
  async whoami(): Promise<{ requestId: string | undefined }> {
    await Promise.resolve();
    this.logger.info('whoami handled');
    return { requestId: currentRequestId() };
  }
}

@Controller('probe')
class ProbeController {
  constructor(private readonly services: ServiceClient) {}

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('db password=hunter2 at /srv/app/internal.ts');
  }

  @Get('unavailable')
  unavailable(): never {
    throw new ServiceUnavailableException('pool exhausted: 10/10 connections to db-internal-7');
  }

  @Get('refuse')
  refuse(): Promise<never> {
    return this.services.send(Probe.refuse, { fingerprint: 'ab'.repeat(32) });
  }

  @Get('crash')
  crash(): Promise<never> {
    return this.services.send(Probe.crash, {});
  }

  @Get('whoami')
  whoami(): Promise<{ requestId: string | undefined }> {
    return this.services.send(Probe.whoami, {});
  }

  @Get('nobody')
  nobody(): Promise<never> {
    return this.services.send(Probe.nobody, {});
  }
}

describe('gateway problems (application/problem+json)', () => {
  const config = loadConfig({ LOG_LEVEL: 'debug', SERVICE_TIMEOUT_MS: String(TIMEOUT_MS) });
  const gatewayLogs = new LogCapture();
  const serviceLogs = new LogCapture();
  const serviceLogger = createLogger(config, { name: 'probe-service', destination: serviceLogs });
  let app: NestFastifyApplication;
  let service: INestMicroservice;
  let client: ServiceClient;

  beforeAll(async () => {
    @Module({ controllers: [ProbeService], providers: [{ provide: LOGGER, useValue: serviceLogger }] })
    class ProbeServiceModule {}
    service = await createMicroservice(ProbeServiceModule, config, { logger: serviceLogger });
    await service.listen();

    const gatewayLogger = createLogger(config, { name: 'gateway', destination: gatewayLogs });
    client = createServiceClient(config, gatewayLogger);
    @Module({ controllers: [ProbeController], providers: [{ provide: ServiceClient, useValue: client }] })
    class ProbeRoutes {}
    app = await createGateway(config, { imports: [ProbeRoutes], logger: gatewayLogger });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await client.close();
    await service.close();
  });

  const inject = (opts: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }) =>
    app.getHttpAdapter().getInstance().inject(opts);

  function expectProblem(res: Awaited<ReturnType<typeof inject>>, status: number, code: string, instance: string): Record<string, unknown> {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      type: `https://jointcert.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
      status,
      code,
      instance,
      requestId: res.headers['x-request-id'],
    });
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+|stack/i);
    return body;
  }

  it('a well-formed JSON body goes through', async () => {
    const res = await inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ a: 1 });
  });

  it('bad JSON → 400 MALFORMED_INPUT', async () => {
    const res = await inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    const body = expectProblem(res, 400, 'MALFORMED_INPUT', '/probe/echo');
    expect(body.detail).toMatch(/not valid JSON/);
  });

  it('empty JSON body → 400 MALFORMED_INPUT', async () => {
    const res = await inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'application/json' }, payload: '' });
    expectProblem(res, 400, 'MALFORMED_INPUT', '/probe/echo');
  });

  it('__proto__ in JSON → 400, not a poisoned object', async () => {
    const res = await inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' });
    expectProblem(res, 400, 'MALFORMED_INPUT', '/probe/echo');
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const payload = JSON.stringify({ signedData: 'A'.repeat(300 * 1024) });
    const res = await inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'application/json' }, payload });
    const body = expectProblem(res, 413, 'PAYLOAD_TOO_LARGE', '/probe/echo');
    expect(body.detail).toContain(String(256 * 1024));
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'content type %s → 415 UNSUPPORTED_MEDIA_TYPE',
    async (contentType) => {
      const res = await inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': contentType }, payload: 'a=1' });
      const body = expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE', '/probe/echo');
      expect(body.detail).toBe(`content type '${contentType.split(';')[0]}' is not supported; send application/json`);
    },
  );

  it('unknown route → 404 NOT_FOUND, instance without the query', async () => {
    const res = await inject({ method: 'GET', url: '/v1/nope?token=secret' });
    expectProblem(res, 404, 'NOT_FOUND', '/v1/nope');
  });

  it('unexpected error → opaque 500 with errorId; full details only in the log', async () => {
    const res = await inject({ method: 'GET', url: '/probe/boom' });
    const body = expectProblem(res, 500, 'INTERNAL', '/probe/boom');
    expect(body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('internal.ts');
    const entry = gatewayLogs.lines.find((l) => l.errorId === body.errorId);
    expect(entry).toMatchObject({ level: 'error', requestId: body.requestId });
    expect(JSON.stringify(entry)).toContain('hunter2');
    expect(JSON.stringify(entry)).toContain('stack');
  });

  it('a 5xx HttpException → 503 SERVICE_UNAVAILABLE without its internal message', async () => {
    const res = await inject({ method: 'GET', url: '/probe/unavailable' });
    expectProblem(res, 503, 'SERVICE_UNAVAILABLE', '/probe/unavailable');
    expect(res.body).not.toContain('db-internal-7');
  });

  it('a DomainError from a real Redis microservice keeps code, status, detail and extra fields', async () => {
    const res = await inject({ method: 'GET', url: '/probe/refuse' });
    const body = expectProblem(res, 409, 'CERT_ALREADY_REGISTERED', '/probe/refuse');
    expect(body.detail).toBe('this certificate is registered to another account');
    expect(body.fingerprint).toBe('ab'.repeat(32));
    expect(body.errorId).toBeUndefined();
  });

  it('an unexpected error in a service → 500 with the errorId the service logged, no internals', async () => {
    const res = await inject({ method: 'GET', url: '/probe/crash' });
    const body = expectProblem(res, 500, 'INTERNAL', '/probe/crash');
    expect(res.body).not.toContain('secret_table');
    const serviceEntry = serviceLogs.lines.find((l) => l.errorId === body.errorId);
    expect(serviceEntry).toMatchObject({ level: 'error', requestId: body.requestId });
    expect(JSON.stringify(serviceEntry)).toContain('secret_table');
  });

  it('a service that is not running → 503 SERVICE_UNAVAILABLE within the timeout', async () => {
    const started = process.hrtime.bigint();
    const res = await inject({ method: 'GET', url: '/probe/nobody' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expectProblem(res, 503, 'SERVICE_UNAVAILABLE', '/probe/nobody');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1500);
  });

  describe('x-request-id', () => {
    it('is generated when absent and echoed', async () => {
      const res = await inject({ method: 'GET', url: '/health/live' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('a sane client id is kept, travels to the service in the envelope and into both logs', async () => {
      const id = `client-${run}`;
      const res = await inject({ method: 'GET', url: '/probe/whoami?token=s3cret', headers: { 'x-request-id': id } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-request-id']).toBe(id);
      expect(res.json()).toEqual({ requestId: id });
      expect(serviceLogs.lines.find((l) => l.msg === 'whoami handled')).toMatchObject({ requestId: id });
      // the access line: the path without its query (which may carry a secret)
      const access = gatewayLogs.lines.find((l) => l.msg === 'request completed' && l.requestId === id);
      expect(access).toMatchObject({ status: 200, path: '/probe/whoami' });
      expect(JSON.stringify(access)).not.toContain('s3cret');
    });

    it.each(['has space', 'x'.repeat(129), 'quote"d', 'new\tline', ''])('an insane client id (%j) is replaced', async (bad) => {
      const res = await inject({ method: 'GET', url: '/probe/nope', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.json<Record<string, unknown>>().requestId).toBe(res.headers['x-request-id']);
    });
  });
});

describe('a gateway whose Redis is unreachable', () => {
  it('answers 503 within the timeout', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', SERVICE_TIMEOUT_MS: String(TIMEOUT_MS), REDIS_URL: 'redis://127.0.0.1:1/0' });
    const client = createServiceClient(config);
    const started = process.hrtime.bigint();
    await expect(client.send(Probe.nobody, {})).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(TIMEOUT_MS + 1500);
    await client.close();
  });
});
