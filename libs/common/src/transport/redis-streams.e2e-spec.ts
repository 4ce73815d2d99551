/**
 * The Streams transport's per-hop economies (real Redis, caller and service
 * in this process):
 *   - a caller's request made in the turn its previous answer arrived leaves
 *     with the next reply read, and a service's answers made in the turn their
 *     batch arrived leave with its next XREADGROUP (one write each); the
 *     answers still match their calls;
 *   - a handler's DomainError and unexpected errors cross as before (Nest's
 *     pipeline for an Observable result, a plain result answered directly);
 *   - the bounded wait is one deadline sweep: no replica → SERVICE_UNAVAILABLE
 *     just after SERVICE_TIMEOUT_MS;
 *   - the service's reader connection killed under load: every call is
 *     answered or fails within its bounded wait, and calls succeed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { contract } from '@jointcert/contracts';
import { deleteKeys } from '../../../../test/support/redis';
import { loadConfig, type AppConfig } from '../config';
import { DomainError } from '../errors/domain-error';
import { RemoteInternalError } from '../errors/rpc';
import { Handles } from '../messaging';
import { createMicroservice } from '../microservice';
import { RedisStreamsClient } from './redis-streams.client';
import { RedisStreamsServer } from './redis-streams.server';
import { createServiceClient, type ServiceClient } from './service-client';

const Work = contract<{ n: number; fail?: 'domain' | 'bug' }, { n: number }>('ridetest.work', z.object({ n: z.number(), fail: z.enum(['domain', 'bug']).optional() }));
const Nobody = contract<{ n: number }, { n: number }>('ridenobody.work', z.object({ n: z.number() }));

@Controller()
class Worker {
  @Handles(Work)
  work(req: { n: number; fail?: 'domain' | 'bug' }): { n: number } {
    if (req.fail === 'domain') throw new DomainError('NOT_FOUND', `no ${req.n}`);
    if (req.fail === 'bug') throw new Error('a bug');
    return { n: req.n * 2 };
  }
}

@Module({ controllers: [Worker] })
class WorkerModule {}

/** Counts the XADDs issued on a connection (requests or answers). */
function countXadds(redis: Redis): { count: number } {
  const counter = { count: 0 };
  const xadd = redis.xadd.bind(redis) as (...args: unknown[]) => Promise<string | null>;
  (redis as unknown as { xadd: (...args: unknown[]) => Promise<string | null> }).xadd = (...args: unknown[]) => {
    counter.count++;
    return xadd(...args);
  };
  return counter;
}

/** Polls `probe` (growing delay) until it holds or `ms` passed; the caller then asserts. */
async function eventually(probe: () => Promise<boolean>, ms = 2000): Promise<void> {
  for (let end = Date.now() + ms, delay = 5; Date.now() < end; delay = Math.min(delay * 2, 100)) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, delay));
  }
}

