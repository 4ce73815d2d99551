/**
 * GATEWAY_WORKERS=2 with COLOCATE=registry,verifier, as `npm start` runs it:
 * the gateway's primary and two worker processes sharing its port, each a
 * whole gateway hosting its own registry and verifier replicas, on the
 * machine's Redis and Postgres (a database and key prefix of this test's own):
 *   - both workers serve: under a burst of requests each worker process
 *     uses a real share of the CPU (/proc), and /metrics — answered by one
 *     worker — counts the burst of both (aggregated by the primary);
 *   - sign-up, login and document verification work through either worker;
 *   - a worker SIGKILLed: the other serves on, the primary replaces it (a
 *     new process, which serves too), and counts the restart;
 *   - SIGTERM to the primary under load: requests in flight are answered,
 *     later ones get 503 problem+json or a refused connection, every process
 *     exits and the primary exits 0;
 *   - a worker that cannot start (no trust anchors): the primary exits 1
 *     with the worker's reason, as one process would, and leaves no worker.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { SessionTokens } from '@jointcert/contracts';
import { cpuUs, sendOnce, signWithNode, startSystem, until, type Answer, type Holder, type System } from './support/system';
import { childrenOf } from './support/start-all-process';

let sys: System;

beforeAll(async () => {
  sys = await startSystem({ name: 'workers', mode: 'processes', colocate: true, gatewayWorkers: 2 });
}, 180_000);

afterAll(async () => {
  await sys?.close();
});

async function signed(h: Holder): Promise<{ challengeId: string; signedData: string }> {
  const c = await sys.challenge();
  return { challengeId: c.challengeId, signedData: signWithNode(h, Buffer.from(c.nonce, 'base64')) };
}

/**
 * `n` POST /v1/challenges, `parallel` at a time on keep-alive connections of
 * their own (opened for this burst, so the primary hands them to the workers
 * in turn); their statuses.
 */
async function burst(n: number, parallel = 16): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const post = (): Promise<number> =>
    new Promise((done, failed) => {
      const req = httpRequest(`${sys.url}/v1/challenges`, { method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      });
      req.on('error', failed);
      req.end();
    });
  const statuses: number[] = [];
  let started = 0;
  try {
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (started++ < n) statuses.push(await post());
      }),
    );
  } finally {
    agent.destroy();
  }
  return statuses;
}

/** The CPU (µs) each of `pids` used while `f` ran. */
async function cpuDuring(pids: number[], f: () => Promise<unknown>): Promise<number[]> {
  const before = pids.map(cpuUs);
  await f();
  return pids.map((pid, i) => cpuUs(pid) - before[i]!);
}

async function metric(line: RegExp): Promise<number> {
  const res = await fetch(`${sys.url}/metrics`);
  expect(res.status).toBe(200);
  const m = line.exec(await res.text());
  return m ? Number(m[1]) : 0;
}
const CHALLENGES_201 = /^jointcert_http_requests_total\{method="POST",route="\/v1\/challenges",status="201"\} (\d+)$/m;
const WORKERS = /^jointcert_gateway_workers (\d+)$/m;
const RESTARTS = /^jointcert_gateway_worker_restarts_total (\d+)$/m;

/** Both workers served a burst: each used at least a quarter of the CPU the two used together. */
async function expectBothServe(workers: number[]): Promise<void> {
  let statuses: number[] = [];
  const used = await cpuDuring(workers, async () => (statuses = await burst(2000)));
  expect(statuses.filter((s) => s !== 201)).toEqual([]);
  expect(statuses).toHaveLength(2000);
  const total = used.reduce((a, b) => a + b, 0);
  console.log(`CPU of the workers over 2,000 challenges: ${used.map((us) => `${Math.round(us / 1000)} ms`).join(', ')}`);
  for (const us of used) expect(us).toBeGreaterThan(total / 4);
}

