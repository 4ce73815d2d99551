/**
 * `npm start` end to end: scripts/start-all.ts (run from source through
 * scripts/ts-register.js, as `node dist/scripts/start-all.js` runs the build)
 * against the machine's real Postgres and Redis, with its own REDIS_PREFIX,
 * database and free ports. It creates the database, starts the dev CA first,
 * hands the verifier the dev CA's trust directories, brings the gateway up,
 * and on SIGTERM stops every child. Without Postgres or Redis it says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '..');
const PG = 'postgres://postgres@127.0.0.1:5432';

async function freePort(): Promise<number> {
  return new Promise((done, failed) => {
    const s = createServer();
    s.once('error', failed);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first output line matching, rejects when the process exits first. */
  waitFor: (re: RegExp) => Promise<string>;
  exited: Promise<number | null>;
}

function startAll(env: Record<string, string>): Started {
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

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (scripts/start-all.ts)', () => {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const database = `jc_start_${tag}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'jc-start-'));

  afterAll(async () => {
    const admin = new Client({ connectionString: `${PG}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the database, starts the dev CA then the services, and stops every child on SIGTERM', async () => {
    const [gatewayPort, devCaPort] = [await freePort(), await freePort()];
    const s = startAll({
      DATABASE_URL: `${PG}/${database}`,
      REDIS_PREFIX: `jc-start-${tag}:`,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      DEV_CA_PORT: String(devCaPort),
      DEV_CA_DATA_DIR: dataDir,
    });
    try {
      await s.waitFor(/jointcert is up/);
      const live = await fetch(`http://127.0.0.1:${gatewayPort}/health/live`);
      expect(live.status).toBe(200);
      const ca = await fetch(`http://127.0.0.1:${devCaPort}/health`);
      expect(await ca.json()).toMatchObject({ status: 'ok' });
      expect(s.output()).toMatch(new RegExp(`database ${database} created`));
      // the dev CA came first, and wrote the trust material the verifier was pointed at
      expect(s.output().indexOf('dev CA ready')).toBeLessThan(s.output().indexOf('verifier started'));
      expect(existsSync(join(dataDir, 'trust', 'anchors', 'root.pem'))).toBe(true);

      const kids = childrenOf(s.child.pid!);
      expect(kids).toHaveLength(5);
      const envs = kids.map(environOf);
      const byApp = (app: string) => envs.find((e, i) => readFileSync(`/proc/${kids[i]}/cmdline`, 'utf8').includes(`apps/${app}/src/main`))!;
      const verifier = byApp('verifier');
      expect(verifier.TRUST_ANCHORS_DIR).toBe(join(dataDir, 'trust', 'anchors'));
      expect(verifier.INTERMEDIATES_DIR).toBe(join(dataDir, 'trust', 'intermediates'));
      expect(verifier.FETCH_ALLOW_PRIVATE).toBe('true');
      expect(byApp('dev-ca').DEV_CA_ENABLED).toBe('true');
      expect(byApp('gateway').DEV_CA_ENABLED).toBeUndefined();
      for (const e of envs) expect(e.REDIS_PREFIX).toBe(`jc-start-${tag}:`);

      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      for (const pid of kids) expect(alive(pid)).toBe(false);
      for (const app of ['dev-ca', 'verifier', 'registry', 'notifier', 'gateway']) expect(s.output()).toContain(`${app} stopped`);
    } finally {
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  }, 30_000);

  it('says clearly when Postgres or Redis does not answer', async () => {
    const closed = await freePort();
    const noPg = startAll({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/x`, DEV_CA_DATA_DIR: dataDir });
    expect(await noPg.exited).toBe(1);
    expect(noPg.output()).toContain(`PostgreSQL does not answer at 127.0.0.1:${closed}`);
    expect(noPg.output()).not.toContain('started (pid');

    const noRedis = startAll({ REDIS_URL: `redis://127.0.0.1:${closed}/0`, DEV_CA_DATA_DIR: dataDir });
    expect(await noRedis.exited).toBe(1);
    expect(noRedis.output()).toContain(`Redis does not answer at 127.0.0.1:${closed}`);
  });
});
