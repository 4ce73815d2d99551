/**
 * The whole system under load, through the REST API (test/support/system.ts):
 * gateway, registry and verifier as child processes, as `npm start` runs them
 * (one Node process each, so they use the machine's cores as in production),
 * on the real Redis and Postgres, the dev CA (in this process) as the CA whose
 * OCSP answer the verifier caches. Driven by autocannon in this process (its
 * API: login needs a fresh body per request), beside a bare Fastify
 * hello-world in a child process measured in the same run:
 *   - POST /v1/signatures/verify: a repeat signer, revocation status cached
 *     (gateway → Redis → verifier → Redis → gateway; the OCSP answer from the
 *     verifier's cache);
 *   - POST /v1/challenges (gateway → registry → Redis SET);
 *   - POST /v1/sessions: log in with a signed challenge. Each login consumes
 *     its challenge, so N challenges are created and signed BEFORE the measured
 *     run (not measured) and each request takes the next body: the figure is
 *     login alone (GETDEL, CMS parse, per-certificate limit, verifier, Postgres
 *     session + audit rows, token). A client's challenge + login pair costs
 *     about 1 / (1/challenges + 1/logins) of the server's time; printed too.
 * Then the same three routes on a co-located system (COLOCATE=registry,verifier:
 * one gateway process hosting the registry and the verifier, no transport hop),
 * and on one with GATEWAY_WORKERS=2 besides (a primary and two such worker
 * processes sharing the port: CPU as "gateway" for the primary, "workers" for
 * the two together).
 * Services log at warn (no access lines). Read the ratios: the load generator
 * shares the machine.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import type { SessionTokens } from '@jointcert/contracts';
import { cpuUs, signWithNode, startSystem, type Holder, type System } from '../test/support/system';
import { redisServerPid } from '../test/support/redis';
import { fmt } from './util';

const DURATION_S = 5;
const CONNECTIONS = 32;
/** Aim for about this many seconds of logins (N = calibrated rate × this). */
const LOGIN_SECONDS = 4;

export interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  bad: number;
  requests: number;
  /** CPU µs per request by process (gateway, registry, verifier; workers = the gateway's workers under GATEWAY_WORKERS; bench = autocannon and the dev CA). */
  cpu?: Record<string, number>;
}

export { cpuUs };

/** CPU µs of a process, null when it is gone (a Postgres backend that closed). */
function cpuUsOrNull(pid: number): number | null {
  try {
    return cpuUs(pid);
  } catch {
    return null;
  }
}

/**
 * The server processes doing our work: the Postgres backends connected to the
 * bench database (not the shared Postgres's background writers), and the Redis
 * server (shared with whatever else uses it on this machine: an upper bound).
 */
async function serverPids(sys: System): Promise<Record<string, number[]>> {
  const backends = await sys.sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  const redis = await redisServerPid(sys.redis);
  return { postgres: backends.rows.map((r) => r.pid), ...(redis ? { redis: [redis] } : {}) };
}

/** Run `f` and attribute the CPU each process (apps, Postgres backends, Redis) used to its requests. */
async function withCpu(sys: System | null, f: () => Promise<Figures>): Promise<Figures> {
  if (!sys) return f();
  // co-located services share the gateway's pid: each process counted once, under its first name;
  // GATEWAY_WORKERS > 1: the gateway's primary, and its workers together
  const apps = Object.entries(sys.pids()).filter(([, pid], i, all) => all.findIndex(([, p]) => p === pid) === i);
  const [, ...workers] = sys.gatewayPids();
  const groups: Record<string, number[]> = { ...Object.fromEntries(apps.map(([k, pid]) => [k, [pid]])), ...(workers.length > 0 ? { workers } : {}), ...(await serverPids(sys)) };
  const before = new Map(Object.values(groups).flat().map((pid) => [pid, cpuUsOrNull(pid)]));
  const self = process.cpuUsage();
  const r = await f();
  const selfUsed = process.cpuUsage(self);
  // Postgres backends connected during the run count too, their whole CPU (they started in it): pg-pool
  // closes a connection idle for 10 s, so after a long preparation (signing thousands of login bodies)
  // the apps' pools reconnect under load, and a list taken at the start alone would miss those backends
  const late = ((await serverPids(sys)).postgres ?? []).filter((pid) => !before.has(pid));
  groups.postgres = [...(groups.postgres ?? []), ...late];
  for (const pid of late) before.set(pid, 0);
  // a process that is gone by the end (or unreadable at the start) counts nothing
  const used = (pids: number[]): number => pids.reduce((t, pid) => t + Math.max(0, (cpuUsOrNull(pid) ?? 0) - (before.get(pid) ?? Infinity)), 0);
  r.cpu = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, used(pids) / r.requests]));
  const ours = Object.entries(r.cpu).reduce((t, [, us]) => t + us, 0);
  r.cpu.total = ours;
  r.cpu.bench = (selfUsed.user + selfUsed.system) / r.requests;
  return r;
}

