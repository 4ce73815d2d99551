/**
 * The service transport under load, through the gateway: POST
 * /v1/signatures/verify (a repeat signer, revocation cached: gateway →
 * transport → verifier → transport → gateway) with
 *   - Nest's built-in Redis pub/sub transport (TRANSPORT=redis), one verifier
 *     (it cannot run two: every replica would handle every request);
 *   - the Redis Streams transport (TRANSPORT=streams), one verifier;
 *   - the Redis Streams transport, two verifier processes (one consumer group).
 * All in one run, each system in child processes as under `npm start`, on the
 * machine's Redis and Postgres. Figures: req/s, latency, CPU µs per request
 * by process (all verifier processes summed). The machine is shared (2 cores,
 * other work running): read the ratios between rows, not the absolute values.
 * Run: `npm run bench transport`, or from source
 * `node -r ./scripts/ts-register.js bench/transport.bench.ts`.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createMicroservice, createServiceClient, Handles, loadConfig } from '@jointcert/common';
import { contract, type SessionTokens } from '@jointcert/contracts';
import { deleteKeys, redisServerPid } from '../test/support/redis';
import { signWithNode, startSystem } from '../test/support/system';
import { cannon, cpuUs, type Figures } from './system.bench';
import { fmt } from './util';

const DURATION_S = 4;

interface Row extends Figures {
  transport: string;
  verifiers: number;
  /** CPU µs per request of each verifier process (how the work was shared). */
  perVerifier: number[];
}

async function measure(transport: 'redis' | 'streams', verifiers: number): Promise<Row> {
  const sys = await startSystem({ name: `bench-${transport}-${verifiers}`, mode: 'processes', env: { TRANSPORT: transport } });
  try {
    const redisPid = await redisServerPid(sys.redis);
    const extra = [];
    for (let i = 1; i < verifiers; i++) extra.push(await sys.addProcess('verifier'));
    const holder = await sys.issue({ name: '홍길동', idn: '8001011234567' });
    const c = await sys.challenge();
    const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
    if (up.status !== 201) throw new Error(`sign-up answered ${up.status}: ${JSON.stringify(up.body)}`);
    const doc = JSON.stringify({ signedData: signWithNode(holder, Buffer.from(`청약 신청서 ${randomBytes(8).toString('hex')}`)) });
    const opts = { url: `${sys.url}/v1/signatures/verify`, method: 'POST' as const, headers: { 'content-type': 'application/json', authorization: `Bearer ${up.body.session.accessToken}` }, body: doc };
    const first = await sys.api('POST', '/v1/signatures/verify', { token: up.body.session.accessToken, payload: doc });
    if (first.status !== 200) throw new Error(`verify answered ${first.status}`);
    await cannon('warm-up', { ...opts, duration: 1 });
    const pids = sys.pids();
    const verifierPids = [pids.verifier, ...extra.map((p) => p.pid!)];
    const before = { gateway: cpuUs(pids.gateway), verifiers: verifierPids.map(cpuUs), redis: redisPid ? cpuUs(redisPid) : 0 };
    const f = await cannon(`${transport} × ${verifiers} verifier`, { ...opts, duration: DURATION_S });
    const perVerifier = verifierPids.map((p, i) => (cpuUs(p) - before.verifiers[i]!) / f.requests);
    f.cpu = { gateway: (cpuUs(pids.gateway) - before.gateway) / f.requests, verifier: perVerifier.reduce((a, b) => a + b, 0), redis: redisPid ? (cpuUs(redisPid) - before.redis) / f.requests : NaN };
    if (process.env.JC_STRACE === '1') {
      const traced = [pids.gateway, ...verifierPids];
      const { result, counts } = await straced(traced, () => cannon('strace', { ...opts, duration: 2 }));
      const per = (m: Map<string, number>, k: string): string => ((m.get(k) ?? 0) / result.requests).toFixed(2);
      const line = (m: Map<string, number>): string => `total ${per(m, 'total')}, writes ${((((m.get('write') ?? 0) + (m.get('writev') ?? 0)) / result.requests)).toFixed(2)}, read ${per(m, 'read')}`;
      console.log(`  ${transport} × ${verifiers}: syscalls per request (strace -c -f, ${result.requests} requests): gateway ${line(counts[0]!)}; ${counts.slice(1).map((m, i) => `verifier ${i + 1} ${line(m)}`).join('; ')}`);
    }
    return { ...f, transport, verifiers, perVerifier };
  } finally {
    await sys.close();
  }
}

// ---------------------------------------------------------------- one hop: caller → Streams → Nest handler → caller

