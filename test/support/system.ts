/**
 * The whole system for one test file or benchmark, all real:
 *   - a database of its own on the machine's Postgres (real migrations, dropped afterwards),
 *   - a REDIS_PREFIX of its own on the real Redis (its keys deleted afterwards; never FLUSHDB),
 *   - the dev CA on 127.0.0.1, a free port, its data in a temp dir,
 *   - the verifier trusting the dev CA (and any extra anchors given, copied into a
 *     trust dir of its own before boot), allowed to fetch OCSP/CRL on 127.0.0.1,
 *   - the registry (with a movable clock in-process: challenges expire without sleeping),
 *   - the gateway listening on 127.0.0.1 (a free port), driven over real HTTP.
 * `mode: 'in-process'` (tests) runs the services in this process; `mode: 'processes'`
 * (the benchmark) runs gateway, registry and verifier as child processes, like `npm start`
 * (compiled entries under dist/ when this file runs compiled, else from source through
 * scripts/ts-register.js). The dev CA always runs in this process.
 * `colocate: true` (processes mode) starts only the gateway, with COLOCATE=registry,verifier:
 * it hosts both services and calls them in its process (pids() names the gateway's for all three).
 * `gatewayWorkers: n` (processes mode) starts the gateway with GATEWAY_WORKERS=n: a primary and
 * n worker processes sharing its port (pids() names the primary; gatewayPids() all of them).
 */
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { createMicroservice, createServiceClient, loadConfig, transportServer, type AppConfig, type Clock, type ServiceClient } from '@jointcert/common';
import { Api, type ChallengeView } from '@jointcert/contracts';
import { decodePem } from '@jointcert/pki';
import { signCms, type CmsSignOptions } from '@jointcert/pki/issuing';
import { startDevCa, type RunningDevCa } from '../../apps/dev-ca/src/bootstrap';
import { DEV_KM_PASSWORD } from '../../apps/dev-ca/src/server-km';
import type { IssueInput, IssueResult } from '../../apps/dev-ca/src/dev-ca';
import { createGateway } from '../../apps/gateway/src/bootstrap';
import { RegistryModule } from '../../apps/registry/src/registry.module';
import { VerifierModule } from '@jointcert/verification';
import { deleteKeys } from './redis';
import { childrenOf } from './start-all-process';
import { createTestDatabase, type TestDatabase } from '../../libs/registry-db/test-support/database';

const execFileAsync = promisify(execFile);

/** The repository root, or dist/ when this file runs compiled. */
const ROOT = resolve(__dirname, '..', '..');
const COMPILED = __filename.endsWith('.js');

/** The registry's clock: the real time plus an offset a test may move (no sleeping). */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface SystemOptions {
  /** Short name for the database, the Redis prefix and temp dirs. */
  name: string;
  /** Extra configuration (the same environment every app reads). */
  env?: Record<string, string>;
  /** PEM roots the verifier trusts besides the dev CA's (written before it boots). */
  extraAnchors?: string[];
  mode?: 'in-process' | 'processes';
  /** Processes mode: one gateway process hosting the registry and the verifier (COLOCATE=registry,verifier). */
  colocate?: boolean;
  /** Processes mode: GATEWAY_WORKERS (worker processes under the gateway's primary; each hosts the services with `colocate`). */
  gatewayWorkers?: number;
  /** Admin URL of the Postgres to create the test database on (default: the machine's). */
  adminDatabaseUrl?: string;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  /** Wall time of the request, ms. */
  ms: number;
}

