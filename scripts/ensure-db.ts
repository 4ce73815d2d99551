/**
 * Preflight for `npm start`: make sure PostgreSQL answers and the database
 * named in DATABASE_URL exists (created when missing), and that Redis answers.
 * Failures are PreflightErrors with a message a person can act on.
 *
 * Standalone: `node dist/scripts/ensure-db.js` (reads DATABASE_URL).
 */
import { Redis } from 'ioredis';
import { Client } from 'pg';

export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

function where(url: URL): string {
  return `${url.hostname || 'localhost'}:${url.port || '5432'}`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function connect(url: URL, timeoutMs: number): Promise<Client> {
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Create the database of `databaseUrl` when it does not exist. Returns what was done. */
export async function ensureDatabase(databaseUrl: string, timeoutMs = 5000): Promise<'exists' | 'created'> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (name === '') throw new PreflightError(`DATABASE_URL names no database: ${url.protocol}//${where(url)}/`);
  try {
    const client = await connect(url, timeoutMs);
    await client.end();
    return 'exists';
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000') throw unreachable(url, e);
  }
  // 3D000 invalid_catalog_name: the server answers, the database is missing
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  let client: Client;
  try {
    client = await connect(admin, timeoutMs);
  } catch (e) {
    throw unreachable(admin, e);
  }
  try {
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return 'created';
  } catch (e) {
    if ((e as { code?: string }).code === '42P04') return 'exists'; // created meanwhile by someone else
    throw new PreflightError(`could not create database "${name}" on ${where(url)}: ${(e as Error).message}`);
  } finally {
    await client.end();
  }
}

function unreachable(url: URL, e: unknown): PreflightError {
  const msg = e instanceof Error ? e.message || (e as { code?: string }).code || e.name : String(e);
  return new PreflightError(
    `PostgreSQL does not answer at ${where(url)} as user "${decodeURIComponent(url.username) || 'postgres'}" (${msg}).\n` +
      `  Start PostgreSQL (e.g. "pg_ctlcluster 16 main start", or "docker compose up -d postgres") or point DATABASE_URL at yours.`,
  );
}

/** PING Redis once, bounded. */
export async function checkRedis(redisUrl: string, timeoutMs = 3000): Promise<void> {
  const url = new URL(redisUrl);
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new PreflightError(
      `Redis does not answer at ${url.hostname}:${url.port || '6379'} (${(e as Error).message}).\n` +
        `  Start Redis (e.g. "redis-server --daemonize yes", or "docker compose up -d redis") or point REDIS_URL at yours.`,
    );
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jointcert';
  ensureDatabase(url).then(
    (r) => console.log(`database ${r}`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
