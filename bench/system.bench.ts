/**
 * The whole system under load, through the REST API (test/support/system.ts):
 * gateway, registry and verifier as child processes, as `npm start` runs them
 * (one Node process each, so they use the machine's cores as in production),
 * on the real Redis and Postgres, the dev CA (in this process) as the CA whose
 * OCSP answer the verifier caches. Driven by wrk (a native load generator, a
 * child process, 2 threads) where it is installed — `JC_LOADGEN=autocannon`
 * or no `wrk` on PATH: autocannon in this process, as before, at 25–45 µs of
 * CPU per request that the servers then lack — and logins always by autocannon
 * (each needs a fresh body, a fixed count of them), beside a bare Fastify
 * hello-world in a child process measured in the same run by the same tool:
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
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** CPU µs per request by process (gateway, registry, verifier; workers = the gateway's workers under GATEWAY_WORKERS; bench = this process: autocannon when it drives, and the dev CA; wrk = the wrk process when it drives). */
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

/** The load generator for fixed-body runs: wrk when it is on PATH (unless JC_LOADGEN=autocannon), else autocannon. */
export const LOADGEN: 'wrk' | 'autocannon' = process.env.JC_LOADGEN === 'autocannon' || !hasWrk() ? 'autocannon' : 'wrk';
const WRK_THREADS = 2;

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk prints its usage and exits 1 for --version: installed
    return (e as { status?: number }).status === 1;
  }
}

/** A wrk latency figure ("812.00us", "3.88ms", "1.02s") in ms. */
export function wrkMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v);
  if (!m) throw new Error(`wrk latency not understood: ${v}`);
  return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as const)[m[2] as 'us' | 'ms' | 's' | 'm'];
}

/** Read wrk's --latency report: requests, duration, p50/p99, errors (socket errors, non-2xx). */
export function parseWrk(out: string): { requests: number; seconds: number; p50: number; p99: number; bad: number } {
  const done = /(\d+) requests in ([\d.]+)(ms|s|m),/.exec(out);
  const p50 = /^\s+50%\s+(\S+)$/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)$/m.exec(out);
  if (!done || !p50 || !p99) throw new Error(`wrk output not understood:\n${out}`);
  const seconds = Number(done[2]) * ({ ms: 0.001, s: 1, m: 60 } as const)[done[3] as 'ms' | 's' | 'm'];
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const bad = non2xx + (socket ? socket.slice(1).reduce((t, n) => t + Number(n), 0) : 0);
  return { requests: Number(done[1]), seconds, p50: wrkMs(p50[1]!), p99: wrkMs(p99[1]!), bad };
}

/**
 * One wrk run of a fixed request (method, headers, body from `opts`, through a
 * Lua script), in a shell that reports wrk's CPU afterwards (the children's
 * user + system ticks of /proc/<shell>/stat, counted once wrk is reaped).
 */
async function wrkRun(name: string, opts: Opts, seconds: number): Promise<Figures & { wrkUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'jc-wrk-'));
  try {
    const script = join(dir, 'req.lua');
    const headers = Object.entries((opts.headers ?? {}) as Record<string, string>);
    writeFileSync(
      script,
      [
        `wrk.method = ${JSON.stringify(opts.method ?? 'GET')}`,
        ...(typeof opts.body === 'string' ? [`wrk.body = ${JSON.stringify(opts.body)}`] : []),
        ...headers.map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
      ].join('\n'),
    );
    const sh = 'wrk "$@"; read -r stat < /proc/$$/stat; echo "SHELL-STAT ${stat##*) }"';
    const args = ['-t', String(WRK_THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', '-s', script, String(opts.url)];
    // asynchronous: this process also serves the dev CA while wrk runs
    const out = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', sh, 'sh', ...args], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`wrk failed: ${stderr || err.message}`)) : resolve(stdout))),
    );
    const r = parseWrk(out);
    // /proc/<pid>/stat after the command name: field 3 is the state, so cutime and cstime (16, 17) are at 13, 14
    const stat = /SHELL-STAT (.*)$/m.exec(out)?.[1]?.split(' ') ?? [];
    const ticks = Number(stat[13]) + Number(stat[14]);
    return { name, rps: r.requests / r.seconds, p50: r.p50, p99: r.p99, bad: r.bad, requests: r.requests, wrkUs: (ticks * 1e6) / CLOCK_TICKS / r.requests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** USER_HZ: the unit of /proc/<pid>/stat times (100 on Linux, whatever the kernel's own HZ). */
const CLOCK_TICKS = 100;

async function load(name: string, opts: Opts, sys: System | null = null): Promise<Figures> {
  if (LOADGEN === 'wrk') {
    await wrkRun(name, opts, 1); // warm-up
    let wrkUs = 0;
    const r = await withCpu(sys, async () => {
      const w = await wrkRun(name, opts, DURATION_S);
      wrkUs = w.wrkUs;
      return w;
    });
    r.cpu = { ...(r.cpu ?? {}), wrk: wrkUs };
    return r;
  }
  await cannon(name, { ...opts, duration: 1 }); // warm-up
  return withCpu(sys, () => cannon(name, { ...opts, duration: DURATION_S }));
}

/** A latency in ms as printed: wrk's are fractional, autocannon's whole. */
const ms = (v: number): string => (Number.isInteger(v) || v >= 10 ? String(Math.round(v)) : v.toFixed(2));

function print(f: Figures, floor: Figures): void {
  const ratio = f === floor ? '' : `  ${(f.rps / floor.rps).toFixed(3)}× hello-world (1/${fmt(floor.rps / f.rps)})`;
  console.log(
    `${f.name.padEnd(52)} ${fmt(f.rps).padStart(7)} req/s  p50 ${ms(f.p50).padStart(4)} ms  p99 ${ms(f.p99).padStart(4)} ms${f.bad ? `  (${f.bad} errors/non-2xx!)` : ''}${ratio}`,
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

    const gen = LOADGEN === 'wrk' ? `wrk (${WRK_THREADS} threads, its CPU as "wrk"; logins: autocannon in the bench process)` : 'autocannon (in the bench process)';
    console.log(`${gen}: ${CONNECTIONS} connections, ${DURATION_S} s each (logins: a fixed count of pre-signed challenges); gateway, registry, verifier each a child process (co-located: the gateway's process hosts both; 2 workers: two such processes under a primary); CPU from /proc (postgres: the backends of the bench database; redis: the whole server, shared)`);
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