export interface ApiRequest {
  body?: unknown;
  /** A raw body (sent as application/json unless headers say otherwise). */
  payload?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** A client's view of a dev CA certificate: DER and private key for signing. */
export interface Holder {
  issued: IssueResult;
  der: Buffer;
  key: ReturnType<typeof createPrivateKey>;
}

export interface System {
  config: AppConfig;
  /** Gateway base URL (http://127.0.0.1:port). */
  url: string;
  devCa: RunningDevCa;
  /** The registry's clock (in-process mode only; moving it in 'processes' mode does nothing). */
  clock: OffsetClock;
  db: TestDatabase;
  sql: Pool;
  redis: Redis;
  api<T = Record<string, unknown>>(method: string, path: string, req?: ApiRequest): Promise<ApiResponse<T>>;
  /** POST /issue at the dev CA (password defaulted). */
  issue(input?: Partial<IssueInput>): Promise<Holder>;
  /** POST /revoke at the dev CA. */
  revoke(serialHex: string, reason?: string): Promise<void>;
  challenge(): Promise<ChallengeView>;
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  /** The running apps and their process ids (in-process mode: this process for all; GATEWAY_WORKERS > 1: the gateway's primary). */
  pids(): Record<'gateway' | 'registry' | 'verifier', number>;
  /** The gateway's processes: its primary first, then its live workers (GATEWAY_WORKERS > 1); in-process mode: this process. */
  gatewayPids(): number[];
  stopVerifier(): Promise<void>;
  startVerifier(): Promise<void>;
  /** Processes mode: the child process of each app (the latest one started), its exit awaited by tests that signal it. */
  processes(): Partial<Record<'gateway' | 'registry' | 'verifier', ChildProcess>>;
  /** Processes mode: start one more verifier or registry process (stopped with the system). */
  addProcess(kind: 'verifier' | 'registry'): Promise<ChildProcess>;
  /** In-process mode: the transport servers of the running service instances (to count handlings), first the original one. */
  servers: Record<'verifier' | 'registry', CustomTransportStrategy[]>;
  /** In-process mode: start one more replica of a service (closed with the system); returns a function that stops it. */
  addReplica(kind: 'verifier' | 'registry'): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** CMS SignedData (base64) over `content` by the holder, through our DER writer and Node's crypto. */
export function signWithNode(h: Pick<Holder, 'der' | 'key'>, content: Buffer, opts: CmsSignOptions = {}): string {
  return signCms({ der: h.der, key: h.key }, content, opts).toString('base64');
}

/** CMS SignedData (base64) over `content` as a client would make it: `openssl cms -sign -binary -nodetach -outform DER`. */
export async function signWithOpenssl(pems: { certificatePem: string; privateKeyPem: string; chainPem?: string }, content: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'jc-system-cms-'));
  try {
    const f = (n: string, data: string | Buffer): string => {
      writeFileSync(join(dir, n), data);
      return join(dir, n);
    };
    const args = ['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-signer', f('cert.pem', pems.certificatePem), '-inkey', f('key.pem', pems.privateKeyPem)];
    if (pems.chainPem) args.push('-certfile', f('chain.pem', pems.chainPem));
    args.push('-in', f('content.bin', content), '-out', join(dir, 'signed.der'));
    await execFileAsync('openssl', args);
    return readFileSync(join(dir, 'signed.der')).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a request on a connection of its own got: a status, or how it failed ('refused', 'error:ECONNRESET', 'cut:…'). */
export interface Answer {
  status: number | string;
  contentType?: string;
  body?: Record<string, unknown>;
  ms: number;
}

/** One request on a connection of its own (no keep-alive: a refused connection is told apart from a cut one). */
export function sendOnce(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(baseUrl + path);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((done) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method, agent: false, timeout: 8000, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, ms: performance.now() - t0 }));
        res.on('error', (e: NodeJS.ErrnoException) => done({ status: `cut:${e.code ?? e.message}`, ms: performance.now() - t0 }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('hang')));
    req.on('error', (e: NodeJS.ErrnoException) => done({ status: e.code === 'ECONNREFUSED' ? 'refused' : `error:${e.code ?? e.message}`, ms: performance.now() - t0 }));
    req.end(payload);
  });
}

/** Poll `probe` until it resolves truthy, at most `ms` (a bounded wait on a condition, no fixed sleep). */
export async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown;
  for (let delay = 10; Date.now() < end; delay = Math.min(delay * 2, 200)) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