const Echo = contract<{ n: number; s: string }, { n: number; s: string }>('benchecho.echo', z.object({ n: z.number(), s: z.string() }));

@Controller()
class EchoController {
  @Handles(Echo)
  echo(req: { n: number; s: string }): { n: number; s: string } {
    return req;
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

/** The echo service in its own process (forked by hop()); tells the parent once it listens. */
async function echoServer(): Promise<void> {
  const app = await createMicroservice(EchoModule, loadConfig(process.env));
  await app.listen();
  process.send!('ready');
  process.on('message', (m) => m === 'stop' && void app.close().then(() => process.exit(0)));
}

/** syscalls of a process (all threads) while `work` runs, by `strace -c -f -p`. */
async function straced<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; counts: Array<Map<string, number>> }> {
  const files = pids.map((pid) => join(tmpdir(), `jc-strace-${pid}-${randomBytes(3).toString('hex')}`));
  const tracers = pids.map((pid, i) => spawn('strace', ['-c', '-f', '-o', files[i]!, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] }));
  // attached once strace has said so for every thread
  await Promise.all(tracers.map((t) => new Promise<void>((done) => {
    let err = '';
    t.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('attached')) setTimeout(done, 200);
    });
  })));
  const result = await work();
  const exited = tracers.map((t) => new Promise((done) => t.once('exit', done)));
  for (const t of tracers) t.kill('SIGINT');
  await Promise.all(exited);
  const counts = files.map((f) => {
    const m = new Map<string, number>();
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const cols = line.trim().split(/\s+/);
      // % time, seconds, usecs/call, calls, [errors], syscall
      if (cols.length >= 5 && /^\d/.test(cols[0]!)) m.set(cols[cols.length - 1]!, Number(cols[3]));
      else if (cols[cols.length - 1] === 'total') m.set('total', Number(cols[3]));
    }
    rmSync(f, { force: true });
    return m;
  });
  return { result, counts };
}

interface HopRow {
  inFlight: number;
  calls: number;
  callsPerS: number;
  caller: number;
  /** Summed over the server processes, */
  server: number;
  /** and each one's. */
  servers: number[];
  redis: number;
}

/**
 * CPU per call of one request/response over the Streams transport between
 * this process (a ServiceClient) and a Nest microservice in a child process
 * (an @Handles echo of a small payload): caller from process.cpuUsage, server
 * and the Redis server from /proc (Redis is shared: an upper bound). With
 * JC_STRACE=1 also syscalls per call of caller and server (strace slows them:
 * read its counts, not its times).
 */
