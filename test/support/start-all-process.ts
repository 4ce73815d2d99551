/**
 * Helpers for the tests that run `npm start` (scripts/start-all.ts) as a real
 * process tree: from source through scripts/ts-register.js, with a minimal
 * environment, its output collected and awaited line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export const ROOT = resolve(__dirname, '..', '..');
export const PG = 'postgres://postgres@127.0.0.1:5432';

export async function freePort(): Promise<number> {
  return new Promise((done, failed) => {
    const s = createServer();
    s.once('error', failed);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first output line matching, rejects when the process exits first. */
  waitFor: (re: RegExp) => Promise<string>;
  exited: Promise<number | null>;
}

export function startAll(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['-r', './scripts/ts-register.js', 'scripts/start-all.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: Array<{ re: RegExp; done: (line: string) => void; failed: (e: Error) => void }> = [];
  const feed = (b: Buffer): void => {
    out += b.toString();
    for (const w of [...waiters]) {
      const m = out.split('\n').find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done(m);
      }
    }
  };
  child.stdout.on('data', feed);
  child.stderr.on('data', feed);
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      for (const w of waiters.splice(0)) w.failed(new Error(`start-all exited (${code}) before ${w.re}:\n${out}`));
      done(code);
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor: (re) =>
      new Promise((done, failed) => {
        const m = out.split('\n').find((l) => re.test(l));
        if (m !== undefined) return done(m);
        if (child.exitCode !== null) return failed(new Error(`start-all exited before ${re}:\n${out}`));
        waiters.push({ re, done, failed });
      }),
  };
}

/** The live child processes of `pid` (a zombie has exited), in pid order. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const status = readFileSync(`/proc/${d}/status`, 'utf8');
        return /^PPid:\s+(\d+)$/m.exec(status)?.[1] === String(pid) && !/^State:\s+Z/m.test(status);
      } catch {
        return false;
      }
    })
    .map(Number)
    .sort((a, b) => a - b);
}

export function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One `npm start` instance of a test: its own database, REDIS_PREFIX, dev CA
 * data directory and free ports. `start()` launches it; `cleanup()` drops the
 * database and the directory.
 */
export interface ScratchInstance {
  tag: string;
  database: string;
  dataDir: string;
  prefix: string;
  /** `env`: extra variables (e.g. REDIS_URL of a test's own Redis). */
  start(env?: Record<string, string>): Promise<{ s: Started; gatewayPort: number; devCaPort: number }>;
  cleanup(): Promise<void>;
}

export function scratchInstance(name: string): ScratchInstance {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const database = `jc_${name}_${tag}`;
  const dataDir = mkdtempSync(join(tmpdir(), `jc-${name}-`));
  const prefix = `jc-${name}-${tag}:`;
  return {
    tag,
    database,
    dataDir,
    prefix,
    async start(env = {}) {
      const [gatewayPort, devCaPort] = [await freePort(), await freePort()];
      const s = startAll({
        DATABASE_URL: `${PG}/${database}`,
        REDIS_PREFIX: prefix,
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_HOST: '127.0.0.1',
        DEV_CA_PORT: String(devCaPort),
        DEV_CA_DATA_DIR: dataDir,
        ...env,
      });
      return { s, gatewayPort, devCaPort };
    },
    async cleanup() {
      const admin = new Client({ connectionString: `${PG}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