interface ChildApp {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function spawnApp(app: 'gateway' | 'registry' | 'verifier', env: Record<string, string>): ChildApp {
  const entry = join(ROOT, 'apps', app, 'src', COMPILED ? 'main.js' : 'main.ts');
  // JC_CPU_PROF_DIR=<dir> (benchmarks): each app writes a V8 CPU profile there when it exits.
  const profDir = process.env.JC_CPU_PROF_DIR;
  // (gateway workers inherit the flags: one fixed name would be written by each in turn, so the default one, with the pid)
  const name = Number(env.GATEWAY_WORKERS ?? 1) > 1 ? [] : [`--cpu-prof-name=${app}${env.COLOCATE ? '-colocated' : ''}.cpuprofile`];
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...name] : [];
  const args = COMPILED ? [...prof, entry] : [...prof, '-r', join(ROOT, 'scripts', 'ts-register.js'), entry];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    name: app,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export async function startSystem(opts: SystemOptions): Promise<System> {
  const mode = opts.mode ?? 'in-process';
  if ((opts.colocate || opts.gatewayWorkers) && mode !== 'processes') throw new Error('colocate, gatewayWorkers: processes mode only');
  const tag = `${opts.name}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), `jc-system-${opts.name}-`));
  const db = await createTestDatabase(opts.adminDatabaseUrl);
  const baseEnv: Record<string, string> = {
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_PREFIX: `jc-sys-${tag}:`,
    SERVICE_TIMEOUT_MS: '2000',
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_PER_CERT: '1000000',
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    FETCH_ALLOW_PRIVATE: 'true',
    FETCH_TIMEOUT_MS: '2000',
    DEV_CA_ENABLED: 'true',
    DEV_CA_HOST: '127.0.0.1',
    DEV_CA_PORT: '0',
    DEV_CA_LDAP_PORT: '0',
    DEV_CA_DATA_DIR: dataDir,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: '0',
    ...opts.env,
  };

  const removeDir = (dir: string) => (): Promise<void> => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
  const resources: Array<() => Promise<unknown>> = [removeDir(dataDir), () => db.drop()];
  const cleanup = async (): Promise<void> => {
    for (const r of resources.splice(0).reverse()) await r().catch(() => undefined);
  };

  try {
    const devCa = await startDevCa(loadConfig(baseEnv));
    resources.push(() => devCa.close());

    // the verifier's trust: the dev CA's root, plus extras, in a directory of its own
    let trustDir = devCa.trustAnchorsDir;
    if (opts.extraAnchors?.length) {
      trustDir = mkdtempSync(join(tmpdir(), `jc-system-anchors-${opts.name}-`));
      const dir = trustDir;
      resources.push(removeDir(dir));
      for (const f of readdirSync(devCa.trustAnchorsDir)) copyFileSync(join(devCa.trustAnchorsDir, f), join(dir, f));
      opts.extraAnchors.forEach((pem, i) => writeFileSync(join(dir, `extra-${i}.pem`), pem));
    }
    const env: Record<string, string> = {
      ...baseEnv,
      TRUST_ANCHORS_DIR: trustDir,
      INTERMEDIATES_DIR: devCa.intermediatesDir,
      KM_CERT_FILE: devCa.kmCertFile,
      KM_KEY_FILE: devCa.kmKeyFile,
      KM_KEY_PASSWORD: DEV_KM_PASSWORD,
    };
    const config = loadConfig(env);
    const clock = new OffsetClock();
    const redis = new Redis(config.REDIS_URL);
    resources.push(async () => {
      await deleteKeys(redis, config.REDIS_PREFIX);
      await redis.quit();
    });
    const sql = new Pool({ connectionString: db.url, max: 2 });
    // An idle connection dropped by a Postgres restart (fault tests): the pool replaces it.
    sql.on('error', () => undefined);
    resources.push(() => sql.end());

    let url: string;
    let pids: System['pids'] = () => ({ gateway: process.pid, registry: process.pid, verifier: process.pid });
    let gatewayPids: System['gatewayPids'] = () => [process.pid];
    let stopVerifier: () => Promise<void>;
    let startVerifier: () => Promise<void>;
    const servers: System['servers'] = { verifier: [], registry: [] };
    const strategy = (kind: 'verifier' | 'registry'): CustomTransportStrategy => {
      const s = transportServer(config);
      servers[kind].push(s);
      return s;
    };
    let processes: System['processes'] = () => ({});
    let addProcess: System['addProcess'] = () => Promise.reject(new Error('processes mode only'));
    let addReplica: System['addReplica'] = () => Promise.reject(new Error('replicas need mode in-process'));

    if (mode === 'in-process') {
      let verifier: INestMicroservice | null = null;
      startVerifier = async () => {
        if (verifier) return;
        verifier = await createMicroservice(VerifierModule.forRoot(config), config, { strategy: strategy('verifier') });
        await verifier.listen();
      };
      stopVerifier = async () => {
        const v = verifier;
        verifier = null;
        await v?.close();
      };
      await startVerifier();
      resources.push(() => stopVerifier());
      const registry = await createMicroservice(RegistryModule.forRoot(config, { clock }), config, { strategy: strategy('registry') });
      await registry.listen();
      resources.push(() => registry.close());
      addReplica = async (kind) => {
        const app = kind === 'verifier' ? await createMicroservice(VerifierModule.forRoot(config), config, { strategy: strategy(kind) }) : await createMicroservice(RegistryModule.forRoot(config, { clock }), config, { strategy: strategy(kind) });
        await app.listen();
        let open = true;
        const stop = async (): Promise<void> => {
          if (open) await app.close();
          open = false;
        };
        resources.push(stop);
        return stop;
      };
      const gateway: INestApplication = await createGateway(config);
      await gateway.listen(0, '127.0.0.1');
      resources.push(() => gateway.close());
      url = `http://127.0.0.1:${((gateway.getHttpServer() as Server).address() as AddressInfo).port}`;
    } else {
      const probe: ServiceClient = createServiceClient({ ...config, SERVICE_TIMEOUT_MS: 500 });
      resources.push(() => probe.close());
      const childEnv = { ...env, LOG_LEVEL: opts.env?.LOG_LEVEL ?? 'warn' };
      const children: ChildApp[] = [];
      const up = async (app: ChildApp, ready: () => Promise<boolean>): Promise<void> => {
        children.push(app);
        resources.push(() => app.stop());
        await until(`${app.name} to answer`, async () => {
          if (app.child.exitCode !== null) throw new Error(`${app.name} exited (${app.child.exitCode}): ${app.output()}`);
          return ready();
        }).catch((e: Error) => {
          throw new Error(`${e.message}\n--- ${app.name} output ---\n${app.output()}`);
        });
      };
      let verifier: ChildApp | null = null;
      startVerifier = async () => {
        if (opts.colocate) throw new Error('colocate: the verifier runs in the gateway');
        if (verifier) return;
        verifier = spawnApp('verifier', childEnv);
        await up(verifier, () => probe.send(Api.verifier.ping, {}).then(() => true));
      };
      stopVerifier = async () => {
        const v = verifier;
        verifier = null;
        await v?.stop();
      };
      if (!opts.colocate) {
        await startVerifier();
        await up(spawnApp('registry', childEnv), () => probe.send(Api.registry.ping, {}).then(() => true));
      }
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const workers: Record<string, string> = opts.gatewayWorkers ? { GATEWAY_WORKERS: String(opts.gatewayWorkers) } : {};
      await up(spawnApp('gateway', { ...childEnv, GATEWAY_PORT: String(port), ...workers, ...(opts.colocate ? { COLOCATE: 'registry,verifier' } : {}) }), () => fetch(`${url}/health/ready`).then((r) => r.ok));
      // co-located: the registry and the verifier are the gateway's process
      const host = (name: 'gateway' | 'registry' | 'verifier'): string => (opts.colocate ? 'gateway' : name);
      pids = () => {
        const of = (name: 'gateway' | 'registry' | 'verifier'): number => children.find((c) => c.name === host(name) && c.child.exitCode === null)?.child.pid ?? 0;
        return { gateway: of('gateway'), registry: of('registry'), verifier: of('verifier') };
      };
      gatewayPids = () => {
        const primary = pids().gateway;
        return primary ? [primary, ...childrenOf(primary)] : [];
      };
      processes = () => {
        const of = (name: 'gateway' | 'registry' | 'verifier'): ChildProcess | undefined => [...children].reverse().find((c) => c.name === host(name))?.child;
        return { gateway: of('gateway'), registry: of('registry'), verifier: of('verifier') };
      };
      addProcess = async (kind) => {
        const extra = spawnApp(kind, childEnv);
        await up(extra, () => Promise.resolve(true));
        return extra.child;
      };
    }