export async function hop(): Promise<void> {
  const prefix = `jc-bench-hop-${process.pid}-${randomBytes(3).toString('hex')}:`;
  const env = { ...process.env, LOG_LEVEL: 'silent', REDIS_PREFIX: prefix, TRANSPORT: 'streams', JC_BENCH_ECHO_SERVER: '1' };
  const redis = new Redis(loadConfig(env).REDIS_URL);
  const redisPid = await redisServerPid(redis);
  // JC_HOP_SERVERS=2: two replicas of the echo service (one consumer group)
  const children: ChildProcess[] = [];
  for (let i = 0; i < Number(process.env.JC_HOP_SERVERS ?? 1); i++) {
    const child = fork(__filename, [], { env, execArgv: process.execArgv, stdio: 'inherit' });
    children.push(child);
    await new Promise<void>((done, fail) => {
      child.once('message', () => done());
      child.once('exit', (code) => fail(new Error(`echo server exited ${code}`)));
    });
  }
  const serverCpu = (): number[] => children.map((c) => cpuUs(c.pid!));
  const client = createServiceClient(loadConfig(env));
  const payload = { n: 0, s: 'x'.repeat(200) };
  const calls = async (n: number, inFlight: number): Promise<void> => {
    let left = n;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await client.send(Echo, payload);
    }));
  };
  const measure = async (n: number, inFlight: number): Promise<HopRow> => {
    const t0 = process.hrtime.bigint();
    const self = process.cpuUsage();
    const server0 = serverCpu();
    const redis0 = redisPid ? cpuUs(redisPid) : 0;
    await calls(n, inFlight);
    const used = process.cpuUsage(self);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const servers = serverCpu().map((t, i) => (t - server0[i]!) / n);
    return { inFlight, calls: n, callsPerS: n / s, caller: (used.user + used.system) / n, server: servers.reduce((a, b) => a + b, 0), servers, redis: redisPid ? (cpuUs(redisPid) - redis0) / n : NaN };
  };
  try {
    await calls(3000, 16);
    const rounds = Number(process.env.JC_HOP_ROUNDS ?? 3);
    console.log(`One hop (ServiceClient → Streams → Nest @Handles echo, 200-byte payload; ${children.length} echo process${children.length > 1 ? 'es' : ''}), CPU µs per call; best of ${rounds} rounds`);
    for (const inFlight of [1, 32]) {
      const n = inFlight === 1 ? 4000 : 20000;
      const rows: HopRow[] = [];
      for (let i = 0; i < rounds; i++) rows.push(await measure(n, inFlight));
      const best = (k: 'caller' | 'server' | 'redis'): number => Math.min(...rows.map((r) => r[k]));
      console.log(
        `  ${String(inFlight).padStart(2)} in flight: caller ${best('caller').toFixed(1)}, server ${best('server').toFixed(1)}, redis ${best('redis').toFixed(1)} µs/call` +
          ` (rounds: ${rows.map((r) => `${r.caller.toFixed(0)}/${r.servers.map((v) => v.toFixed(0)).join('+')}/${r.redis.toFixed(0)}`).join(' ')}); ${fmt(Math.max(...rows.map((r) => r.callsPerS)))} calls/s`,
      );
    }
    if (process.env.JC_STRACE === '1') {
      for (const inFlight of [1, 32]) {
        const n = inFlight === 1 ? 2000 : 10000;
        const { counts } = await straced([process.pid, children[0]!.pid!], () => calls(n, inFlight));
        const per = (m: Map<string, number>, k: string): string => ((m.get(k) ?? 0) / n).toFixed(2);
        const line = (m: Map<string, number>): string => `total ${per(m, 'total')}, write ${per(m, 'write')}, writev ${per(m, 'writev')}, read ${per(m, 'read')}, epoll_pwait ${per(m, 'epoll_pwait')}`;
        console.log(`  syscalls per call, ${inFlight} in flight: caller ${line(counts[0]!)}; server${children.length > 1 ? ' (the first)' : ''} ${line(counts[1]!)}`);
      }
    }
  } finally {
    await client.close();
    for (const child of children) {
      child.send('stop');
      await new Promise((done) => child.once('exit', done));
    }
    await deleteKeys(redis, prefix);
    await redis.quit();
  }
}

export async function run(): Promise<void> {
  await hop();
  if (process.env.JC_HOP_ONLY === '1') return;
  const rows: Row[] = [];
  // JC_TRANSPORT_ROWS=streams:1,streams:2 measures only those (default: all three)
  const wanted = (process.env.JC_TRANSPORT_ROWS ?? 'redis:1,streams:1,streams:2').split(',').map((r) => r.split(':') as ['redis' | 'streams', string]);
  for (const [transport, verifiers] of wanted) rows.push(await measure(transport, Number(verifiers)));
  const base = rows[0]!;
  console.log(`POST /v1/signatures/verify through the gateway, autocannon 32 connections, ${DURATION_S} s each; shared 2-core machine`);
  console.log(
    'Projection: the Streams transport costs about as much CPU per request as pub/sub, and unlike pub/sub lets verifier replicas share the work. ' +
      'Here 2 cores are shared by gateway, registry, verifier(s), Redis, Postgres and autocannon: a second verifier finds no idle core, ' +
      'so it adds CPU per request (smaller batches per read, a second heap on the same cores) and no throughput. ' +
      'With a core per process, verify throughput grows with verifier replicas until the gateway (one process, about as much CPU per request as a verifier) ' +
      'or Redis saturates: about min(gateway cores × 10^6 / gateway µs, verifier cores × 10^6 / verifier µs, 10^6 / Redis µs) req/s; gateway replicas behind a balancer lift the first limit.',
  );
  for (const r of rows) {
    console.log(
      `${`${r.transport} transport, ${r.verifiers} verifier process${r.verifiers > 1 ? 'es' : ''}`.padEnd(44)} ${fmt(r.rps).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms${r.bad ? `  (${r.bad} errors/non-2xx!)` : ''}  ${(r.rps / base.rps).toFixed(2)}× ${base.transport} ×${base.verifiers}` +
        `  CPU µs/request: gateway ${fmt(r.cpu!.gateway!)}, verifier(s) ${fmt(r.cpu!.verifier!)} (${r.perVerifier.map((v) => fmt(v)).join(' + ')}), Redis ${fmt(r.cpu!.redis!)} (shared: upper bound)`,
    );
  }
}

if (process.env.JC_BENCH_ECHO_SERVER === '1') {
  echoServer().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (require.main === module) {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