type Opts = autocannon.Options;

export async function cannon(name: string, opts: Opts): Promise<Figures> {
  // autocannon ends a run (and measures its duration) at its next sampling tick, 1 s apart by default:
  // a fixed `amount` of requests (the logins) finishing in 1.2 s was reported as taking 2 s. Sample
  // every 20 ms for those, so the duration is the run's own.
  const r = await autocannon({ connections: CONNECTIONS, ...(opts.amount !== undefined ? { sampleInt: 20 } : {}), ...opts });
  const requests = r['2xx'] + r.non2xx;
  return { name, rps: requests / r.duration, p50: r.latency.p50, p99: r.latency.p99, bad: r.errors + r.non2xx + r.timeouts, requests };
}

async function load(name: string, opts: Opts, sys: System | null = null): Promise<Figures> {
  await cannon(name, { ...opts, duration: 1 }); // warm-up
  return withCpu(sys, () => cannon(name, { ...opts, duration: DURATION_S }));
}

function print(f: Figures, floor: Figures): void {
  const ratio = f === floor ? '' : `  ${(f.rps / floor.rps).toFixed(3)}× hello-world (1/${fmt(floor.rps / f.rps)})`;
  console.log(
    `${f.name.padEnd(52)} ${fmt(f.rps).padStart(7)} req/s  p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(4)} ms${f.bad ? `  (${f.bad} errors/non-2xx!)` : ''}${ratio}`,
  );
  if (f.cpu) console.log(`${''.padEnd(52)} CPU µs/request: ${Object.entries(f.cpu).map(([k, us]) => `${k} ${fmt(us)}`).join(', ')}`);
}

/** A bare Fastify hello-world in its own process (as the apps are); resolves with its URL. */
function bareFastify(): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = `const f = require('fastify')(); f.get('/', () => ({ hello: 'world' }));
f.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log('PORT ' + f.server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare fastify exited (${code})`)));
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /PORT (\d+)/.exec(out);
      if (!m) return;
      child.removeAllListeners('exit');
      resolve({
        url: `http://127.0.0.1:${m[1]}/`,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** `n` challenges from the API (in parallel batches), each signed by the holder: login bodies. */
async function loginBodies(sys: System, holder: Holder, n: number): Promise<string[]> {
  const bodies: string[] = [];
  while (bodies.length < n) {
    const batch = await Promise.all(Array.from({ length: Math.min(64, n - bodies.length) }, () => sys.challenge()));
    for (const c of batch) bodies.push(JSON.stringify({ challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) }));
  }
  return bodies;
}

function loginRun(sys: System, bodies: string[]): Opts {
  let next = 0;
  return {
    url: sys.url,
    amount: bodies.length,
    requests: [{ method: 'POST', path: '/v1/sessions', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: bodies[next++] }) }],
  };
}

/** A user with an account (signed up through the API) and a signed document, on a fresh system. */
async function signedUp(sys: System): Promise<{ holder: Holder; token: string; doc: string }> {
  const holder = await sys.issue({ name: '홍길동', idn: '8001011234567' });
  const c = await sys.challenge();
  const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', {
    body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) },
  });
  if (up.status !== 201) throw new Error(`sign-up answered ${up.status}: ${JSON.stringify(up.body)}`);
  const doc = JSON.stringify({ signedData: signWithNode(holder, Buffer.from(`청약 신청서 ${randomBytes(8).toString('hex')}`)) });
  return { holder, token: up.body.session.accessToken, doc };
}

/** Logins: calibrate on a few hundred, then N for about LOGIN_SECONDS (bodies made before each run, not measured). */
async function logins(sys: System, holder: Holder, label: string): Promise<Figures> {
  await cannon('warm-up', loginRun(sys, await loginBodies(sys, holder, 100)));
  const calibration = await cannon('calibration', loginRun(sys, await loginBodies(sys, holder, 300)));
  const n = Math.max(500, Math.min(10_000, Math.round(calibration.rps * LOGIN_SECONDS)));
  const bodies = await loginBodies(sys, holder, n);
  return withCpu(sys, () => cannon(`POST /v1/sessions (login, ${label})`, loginRun(sys, bodies)));
}