describe('GATEWAY_WORKERS=2, COLOCATE=registry,verifier', () => {
  it('a primary and two workers; requests are spread over both; /metrics counts every worker’s', async () => {
    const [primary, ...workers] = sys.gatewayPids();
    expect(primary).toBe(sys.pids().gateway);
    expect(workers).toHaveLength(2);
    const before = await metric(CHALLENGES_201);
    await expectBothServe(workers);
    // one worker answers the scrape; the count is the two's (each served about half)
    expect((await metric(CHALLENGES_201)) - before).toBe(2000);
    expect(await metric(WORKERS)).toBe(2);
    const ready = await sys.api('GET', '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { checks: { redis: 'up', registry: 'up', verifier: 'up' } } });
  }, 60_000);

  let holder: Holder;
  let token: string;

  it('sign-up, login and document verification (connections to either worker)', async () => {
    holder = await sys.issue({ name: '일꾼', idn: '8601011234567' });
    const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', { body: await signed(holder) });
    expect(up.status).toBe(201);
    token = up.body.session.accessToken;
    const doc = signWithNode(holder, Buffer.from('청약 신청서 (workers)'));
    // on fresh connections: round-robin hands them to both workers in turn
    for (let i = 0; i < 4; i++) {
      const login = await sendOnce(sys.url, 'POST', '/v1/sessions', await signed(holder));
      expect(login.status).toBe(201);
      expect(login.body?.accessToken).toEqual(expect.any(String));
      const verify = await sendOnce(sys.url, 'POST', '/v1/signatures/verify', { signedData: doc }, { authorization: `Bearer ${token}` });
      expect(verify).toMatchObject({ status: 200, body: { verdict: 'valid' } });
    }
    expect(await sys.count('sessions')).toBe(5);
  }, 60_000);

  it('a worker SIGKILLed: the other serves on; the primary replaces it, and the replacement serves', async () => {
    const [primary, killed, survivor] = sys.gatewayPids();
    process.kill(killed!, 'SIGKILL');
    await until('the killed worker reaped', () => Promise.resolve(!existsSync(`/proc/${killed}`)));
    // meanwhile (the replacement starting), every request is served
    const served: Array<number | string> = [];
    const replaced = until('a replacement listening', async () => {
      served.push((await sendOnce(sys.url, 'POST', '/v1/challenges')).status);
      return childrenOf(primary!).length === 2 && (await metric(WORKERS)) === 2;
    }, 60_000);
    await replaced;
    expect(new Set(served)).toEqual(new Set([201]));
    const workers = childrenOf(primary!);
    expect(workers).toContain(survivor);
    expect(workers).not.toContain(killed);
    expect(await metric(RESTARTS)).toBe(1);
    await expectBothServe(workers);
    const login = await sys.api<SessionTokens>('POST', '/v1/sessions', { body: await signed(holder) });
    expect(login.status).toBe(201);
  }, 90_000);

  it('SIGTERM to the primary under load: in-flight requests answered, then 503 problem+json or refused; every worker exits, the primary with 0', async () => {
    const gateway = sys.processes().gateway!;
    const workers = childrenOf(gateway.pid!);
    const exited = new Promise<number | null>((done) => gateway.once('exit', (code) => done(code)));
    const answers: Answer[] = [];
    let stop = false;
    const loops = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop) {
          const c = await sendOnce(sys.url, 'POST', '/v1/challenges');
          answers.push(c);
          if (c.status === 'refused') return;
          if (c.status !== 201) continue;
          answers.push(await sendOnce(sys.url, 'POST', '/v1/sessions', { challengeId: c.body!.challengeId, signedData: signWithNode(holder, Buffer.from(String(c.body!.nonce), 'base64')) }));
        }
      }),
    );
    await until('logins under load', () => Promise.resolve(answers.filter((a) => a.status === 201).length >= 20));
    gateway.kill('SIGTERM');
    const code = await exited;
    stop = true;
    await loops;
    const tally: Record<string, number> = {};
    for (const a of answers) tally[String(a.status)] = (tally[String(a.status)] ?? 0) + 1;
    console.log(`primary SIGTERMed under load: exit ${code}; ${JSON.stringify(tally)}`);
    expect(code).toBe(0);
    // as for one gateway process (processes-faults): a connection still in the accept queue when the listener closes is reset unread
    const wrong = answers.filter((a) => !(a.status === 'refused' || a.status === 'error:ECONNRESET' || (typeof a.status === 'number' && (a.status < 500 || a.status === 503))));
    expect(wrong).toEqual([]);
    for (const a of answers.filter((x) => x.status === 503)) expect(a.contentType).toMatch(/^application\/problem\+json/);
    for (const pid of workers) expect(existsSync(`/proc/${pid}`)).toBe(false);
  }, 60_000);
});

describe('GATEWAY_WORKERS=2: a worker that cannot start', () => {
  it('the primary exits 1 with the reason, leaving no worker (the first worker boots alone: the second never starts)', async () => {
    const root = join(__dirname, '..');
    const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'ts-register.js'), join(root, 'apps', 'gateway', 'src', 'main.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'warn',
        GATEWAY_WORKERS: '2',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        COLOCATE: 'registry,verifier',
        // no TRUST_ANCHORS_DIR: the hosted verifier refuses to start
        REDIS_PREFIX: `jc-workers-unstartable-${process.pid}:`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const workers = new Set<number>();
    const watch = setInterval(() => childrenOf(child.pid!).forEach((pid) => workers.add(pid)), 20);
    const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
    clearInterval(watch);
    expect(code).toBe(1);
    expect(out).toMatch(/TRUST_ANCHORS_DIR is not set/);
    expect(out).toMatch(/worker exited while starting; stopping/);
    expect(workers.size).toBe(1);
    for (const pid of workers) expect(existsSync(`/proc/${pid}`)).toBe(false);
  }, 60_000);
});
