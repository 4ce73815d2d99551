/**
 * `npm start`: the whole system in one terminal, with prefixed output (pretty
 * and coloured in a terminal, JSON lines otherwise). Ctrl-C (or SIGTERM) stops
 * every service, waits for them, then stops the stores it started.
 *
 *   1. preflight: the configuration validates; Postgres and Redis are found or
 *      started (scripts/local-stores.ts: DATABASE_URL / REDIS_URL when set, else
 *      127.0.0.1:5432 / :6379, else an embedded Postgres and redis-server from
 *      PATH with data in .data/); the database exists (created when missing);
 *   2. the dev CA (unless DEV_CA_ENABLED=false, and never with
 *      NODE_ENV=production), then a bounded wait for its /health;
 *   3. verifier, registry, notifier and gateway, sharing one environment
 *      (REDIS_PREFIX, token secrets, ...). With the dev CA the verifier trusts
 *      its root (TRUST_ANCHORS_DIR / INTERMEDIATES_DIR default to the dev CA's
 *      trust directories) and may fetch its OCSP/CRL on 127.0.0.1
 *      (FETCH_ALLOW_PRIVATE defaults to true);
 *      COLOCATE=registry,verifier: no registry or verifier process, the gateway
 *      hosts them (and migrates, as the registry would); GATEWAY_WORKERS=n
 *      (or auto): the gateway process is the primary of n workers sharing its
 *      port (with COLOCATE, each hosts its own registry and verifier replicas;
 *      their output comes through the gateway's);
 *   4. a line "jointcert is up" once the gateway answers /health/live.
 *
 * Runs from dist (`node dist/scripts/start-all.js`) or from source
 * (`node -r ./scripts/ts-register.js scripts/start-all.ts`): the services are
 * started the same way this script was.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '@jointcert/common';
import { PreflightError } from './ensure-db';
import { provideStores, type Stores } from './local-stores';

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
let stores: Stores | undefined;

/** In a terminal, the services' JSON log lines pretty-printed in colour (pino-pretty). */
const pretty: ((line: string) => string) | undefined = process.stdout.isTTY
  ? (() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { prettyFactory } = require('pino-pretty') as { prettyFactory: (o: object) => (input: unknown) => string };
      const format = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' });
      return (line: string) => {
        if (!line.startsWith('{')) return line;
        try {
          return format(JSON.parse(line)).trimEnd();
        } catch {
          return line;
        }
      };
    })()
  : undefined;
const COLOURS: Record<Name | 'start', string> = { 'dev-ca': '35', verifier: '36', registry: '33', notifier: '34', gateway: '32', start: '1' };
function tagOf(name: Name | 'start'): string {
  const tag = `[${name}]`.padEnd(11);
  return pretty ? `\u001b[${COLOURS[name]}m${tag}\u001b[0m` : tag;
}

function log(message: string): void {
  process.stdout.write(`${tagOf('start')} ${message}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${tagOf('start')} ${message.replace(/\n/g, `\n${' '.repeat(12)}`)}\n`);
}

function isOff(v: string | undefined): boolean {
  return v !== undefined && ['false', '0', 'no'].includes(v.toLowerCase());
}

function start(name: Name, env: NodeJS.ProcessEnv): Running {
  const entry = join(__dirname, '..', 'apps', name, 'src', `main${ext}`);
  const child = spawn(process.execPath, [...process.execArgv, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = tagOf(name);
  const relay = (out: NodeJS.WriteStream) => {
    let rest = '';
    return (buf: Buffer) => {
      const lines = (rest + buf.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) out.write(`${tag} ${pretty ? pretty(line).replace(/\n/g, `\n${tag} `) : line}\n`);
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
  if (stores) {
    await stores.stop();
    log('stores stopped');
  }
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
    // the server KM pair the dev CA issues (identity.encryptedRandom, GET /v1/server-certificate)
    env.KM_CERT_FILE ||= join(env.DEV_CA_DATA_DIR, 'km', 'kmCert.der');
    env.KM_KEY_FILE ||= join(env.DEV_CA_DATA_DIR, 'km', 'kmPri.key');
    env.KM_KEY_PASSWORD ||= 'dev-km-password';
  }
  const config = loadConfig({ ...env, ...(devCa ? { DEV_CA_ENABLED: 'true' } : {}) });
  if (devCa && config.DEV_CA_PORT === 0) throw new PreflightError('DEV_CA_PORT=0: npm start needs a fixed dev CA port (the services are told where it is)');
  // the @jointcert/client demo (dev CA /demo) calls the gateway from the dev CA's origin
  if (devCa && !env.CORS_ORIGINS) env.CORS_ORIGINS = `http://localhost:${config.DEV_CA_PORT},http://127.0.0.1:${config.DEV_CA_PORT}`;

  stores = await provideStores(env);
  for (const note of stores.notes) log(note);
  env.DATABASE_URL = stores.databaseUrl;
  env.REDIS_URL = stores.redisUrl;
  delete env.MIGRATION_DATABASE_URL;
  log('Redis and PostgreSQL answer');

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
  // only the registry migrates, as the owner (in the gateway's process when it hosts the registry)
  const migration = stores.migrationDatabaseUrl ? { MIGRATION_DATABASE_URL: stores.migrationDatabaseUrl } : {};
  const hosted: readonly string[] = config.COLOCATE;
  const migrates = hosted.includes('registry') ? 'gateway' : 'registry';
  if (hosted.length > 0) log(`COLOCATE=${hosted.join(',')}: the gateway hosts them`);
  if (config.GATEWAY_WORKERS > 1) log(`GATEWAY_WORKERS=${config.GATEWAY_WORKERS}: the gateway runs as that many worker processes sharing port ${config.GATEWAY_PORT}`);
  for (const name of SERVICES.filter((n) => !hosted.includes(n))) start(name, name === migrates ? { ...serviceEnv, ...migration } : serviceEnv);

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
  else void (stores?.stop() ?? Promise.resolve()).then(() => process.exit(1));
});