export async function run(): Promise<void> {
  const bare = await bareFastify();
  const sys = await startSystem({ name: 'bench', mode: 'processes' });
  let inProcess: System | null = null;
  let colocated: System | null = null;
  let workers2: System | null = null;
  try {
    // beside it, the gateway hosting the registry and the verifier (no transport hop); each route measured on both, one after the other
    colocated = await startSystem({ name: 'bench-coloc', mode: 'processes', colocate: true });
    // and that, as two worker processes sharing the port
    workers2 = await startSystem({ name: 'bench-workers', mode: 'processes', colocate: true, gatewayWorkers: 2 });
    const all = [sys, colocated, workers2];
    const users = [await signedUp(sys), await signedUp(colocated), await signedUp(workers2)];
    for (const [i, s] of all.entries()) {
      const first = await s.api<{ verdict: string }>('POST', '/v1/signatures/verify', { token: users[i]!.token, payload: users[i]!.doc });
      if (first.status !== 200 || first.body.verdict !== 'valid') throw new Error(`verify answered ${first.status}: ${JSON.stringify(first.body)}`);
    }
    const label = (s: System, name: string): string => (s === colocated ? `${name} (co-located)` : s === workers2 ? `${name} (co-located, 2 workers)` : name);

    const floor = await load('bare Fastify GET / (hello world, own process)', { url: bare.url });
    const [verify, coVerify, wVerify] = await sequence(all, (s, i) =>
      load(s === sys ? 'POST /v1/signatures/verify (repeat signer, cached)' : s === colocated ? 'POST /v1/signatures/verify (co-located, cached)' : 'POST /v1/signatures/verify (co-located, 2 workers)', {
        url: `${s.url}/v1/signatures/verify`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${users[i]!.token}` },
        body: users[i]!.doc,
      }, s),
    );
    const [challenges, coChallenges, wChallenges] = await sequence(all, (s) => load(label(s, 'POST /v1/challenges'), { url: `${s.url}/v1/challenges`, method: 'POST' }, s));
    const [remote, coLogin, wLogin] = await sequence(all, (s, i) => logins(s, users[i]!.holder, s === sys ? 'VERIFIER_MODE=remote' : s === colocated ? 'COLOCATE=registry,verifier' : 'COLOCATE, 2 workers'));
    await sys.close();
    await colocated.close();
    await workers2.close();

    // the same logins with the verifier's use case in the registry's process
    inProcess = await startSystem({ name: 'bench-inproc', mode: 'processes', env: { VERIFIER_MODE: 'in-process' } });
    const local = await logins(inProcess, (await signedUp(inProcess)).holder, 'VERIFIER_MODE=in-process');
    const floorAfter = await load('bare Fastify GET / (again, after the runs)', { url: bare.url });

    console.log(`autocannon (in the bench process): ${CONNECTIONS} connections, ${DURATION_S} s each (logins: a fixed count of pre-signed challenges); gateway, registry, verifier each a child process (co-located: the gateway's process hosts both; 2 workers: two such processes under a primary); CPU from /proc (postgres: the backends of the bench database; redis: the whole server, shared)`);
    for (const f of [floor, verify!, coVerify!, wVerify!, challenges!, coChallenges!, wChallenges!, remote!, coLogin!, wLogin!, local, floorAfter]) print(f, floor);
    for (const [name, c, l] of [['remote', challenges!, remote!], ['in-process', challenges!, local], ['co-located', coChallenges!, coLogin!], ['co-located, 2 workers', wChallenges!, wLogin!]] as const) {
      console.log(`${`challenge + login pair (derived, ${name})`.padEnd(52)} ${fmt(1 / (1 / c.rps + 1 / l.rps)).padStart(7)} pairs/s`);
    }
    console.log(`issue 14 goals: login ≥ 2,000 req/s, p99 < 50 ms, ≤ 1,000 µs CPU; verify ≥ 8,000 req/s; challenges ≥ 15,000 req/s (machine shared: read the hello-world ratio)`);
  } finally {
    await bare.stop();
    await sys.close().catch(() => undefined);
    await colocated?.close().catch(() => undefined);
    await workers2?.close().catch(() => undefined);
    await inProcess?.close();
  }
}

/** `f` for each system in turn (not at once: each run has the machine to itself). */
async function sequence<T>(systems: System[], f: (s: System, i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const [i, s] of systems.entries()) out.push(await f(s, i));
  return out;
}
