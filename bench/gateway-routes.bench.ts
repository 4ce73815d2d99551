/**
 * The gateway's own CPU per request on its hot routes — challenges, login,
 * refresh, document verification, GET /v1/accounts/me — with the services
 * answered in process: the transport's `send` returns the canned answer at
 * once (no registry or verifier, no Redis Streams hop), so what is measured
 * is the HTTP layer, Nest's pipeline, guards (rate limit and bearer +
 * revocation check on the real Redis), validation, the ServiceClient wrapper,
 * metrics and the access log (written to a sink). Production settings
 * otherwise: metrics on, CORS on (one origin), LOG_LEVEL info.
 *
 * The gateway runs in a child process (this file, argv `serve`), autocannon
 * in another; CPU µs per request is the gateway process's
 * `process.cpuUsage()` over a run divided by the requests answered. Rounds
 * alternate the routes (and the trees, see JC_GW_TREES) so that a change of
 * the machine's load hits all of them.
 *
 *   JC_GW_TREES=/a/dist:/b/dist   compare builds (each a `dist` with this bench compiled in), interleaved;
 *                                 `/a/dist|--max-semi-space-size=32` adds node flags to one of them
 *   JC_GW_ROUTES=verify,login     only these routes
 *   JC_GW_ROUNDS=5 JC_GW_SECONDS=3
 *   JC_CPU_PROF_DIR=/tmp/prof     a V8 CPU profile of each gateway process
 *   JC_GW_NODE_ARGS='--max-semi-space-size=32'  more node flags for the gateway processes
 *   JC_GW_ALLOC_PROF=/tmp/alloc   a sampling allocation profile of each gateway (objects collected since included)
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { of } from 'rxjs';
import { Redis } from 'ioredis';
import { createLogger, issueAccessToken, loadConfig, ServiceClient, SessionRevocations } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { createGateway } from '../apps/gateway/src/bootstrap';
import { accountExample, challengeExample, reportExample, sessionExample } from '../apps/gateway/src/openapi/examples';
import { deleteKeys } from '../test/support/redis';
import { fmt } from './util';

const CONNECTIONS = 32;
const ORIGIN = 'https://www.applyhome.example';

const answers: Record<string, unknown> = {
  [Api.registry.createChallenge.cmd]: challengeExample,
  [Api.registry.login.cmd]: sessionExample,
  [Api.registry.refresh.cmd]: sessionExample,
  [Api.registry.getAccount.cmd]: accountExample,
  [Api.verifier.verifyDocument.cmd]: reportExample,
};

/** A DER-looking blob of a login's size (one RSA-2048 certificate, signed attributes, the signature), as base64. */
function cms(bytes: number): string {
  const b = randomBytes(bytes);
  b[0] = 0x30;
  return b.toString('base64');
}

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  status: number;
  body?: string;
  bearer?: boolean;
}

const ROUTES: Route[] = [
  { name: 'challenges', method: 'POST', path: '/v1/challenges', status: 201 },
  { name: 'login', method: 'POST', path: '/v1/sessions', status: 201, body: JSON.stringify({ challengeId: randomUUID(), signedData: cms(1900) }) },
  { name: 'refresh', method: 'POST', path: '/v1/sessions/refresh', status: 200, body: JSON.stringify({ refreshToken: sessionExample.refreshToken }) },
  { name: 'verify', method: 'POST', path: '/v1/signatures/verify', status: 200, bearer: true, body: JSON.stringify({ signedData: cms(2600) }) },
  { name: 'me', method: 'GET', path: '/v1/accounts/me', status: 200, bearer: true },
];

