/**
 * `npm start`: the whole system in one terminal against the local Postgres
 * and Redis, with prefixed output. Ctrl-C (or SIGTERM) stops every service and
 * waits for them.
 *
 *   1. preflight: the configuration validates, Redis answers, Postgres answers
 *      and the database of DATABASE_URL exists (created when missing);
 *   2. the dev CA (unless DEV_CA_ENABLED=false, and never with
 *      NODE_ENV=production), then a bounded wait for its /health;
 *   3. verifier, registry, notifier and gateway, sharing one environment
 *      (REDIS_PREFIX, token secrets, ...). With the dev CA the verifier trusts
 *      its root (TRUST_ANCHORS_DIR / INTERMEDIATES_DIR default to the dev CA's
 *      trust directories) and may fetch its OCSP/CRL on 127.0.0.1
 *      (FETCH_ALLOW_PRIVATE defaults to true);
 *   4. a line "jointcert is up" once the gateway answers /health/live.
 *
 * Runs from dist (`node dist/scripts/start-all.js`) or from source
 * (`node -r ./scripts/ts-register.js scripts/start-all.ts`): the services are
 * started the same way this script was.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '@jointcert/common';
import { checkRedis, ensureDatabase, PreflightError } from './ensure-db';

const SERVICES = ['verifier', 'registry', 'notifier', 'gateway'] as const;
const DEV_CA_READY_MS = 30_000;
const GATEWAY_READY_MS = 60_000;
const STOP_GRACE_MS = 10_000;

type Name = (typeof SERVICES)[number] | 'dev-ca';

interface Running {
  name: Name;
  child: ChildProcess;
  exited: Promise<number>;
}

const ext = __filename.endsWith('.ts') ? '.ts' : '.js';
const running: Running[] = [];
let stopping = false;

function log(message: string): void {
  process.stdout.write(`${'[start]'.padEnd(11)} ${message}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${'[start]'.padEnd(11)} ${message.replace(/\n/g, `\n${' '.repeat(12)}`)}\n`);
}

function isOff(v: string | undefined): boolean {
  return v !== undefined && ['false', '0', 'no'].includes(v.toLowerCase());
}

function start(name: Name, env: NodeJS.ProcessEnv): Running {
  const entry = join(__dirname, '..', 'apps', name, 'src', `main${ext}`);
  const child = spawn(process.execPath, [...process.execArgv, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `[${name}]`.padEnd(11);
  const relay = (out: NodeJS.WriteStream) => {
    let rest = '';
    return (buf: Buffer) => {
      const lines = (rest + buf.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) out.write(`${tag} ${line}\n`);
    };
  };
  child.stdout?.on('data', relay(process.stdout));
  child.stderr?.on('data', relay(process.stderr));
  const exited = new Promise<number>((done) => {
    child.on('exit', (code, signal) => {
      if (stopping) log(`${name} stopped (${signal ?? `code ${code}`})`);
      else {
        fail(`${name} exited (${signal ?? `code ${code}`}); stopping the others`);
        void stopAll(code || 1);
      }
      done(code ?? 1);
    });
  });
  log(`${name} started (pid ${child.pid})`);
  const r = { name, child, exited };
  running.push(r);
  return r;
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const alive = running.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  for (const r of alive) r.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const r of alive) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  await Promise.all(alive.map((r) => r.exited));
  clearTimeout(timer);
  process.exit(code);
}

/** Poll `url` until it answers 2xx, `child` exits, or `ms` pass. */
async function waitForHttp(url: string, r: Running, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let gone = false;
  void r.exited.then(() => (gone = true));
  while (!gone && !stopping && Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return true;
    } catch {
      // not yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return false;
}

function loopback(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const env: NodeJS.ProcessEnv = { ...process.env };
  const devCa = !isOff(env.DEV_CA_ENABLED) && env.NODE_ENV !== 'production';
  if (devCa) {
    env.DEV_CA_DATA_DIR = resolve(env.DEV_CA_DATA_DIR || '.dev-ca');
    env.TRUST_ANCHORS_DIR ||= join(env.DEV_CA_DATA_DIR, 'trust', 'anchors');
    env.INTERMEDIATES_DIR ||= join(env.DEV_CA_DATA_DIR, 'trust', 'intermediates');
    env.FETCH_ALLOW_PRIVATE ||= 'true';
  }
  const config = loadConfig({ ...env, ...(devCa ? { DEV_CA_ENABLED: 'true' } : {}) });
  if (devCa && config.DEV_CA_PORT === 0) throw new PreflightError('DEV_CA_PORT=0: npm start needs a fixed dev CA port (the services are told where it is)');
  // the @jointcert/client demo (dev CA /demo) calls the gateway from the dev CA's origin
  if (devCa && !env.CORS_ORIGINS) env.CORS_ORIGINS = `http://localhost:${config.DEV_CA_PORT},http://127.0.0.1:${config.DEV_CA_PORT}`;

  await checkRedis(config.REDIS_URL);
  const db = await ensureDatabase(config.DATABASE_URL);
  log(`Redis answers; database ${new URL(config.DATABASE_URL).pathname.slice(1)} ${db === 'created' ? 'created' : 'exists'}`);

  if (devCa) {
    const ca = start('dev-ca', { ...env, DEV_CA_ENABLED: 'true' });
    const url = `http://${loopback(config.DEV_CA_HOST)}:${config.DEV_CA_PORT}`;
    if (!(await waitForHttp(`${url}/health`, ca, DEV_CA_READY_MS))) {
      if (!stopping) {
        fail(`the dev CA did not answer ${url}/health within ${DEV_CA_READY_MS / 1000} s`);
        await stopAll(1);
      }
      return;
    }
    log(`dev CA ready at ${url} (trust anchors in ${env.TRUST_ANCHORS_DIR})`);
  } else {
    // DEV_CA_ENABLED=false must not reach the services as "true"
    delete env.DEV_CA_ENABLED;
  }
  // the services never run the dev CA themselves
  const serviceEnv = { ...env };
  delete serviceEnv.DEV_CA_ENABLED;
  for (const name of SERVICES) start(name, serviceEnv);

  const gateway = running.find((r) => r.name === 'gateway')!;
  const gatewayUrl = `http://${loopback(config.GATEWAY_HOST)}:${config.GATEWAY_PORT}`;
  if (await waitForHttp(`${gatewayUrl}/health/live`, gateway, GATEWAY_READY_MS)) {
    log(`jointcert is up: gateway ${gatewayUrl}${devCa ? `, dev CA http://${loopback(config.DEV_CA_HOST)}:${config.DEV_CA_PORT} (demo page: /demo)` : ''} (Ctrl-C stops everything)`);
  } else if (!stopping) {
    fail(`the gateway did not answer ${gatewayUrl}/health/live within ${GATEWAY_READY_MS / 1000} s; the services keep running`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof PreflightError || e instanceof ConfigError) fail(e.message);
  else fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
  if (running.length > 0) void stopAll(1);
  else process.exit(1);
});