    const api = async <T>(method: string, path: string, req: ApiRequest = {}): Promise<ApiResponse<T>> => {
      const headers: Record<string, string> = { ...req.headers };
      let body: string | undefined;
      if (req.body !== undefined) body = JSON.stringify(req.body);
      else if (req.payload !== undefined) body = req.payload;
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      if (req.token) headers.authorization = `Bearer ${req.token}`;
      const t0 = performance.now();
      const res = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const ms = performance.now() - t0;
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T, ms };
    };

    const system: System = {
      config,
      url,
      devCa,
      clock,
      db,
      sql,
      redis,
      api,
      async issue(input = {}) {
        const res = await fetch(`${devCa.url}/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'dev-password-1', ...input }) });
        if (res.status !== 201) throw new Error(`dev CA /issue answered ${res.status}: ${await res.text()}`);
        const issued = (await res.json()) as IssueResult;
        return { issued, der: decodePem(issued.certificatePem, 'CERTIFICATE'), key: createPrivateKey(issued.privateKeyPem) };
      },
      async revoke(serialHex, reason) {
        const res = await fetch(`${devCa.url}/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serialHex, ...(reason ? { reason } : {}) }) });
        if (res.status !== 200) throw new Error(`dev CA /revoke answered ${res.status}: ${await res.text()}`);
      },
      async challenge() {
        const res = await api<ChallengeView>('POST', '/v1/challenges');
        if (res.status !== 201) throw new Error(`POST /v1/challenges answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body;
      },
      async count(table, where = 'true', params = []) {
        const r = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
        return r.rows[0]!.n;
      },
      pids: () => pids(),
      gatewayPids: () => gatewayPids(),
      servers,
      processes: () => processes(),
      addProcess: (kind) => addProcess(kind),
      addReplica: (kind) => addReplica(kind),
      stopVerifier: () => stopVerifier(),
      startVerifier: () => startVerifier(),
      close: cleanup,
    };
    return system;
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** CPU time (µs) a process has used so far, from /proc (clock ticks of 10 ms). */
export function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export async function freePort(): Promise<number> {
  return new Promise((done, failed) => {
    const s = createServer();
    s.once('error', failed);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => done(port));
    });
  });
}