/** The gateway child: serves, answers `cpu` with its process.cpuUsage(). */
async function serve(): Promise<void> {
  const prefix = `jc-bench-gwr-${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    LOG_LEVEL: 'info',
    REDIS_PREFIX: prefix,
    GATEWAY_PORT: '0',
    RATE_LIMIT_PER_IP: '1000000000',
    CORS_ORIGINS: ORIGIN,
    METRICS_ENABLED: 'true',
  });
  const gateway = await createGateway(config, { logger: createLogger(config, { destination: { write: () => undefined } }) });
  // the transport client inside the ServiceClient answers at once (its private field): both ways
  // ServiceClient asks it (a RequestingProxy's promise `request`, else Nest's Observable `send`)
  const client = gateway.get<ServiceClient, { proxy: { send: (cmd: string) => unknown; request?: (cmd: string) => Promise<unknown> } }>(ServiceClient);
  client.proxy.send = (cmd: string) => of(answers[cmd]);
  client.proxy.request = (cmd: string) => Promise.resolve(answers[cmd]);
  await gateway.listen(0, '127.0.0.1');
  const redis = new Redis(config.REDIS_URL);
  await new SessionRevocations(redis, config).markLoaded();
  const token = issueAccessToken(config, { accountId: randomUUID(), sessionId: randomUUID() }, Date.now());
  const allocations = process.env.JC_GW_ALLOC_PROF;
  const inspector = allocations ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    const post = promisify(inspector.post.bind(inspector)) as (method: string, params?: object) => Promise<unknown>;
    await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  process.on('message', (m: string) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m === 'close') {
      void (async () => {
        if (inspector) {
          const post = promisify(inspector.post.bind(inspector)) as (method: string) => Promise<{ profile: unknown }>;
          writeFileSync(join(allocations!, `gateway-${process.pid}.heapprofile`), JSON.stringify((await post('HeapProfiler.stopSampling')).profile));
        }
        await gateway.close();
        await deleteKeys(redis, prefix);
        await redis.quit();
        process.send!({ closed: true });
        process.exit(0);
      })();
    }
  });
  process.send!({ port: (gateway.getHttpServer().address() as AddressInfo).port, token });
}

interface Server {
  tree: string;
  child: ChildProcess;
  port: number;
  token: string;
}

function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`gateway child exited ${code}`));
    const onMessage = (m: Record<string, unknown>): void => {
      if (key in m) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function start(tree: string): Promise<Server> {
  const prof = process.env.JC_CPU_PROF_DIR;
  // `dist|--flag --flag`: node flags for this tree's gateway only
  const [dir, flags] = tree.split('|') as [string, string | undefined];
  const execArgv = [...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), ...`${process.env.JC_GW_NODE_ARGS ?? ''} ${flags ?? ''}`.split(' ').filter(Boolean)];
  const child = fork(join(dir, 'bench', 'gateway-routes.bench.js'), ['serve'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port, token } = await next<{ port: number; token: string }>(child, 'port');
  return { tree, child, port, token };
}

async function cpuOf(s: Server): Promise<number> {
  s.child.send('cpu');
  const { cpu } = await next<{ cpu: NodeJS.CpuUsage }>(s.child, 'cpu');
  return cpu.user + cpu.system;
}

interface Result {
  requests: number;
  non2xx: number;
  errors: number;
  rps: number;
}

async function autocannon(s: Server, r: Route, seconds: number): Promise<Result> {
  const args = [require.resolve('autocannon/autocannon.js'), '-c', String(CONNECTIONS), '-d', String(seconds), '-j', '-m', r.method, '-H', `origin=${ORIGIN}`];
  if (r.body !== undefined) args.push('-H', 'content-type=application/json', '-b', r.body);
  if (r.bearer) args.push('-H', `authorization=Bearer ${s.token}`);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, `http://127.0.0.1:${s.port}${r.path}`], { maxBuffer: 16 * 1024 * 1024 });
  const j = JSON.parse(stdout) as { requests: { total: number; average: number }; non2xx: number; errors: number; '2xx': number };
  return { requests: j.requests.total, non2xx: j.non2xx, errors: j.errors, rps: j.requests.average };
}

async function measureOnce(s: Server, r: Route, seconds: number): Promise<{ us: number; rps: number }> {
  const c0 = await cpuOf(s);
  const res = await autocannon(s, r, seconds);
  const c1 = await cpuOf(s);
  if (res.non2xx > 0 || res.errors > 0 || res.requests === 0) throw new Error(`${r.name} on ${s.tree}: ${res.requests} answered, ${res.non2xx} non-2xx, ${res.errors} errors`);
  return { us: (c1 - c0) / res.requests, rps: res.rps };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  const trees = (process.env.JC_GW_TREES ?? join(__dirname, '..')).split(':');
  const only = process.env.JC_GW_ROUTES?.split(',');
  const routes = ROUTES.filter((r) => !only || only.includes(r.name));
  const rounds = Number(process.env.JC_GW_ROUNDS ?? 5);
  const seconds = Number(process.env.JC_GW_SECONDS ?? 3);
  const servers: Server[] = [];
  for (const t of trees) servers.push(await start(t));
  const us = new Map<string, number[]>();
  const rps = new Map<string, number[]>();
  try {
    for (const s of servers) for (const r of routes) await autocannon(s, r, 1); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const r of routes) {
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const m = await measureOnce(s, r, seconds);
          const k = `${r.name}\t${s.tree}`;
          us.set(k, [...(us.get(k) ?? []), m.us]);
          rps.set(k, [...(rps.get(k) ?? []), m.rps]);
        }
      }
    }
  } finally {
    for (const s of servers) {
      s.child.send('close');
      await next(s.child, 'closed').catch(() => undefined);
    }
  }
  console.log(`gateway CPU µs per request (process.cpuUsage of the gateway child; services answered in process), ${CONNECTIONS} connections, ${rounds} × ${seconds} s per route and tree, interleaved; median [min–max], req/s median`);
  for (const r of routes) {
    for (const s of servers) {
      const xs = us.get(`${r.name}\t${s.tree}`)!;
      console.log(
        `${r.name.padEnd(11)} ${(servers.length > 1 ? s.tree : '').padEnd(servers.length > 1 ? 36 : 0)} ${fmt(median(xs), 1).padStart(6)} µs [${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)}]  ${fmt(median(rps.get(`${r.name}\t${s.tree}`)!)).padStart(7)} req/s`,
      );
    }
  }
}

if (process.argv[2] === 'serve') {
  serve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
