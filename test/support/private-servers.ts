/**
 * A Redis and a Postgres of a test's own, on free loopback ports, that the test
 * may stop, kill and restart (the machine's shared servers are never touched).
 *   - redis-server: no persistence (a restart comes back empty, the harder case);
 *   - Postgres: initdb in a temp dir (as the `postgres` user when we run as root),
 *     the `postgres` binary started directly so it can be stopped and restarted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { freePort, until } from './system';

export interface PrivateServer {
  port: number;
  url: string;
  /** Stop (SIGTERM, or SIGKILL with `kill`) and wait for the process to exit. */
  stop(kill?: boolean): Promise<void>;
  /** Start again on the same port; resolves when it answers. */
  start(): Promise<void>;
  /** stop + start. */
  restart(kill?: boolean): Promise<void>;
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}

/**
 * A server process that can be stopped and started again on the same port:
 * `launch` spawns it, `ready` resolves once it answers; `gentle` is its
 * orderly-stop signal.
 */
async function supervised(opts: {
  port: number;
  url: string;
  dir: string;
  gentle: NodeJS.Signals;
  launch: () => ChildProcess;
  ready: (child: ChildProcess) => Promise<void>;
}): Promise<PrivateServer> {
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = opts.launch();
    await opts.ready(child);
  };
  const stop = async (kill = false): Promise<void> => {
    const c = child;
    child = null;
    if (!c) return;
    c.kill(kill ? 'SIGKILL' : opts.gentle);
    await exited(c);
  };
  await start();
  return {
    port: opts.port,
    url: opts.url,
    stop,
    start,
    restart: async (kill) => {
      await stop(kill);
      await start();
    },
    close: async () => {
      await stop(opts.gentle !== 'SIGINT');
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}

export async function startPrivateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'jc-redis-'));
  let out = '';
  return supervised({
    port,
    url: `redis://127.0.0.1:${port}/0`,
    dir,
    gentle: 'SIGTERM',
    launch: () => {
      out = '';
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-4000)));
      return child;
    },
    ready: (c) =>
      until(`redis-server on ${port}`, async () => {
        if (c.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
        const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        r.on('error', () => undefined);
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } finally {
          r.disconnect();
        }
      }),
  });
}

const PG_BIN = ['/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/17/bin'].find((d) => existsSync(join(d, 'postgres')));

function bin(name: string): string {
  return PG_BIN ? join(PG_BIN, name) : name;
}

export async function startPrivatePostgres(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'jc-pg-'));
  const data = join(dir, 'data');
  // Postgres refuses to run as root: run it as the `postgres` user then.
  let ids: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    ids = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
    chownSync(dir, ids.uid, ids.gid);
  }
  execFileSync(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], { stdio: 'ignore', ...(ids ?? {}) });
  let out = '';
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // SIGINT = fast shutdown (terminates sessions: clients see 57P01); SIGKILL = crash.
  return supervised({
    port,
    url,
    dir,
    gentle: 'SIGINT',
    launch: () => {
      out = '';
      const child = spawn(bin('postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=100'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(ids ?? {}),
      });
      child.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-4000)));
      return child;
    },
    ready: (c) =>
      until(
        `postgres on ${port}`,
        async () => {
          if (c.exitCode !== null) throw new Error(`postgres exited: ${out}`);
          const client = new Client({ connectionString: url, connectionTimeoutMillis: 500 });
          client.on('error', () => undefined);
          try {
            await client.connect();
            await client.query('SELECT 1');
            return true;
          } finally {
            await client.end().catch(() => undefined);
          }
        },
        30_000,
      ),
  });
}
