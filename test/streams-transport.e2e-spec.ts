/**
 * The Redis Streams transport (libs/common transport/redis-streams.*) with
 * several replicas of a service:
 *   - two and three replicas of the verifier and of the registry behind the
 *     whole system: N requests → exactly N handlings in total, spread over
 *     the replicas (counted by each replica's transport server);
 *   - a replica SIGKILLed with a message in flight: another replica takes the
 *     message over (XAUTOCLAIM) and answers the caller within its timeout;
 *   - a message sent while no replica runs is answered once one starts;
 *   - a message whose replicas keep dying: after STREAMS_MAX_DELIVERIES it is
 *     moved to the dead-letter stream and the caller gets 503, at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { Redis } from 'ioredis';
import { createMicroservice, createServiceClient, DomainError, loadConfig, RedisStreamsServer, type AppConfig, type ServiceClient } from '@jointcert/common';
import { contract, type Envelope } from '@jointcert/contracts';
import { deleteKeys } from './support/redis';
import { signWithNode, startSystem, until, type Holder, type System } from './support/system';

const ROOT = join(__dirname, '..');

function handled(servers: unknown[]): number[] {
  return servers.map((s) => (s as RedisStreamsServer).handled);
}

const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);

describe('Streams transport: replicas behind the whole system', () => {
  let sys: System;
  let holder: Holder;

  beforeAll(async () => {
    sys = await startSystem({ name: 'replicas' });
    holder = await sys.issue({ name: '복제본', idn: '8501011234567' });
    const c = await sys.challenge();
    const up = await sys.api('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')), email: 'replica@example.test' } });
    expect(up.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await sys?.close();
  });

  async function logins(n: number, parallel: number): Promise<number[]> {
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < n) {
          next++;
          const c = await sys.challenge();
          const r = await sys.api('POST', '/v1/sessions', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
          statuses.push(r.status);
        }
      }),
    );
    return statuses;
  }

  it.each([2, 3])('%i replicas of the verifier and of the registry: N logins → exactly N handlings per pattern in total, spread over the replicas', async (replicas) => {
    const stops: Array<() => Promise<void>> = [];
    while (sys.servers.verifier.length < replicas) stops.push(await sys.addReplica('verifier'));
    while (sys.servers.registry.length < replicas) stops.push(await sys.addReplica('registry'));
    const verifiers = sys.servers.verifier.slice(-replicas);
    const registries = sys.servers.registry.slice(-replicas);
    const v0 = handled(verifiers);
    const r0 = handled(registries);
    const sessions0 = await sys.count('sessions');

    const N = 24;
    const statuses = await logins(N, 6);
    expect(statuses).toEqual(Array(N).fill(201));

    const v = handled(verifiers).map((x, i) => x - v0[i]!);
    const r = handled(registries).map((x, i) => x - r0[i]!);
    console.log(`${replicas} replicas, ${N} logins: verifier handlings ${JSON.stringify(v)}, registry handlings ${JSON.stringify(r)} (challenge + login each)`);
    // each login: one verifier.verify-challenge; registry.create-challenge + registry.login
    expect(sum(v)).toBe(N);
    expect(sum(r)).toBe(2 * N);
    expect(v.every((x) => x > 0)).toBe(true);
    expect(r.every((x) => x > 0)).toBe(true);
    // and each login made exactly one session
    expect((await sys.count('sessions')) - sessions0).toBe(N);
    // the extra replicas stop; the next case starts from the original ones
    for (const stop of stops) await stop();
    sys.servers.verifier.splice(1);
    sys.servers.registry.splice(1);
  }, 60_000);
});

// ---------------------------------------------------------------- a replica that dies mid-flight

const Work = contract<{ n: number }, { by: string; n: number }>('faultsvc.work', z.object({ n: z.number() }));

@Controller()
class Survivor {
  @MessagePattern('faultsvc.work')
  work(@Payload() envelope: Envelope<{ n: number }>): { by: string; n: number } {
    return { by: 'survivor', n: envelope.data.n };
  }
}

@Module({ controllers: [Survivor] })
class SurvivorModule {}

describe('Streams transport: a replica SIGKILLed mid-flight', () => {
  const prefix = `jc-streams-${process.pid}-${randomBytes(3).toString('hex')}:`;
  const env = { LOG_LEVEL: 'silent', REDIS_PREFIX: prefix, SERVICE_TIMEOUT_MS: '4000', STREAMS_CLAIM_IDLE_MS: '400' };
  const redis = new Redis();
  const open: Array<{ close(): Promise<unknown> }> = [];

  afterAll(async () => {
    for (const o of open.reverse()) await o.close().catch(() => undefined);
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  /** The stuck replica in its own process; resolves once it listens. */
  async function stuckReplica(config: Record<string, string>): Promise<{ child: ChildProcess; got: Promise<string> }> {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'scripts', 'ts-register.js'), join(ROOT, 'test', 'support', 'streams-replica.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...config },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    open.push({ close: () => Promise.resolve(child.kill('SIGKILL')) });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const line = (re: RegExp): Promise<string> =>
      new Promise((done, fail) => {
        const check = (): void => {
          const m = re.exec(out);
          if (m) done(m[1] ?? m[0]);
        };
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          check();
        });
        child.once('exit', (code) => fail(new Error(`replica exited (${code}): ${err}`)));
      });
    const listening = line(/listening/);
    const got = line(/got (\S+)/);
    got.catch(() => undefined);
    await listening;
    return { child, got };
  }

  async function survivor(config: AppConfig): Promise<{ app: INestMicroservice; server: RedisStreamsServer }> {
    const server = new RedisStreamsServer(config, { prefix: config.REDIS_PREFIX, claimIdleMs: config.STREAMS_CLAIM_IDLE_MS, maxDeliveries: config.STREAMS_MAX_DELIVERIES, maxLen: config.STREAMS_MAXLEN });
    const app = await createMicroservice(SurvivorModule, config, { strategy: server });
    await app.listen();
    open.push(app);
    return { app, server };
  }

  function client(config: AppConfig): ServiceClient {
    const c = createServiceClient(config);
    open.push(c);
    return c;
  }

  /** A request in flight on the only (stuck) replica; then a survivor comes up and the stuck one is SIGKILLed. */
  async function killMidFlight(vars: Record<string, string>, n: number) {
    const config = loadConfig(vars);
    const stuck = await stuckReplica(vars);
    const requestId = randomUUID();
    const t0 = Date.now();
    const answer = client(config).send(Work, { n }, { requestId });
    expect(await stuck.got).toBe(requestId);
    const { app, server } = await survivor(config);
    stuck.child.kill('SIGKILL');
    return { answer, app, server, t0, requestId };
  }

  it('its message is taken over by another replica and answered within the caller’s timeout', async () => {
    const { answer, app, server, t0 } = await killMidFlight(env, 7);
    await expect(answer).resolves.toEqual({ by: 'survivor', n: 7 });
    const ms = Date.now() - t0;
    console.log(`SIGKILLed replica: its message answered by the survivor after ${ms} ms (STREAMS_CLAIM_IDLE_MS 400, SERVICE_TIMEOUT_MS 4000)`);
    expect(ms).toBeLessThan(4000);
    await until('the survivor to count its handling', () => Promise.resolve(server.handled === 1), 2000);
    // nothing left pending in the group
    await until('no pending entries', async () => ((await redis.xpending(`${prefix}rpc:faultsvc`, 'workers')) as [number])[0] === 0, 5000);
    await app.close();
  }, 60_000);

  it('a message sent while no replica runs waits in the stream and is answered when one starts (within the caller’s timeout)', async () => {
    const config = loadConfig(env);
    const answer = client(config).send(Work, { n: 3 }, { requestId: randomUUID() });
    // nothing listens yet (the group may not even exist): the entry waits
    await until('the request in the stream', async () => (await redis.xlen(`${prefix}rpc:faultsvc`)) > 0, 2000);
    const { app, server } = await survivor(config);
    await expect(answer).resolves.toEqual({ by: 'survivor', n: 3 });
    await until('the survivor to count its handling', () => Promise.resolve(server.handled === 1), 2000);
    await app.close();
  }, 30_000);

  it('after STREAMS_MAX_DELIVERIES the message goes to the dead-letter stream and the caller gets 503 at once', async () => {
    const { answer, app, server, t0, requestId } = await killMidFlight({ ...env, STREAMS_MAX_DELIVERIES: '1' }, 9);
    const err = await answer.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', detail: expect.stringContaining('deliveries') });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(server.handled).toBe(0);
    const dead = await redis.xrange(`${prefix}rpc:faultsvc:dead`, '-', '+');
    const entry = dead.map(([, f]) => Object.fromEntries(f.flatMap((v, i, a) => (i % 2 === 0 ? [[v, a[i + 1]]] : [])))).find((f) => String(f.d).includes(requestId));
    expect(entry).toMatchObject({ p: 'faultsvc.work', deliveries: '2' });
    await app.close();
  }, 30_000);
});
