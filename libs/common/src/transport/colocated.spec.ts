import { Controller, Module } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { pino } from 'pino';
import { of } from 'rxjs';
import { z } from 'zod';
import { contract } from '@jointcert/contracts';
import { LogCapture } from '../../../../test/support/log-capture';
import { loadConfig } from '../config';
import { DomainError } from '../errors/domain-error';
import { RemoteInternalError } from '../errors/rpc';
import { currentRequestContext, runWithRequestContext } from '../logging/context';
import { Handles } from '../messaging';
import { ColocatedClientProxy, hostService, overTheWire, type HostedService } from './colocated';
import { ServiceClient } from './service-client';

const echo = contract<{ n: number }, { n: number; at: Date; gone?: string; requestId?: string; idempotencyKey?: string }>('colo.echo', z.strictObject({ n: z.number().int() }));
const slow = contract<{ ms: number }, { ok: true }>('colo.slow', z.strictObject({ ms: z.number() }));
const elsewhere = contract<Record<string, never>, string>('other.ping', z.strictObject({}));

let onSlowFinished: () => void = () => undefined;

@Controller()
class ColoController {
  @Handles(echo)
  echo({ n }: { n: number }): { n: number; at: Date; gone?: string; requestId?: string; idempotencyKey?: string } {
    if (n === -1) throw new DomainError('CERT_REVOKED', 'revoked', { reason: 'keyCompromise' });
    if (n === -2) throw new TypeError('boom');
    const ctx = currentRequestContext();
    return { n: n + 1, at: new Date(0), gone: undefined, ...(ctx ? { requestId: ctx.requestId } : {}), ...(ctx?.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}) };
  }

  @Handles(slow)
  async slow({ ms }: { ms: number }): Promise<{ ok: true }> {
    await new Promise((r) => setTimeout(r, ms));
    onSlowFinished();
    return { ok: true };
  }
}

@Module({ controllers: [ColoController] })
class ColoModule {}

/** A service hosted in this process (not listening: no transport connection), called as over the wire. */
describe('ColocatedClientProxy', () => {
  const capture = new LogCapture();
  const logger = pino({ level: 'info' }, capture);
  const lines = capture.lines;
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test' });
  let hosted: HostedService;
  let remote: jest.Mock;
  let client: ServiceClient;

  beforeAll(async () => {
    hosted = await hostService('colo', { module: ColoModule }, config, logger);
    remote = jest.fn(() => of('from the transport'));
    const transport = { send: remote, close: jest.fn(() => Promise.resolve()) } as unknown as ClientProxy;
    client = new ServiceClient(new ColocatedClientProxy([hosted.server], logger, () => transport), 100, logger);
  });

  afterAll(() => hosted.close());

  it("answers with the wire's shapes (a Date as its ISO string, no undefined field), in the envelope's request context only", async () => {
    const res = await runWithRequestContext({ requestId: 'caller', idempotencyKey: 'caller-key' }, () => client.send(echo, { n: 1 }, { requestId: 'req-1', idempotencyKey: 'key-1' }));
    expect(res).toEqual({ n: 2, at: '1970-01-01T00:00:00.000Z', requestId: 'req-1' });
    expect(Object.keys(res)).not.toContain('gone');
  });

  it("parses the request with its contract's schema (MALFORMED_INPUT), as @Handles does off the transport", async () => {
    await expect(client.send(echo, { n: 1, extra: true } as unknown as { n: number })).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    // undefined fields are dropped as JSON would drop them, so a strict schema accepts them as over the wire
    await expect(client.send(echo, { n: 1, extra: undefined } as unknown as { n: number })).resolves.toMatchObject({ n: 2 });
  });

  it('a DomainError keeps its code, detail and extra; an unexpected error is logged with an errorId → RemoteInternalError', async () => {
    await expect(client.send(echo, { n: -1 })).rejects.toMatchObject({ code: 'CERT_REVOKED', detail: 'revoked', extra: { reason: 'keyCompromise' } });
    const err = await client.send(echo, { n: -2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteInternalError);
    const errorId = (err as RemoteInternalError).errorId;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.find((l) => l['errorId'] === errorId)).toMatchObject({ msg: 'unexpected error in message handler' });
    expect(err).not.toBeInstanceOf(DomainError);
  });

  it('a handler slower than the timeout: SERVICE_UNAVAILABLE within the bound; the handler still runs to its end', async () => {
    const finished = new Promise<void>((done) => (onSlowFinished = done));
    const started = Date.now();
    await expect(client.send(slow, { ms: 300 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(300);
    await finished;
  });

  it('one sweep bounds every wait: a shorter timeout after a longer one ends within its bound, the late answer dropped', async () => {
    const proxy = new ColocatedClientProxy([hosted.server], logger, () => ({}) as ClientProxy);
    await expect(new ServiceClient(proxy, 2000, logger).send(echo, { n: 1 })).resolves.toMatchObject({ n: 2 });
    const finished = new Promise<void>((done) => (onSlowFinished = done));
    const started = Date.now();
    await expect(new ServiceClient(proxy, 60, logger).send(slow, { ms: 250 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(200);
    await finished;
    await proxy.close();
  });

  it('a pattern no hosted service handles goes over the transport', async () => {
    await expect(client.send(elsewhere, {})).resolves.toBe('from the transport');
    expect(remote).toHaveBeenCalledWith('other.ping', expect.objectContaining({ data: {} }));
  });
});

describe('overTheWire', () => {
  it('gives what a JSON round trip gives', () => {
    const boxed = { n: Object(5) as unknown, s: Object('x') as unknown, b: Object(false) as unknown };
    const values: unknown[] = [
      undefined,
      null,
      'a"b\\c\u2028',
      -0,
      1.5,
      NaN,
      -Infinity,
      true,
      new Date(0),
      new Date(NaN),
      { a: undefined, b: () => 1, c: Symbol('s'), d: Object.assign(new Array<unknown>(5), { 0: undefined, 1: () => 1, 2: NaN, 4: 2 }), e: { f: new Date(1), g: null } },
      Buffer.from('hi'),
      new Map([[1, 2]]),
      boxed,
      JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'),
      { toJSON: (key: string) => ({ key }) },
      { nested: { toJSON: (key: string) => `at ${key}` } },
      [{ toJSON: (key: string) => `at ${key}` }],
      { toJSON: () => ({ inner: { toJSON: () => 'once more' }, boxed: Object(1) as unknown }) },
      Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }),
      Object.assign(Object.create(null) as object, { 2: 'b', 1: 'a', z: 1, y: [1, 'two', undefined] }),
    ];
    for (const v of values) {
      const json: unknown = v === undefined ? undefined : JSON.parse(JSON.stringify(v));
      expect(overTheWire(v)).toStrictEqual(json);
      expect(JSON.stringify(overTheWire(v))).toBe(JSON.stringify(json)); // the same keys in the same order
    }
    expect(Object.prototype.hasOwnProperty.call(overTheWire(values[14]), '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(() => overTheWire({ n: 1n })).toThrow(TypeError);
  });
});