describe('Streams transport: one write per hop where the turn allows', () => {
  const prefix = `jc-ride-${process.pid}-${randomBytes(3).toString('hex')}:`;
  let config: AppConfig;
  let app: INestMicroservice;
  let server: RedisStreamsServer;
  let client: ServiceClient;
  const redis = new Redis();

  beforeAll(async () => {
    config = loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: prefix, SERVICE_TIMEOUT_MS: '3000', STREAMS_CLAIM_IDLE_MS: '400' });
    server = new RedisStreamsServer(config, { prefix, claimIdleMs: config.STREAMS_CLAIM_IDLE_MS, maxDeliveries: config.STREAMS_MAX_DELIVERIES, maxLen: config.STREAMS_MAXLEN, blockMs: 200 });
    app = await createMicroservice(WorkerModule, config, { strategy: server });
    await app.listen();
    client = createServiceClient(config);
    await client.send(Work, { n: 0 });
    // (the service counts a handling once its answer's write is acknowledged, after the caller may have read it)
    await eventually(() => Promise.resolve(server.handled === 1));
    expect(server.handled).toBe(1);
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('chained calls: requests ride with the reply read, answers with the service’s next read, each answer to its own call', async () => {
    const [clientCmd, clientReader] = (client as unknown as { proxy: RedisStreamsClient }).proxy.unwrap<[Redis, Redis]>();
    const [serverCmd, serverReader] = server.unwrap<[Redis, Redis]>();
    const requests = { cmd: countXadds(clientCmd), reader: countXadds(clientReader) };
    const answers = { cmd: countXadds(serverCmd), reader: countXadds(serverReader) };
    const handled0 = server.handled;
    const chains = 4;
    const perChain = 50;
    const got = await Promise.all(
      Array.from({ length: chains }, async (_, c) => {
        const out: number[] = [];
        for (let i = 0; i < perChain; i++) out.push((await client.send(Work, { n: c * 1000 + i })).n);
        return out;
      }),
    );
    expect(got).toEqual(Array.from({ length: chains }, (_, c) => Array.from({ length: perChain }, (_, i) => 2 * (c * 1000 + i))));
    await eventually(() => Promise.resolve(server.handled - handled0 === chains * perChain));
    expect(server.handled - handled0).toBe(chains * perChain);
    expect(requests.cmd.count + requests.reader.count).toBe(chains * perChain);
    expect(answers.cmd.count + answers.reader.count).toBe(chains * perChain);
    // A chained call is made in the turn its previous answer arrived: most requests and answers ride.
    expect(requests.reader.count).toBeGreaterThan((chains * perChain) / 2);
    expect(answers.reader.count).toBeGreaterThan((chains * perChain) / 2);
    await eventually(async () => ((await redis.xpending(`${prefix}rpc:ridetest`, 'workers')) as [number])[0] === 0);
    expect(await redis.xpending(`${prefix}rpc:ridetest`, 'workers')).toEqual([0, null, null, null]);
  });

  it('a DomainError comes back as itself, an unexpected error as RemoteInternalError', async () => {
    await expect(client.send(Work, { n: 5, fail: 'domain' })).rejects.toMatchObject({ code: 'NOT_FOUND', detail: 'no 5' });
    await expect(client.send(Work, { n: 5, fail: 'bug' })).rejects.toBeInstanceOf(RemoteInternalError);
    await expect(client.send(Work, { n: 'x' } as unknown as { n: number })).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    await expect(client.send(Work, { n: 6 })).resolves.toEqual({ n: 12 });
  });

  it('no replica: SERVICE_UNAVAILABLE just after SERVICE_TIMEOUT_MS (the deadline sweep)', async () => {
    const short = createServiceClient(loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: prefix, SERVICE_TIMEOUT_MS: '300' }));
    try {
      const t0 = Date.now();
      const err = await short.send(Nobody, { n: 1 }).then(() => undefined, (e: unknown) => e);
      const ms = Date.now() - t0;
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(ms).toBeGreaterThanOrEqual(295);
      expect(ms).toBeLessThan(300 + 250);
    } finally {
      await short.close();
    }
  });

  it('the service’s reader connection killed under load: every call is answered or fails within its wait; calls succeed afterwards', async () => {
    const list = await redis.client('LIST');
    const id = /id=(\d+) [^\n]*name=jointcert-ridetest-streams-reader/.exec(String(list))?.[1];
    expect(id).toBeDefined();
    const t0 = Date.now();
    const calls = Array.from({ length: 8 }, async (_, c) => {
      const out: Array<'ok' | 'unavailable'> = [];
      for (let i = 0; i < 40; i++) {
        try {
          const r = await client.send(Work, { n: i });
          expect(r).toEqual({ n: 2 * i });
          out.push('ok');
        } catch (err) {
          expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
          out.push('unavailable');
        }
        if (c === 0 && i === 10) await redis.client('KILL', 'ID', id!);
      }
      return out;
    });
    const outcomes = (await Promise.all(calls)).flat();
    expect(Date.now() - t0).toBeLessThan(8 * 3000);
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(outcomes.length / 2);
    await expect(client.send(Work, { n: 21 })).resolves.toEqual({ n: 42 });
    // what was in flight on the killed connection was reclaimed or answered: nothing stays pending
    const pending = async (): Promise<number> => ((await redis.xpending(`${prefix}rpc:ridetest`, 'workers')) as [number])[0];
    await eventually(async () => (await pending()) === 0, 5000);
    expect(await pending()).toBe(0);
  }, 60_000);
});
