/**
 * `npm start` with nothing but Node: DATABASE_URL and REDIS_URL unset, and
 * nothing answering on the ports it probes (LOCAL_POSTGRES_PORT /
 * LOCAL_REDIS_PORT point at free ports, so the machine's own 5432 and 6379
 * do not matter). It starts an embedded Postgres and redis-server from PATH
 * with their data in LOCAL_DATA_DIR, runs the services as the least-privilege
 * role, serves the README's curl flow (scripts/try-it.sh), and stops everything
 * on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { answers } from '../scripts/local-stores';
import { alive, childrenOf, environOf, freePort, ROOT, startAll } from './support/start-all-process';

const run = promisify(execFile);

describe('npm start without Postgres or Redis running', () => {
  const data = mkdtempSync(join(tmpdir(), 'jc-local-stores-'));
  const devCa = mkdtempSync(join(tmpdir(), 'jc-local-stores-ca-'));
  // the embedded Postgres runs as the OS user postgres when the tests run as root
  chmodSync(data, 0o755);
  afterAll(() => {
    rmSync(data, { recursive: true, force: true });
    rmSync(devCa, { recursive: true, force: true });
  });

  it('starts an embedded Postgres and redis-server, serves, and stops them with the services', async () => {
    const [pgPort, redisPort, gatewayPort, devCaPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    expect(await answers(pgPort)).toBe(false);
    const s = startAll({
      LOCAL_POSTGRES_PORT: String(pgPort),
      LOCAL_REDIS_PORT: String(redisPort),
      LOCAL_DATA_DIR: data,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      DEV_CA_PORT: String(devCaPort),
      DEV_CA_DATA_DIR: devCa,
    });
    try {
      await s.waitFor(/jointcert is up/);
      expect(s.output()).toContain(`embedded PostgreSQL on 127.0.0.1:${pgPort} (data ${join(data, 'postgres')})`);
      expect(s.output()).toMatch(new RegExp(`redis-server \\S+ on 127.0.0.1:${redisPort}`));
      expect(existsSync(join(data, 'postgres', 'PG_VERSION'))).toBe(true);
      // every service answers through the gateway: the registry migrated and connected
      const deadline = Date.now() + 20_000;
      let ready = 0;
      while (Date.now() < deadline && ready !== 200) {
        ready = (await fetch(`http://127.0.0.1:${gatewayPort}/health/ready`)).status;
        if (ready !== 200) await new Promise((done) => setTimeout(done, 250));
      }
      expect(ready).toBe(200);
      // the README's curl flow against it
      const flow = await run('bash', ['scripts/try-it.sh'], {
        cwd: ROOT,
        env: { ...process.env, GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`, DEV_CA_URL: `http://127.0.0.1:${devCaPort}` },
      });
      expect(flow.stdout).toContain('-> HTTP 201');

      // least privilege: the services as jointcert_service, only the registry holds the owner's URL
      // start-all's children: the five apps, plus postgres and redis-server
      const kids = childrenOf(s.child.pid!);
      expect(kids).toHaveLength(7);
      const envs = kids.map((pid) => ({ cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), env: environOf(pid) })).filter((e) => e.cmd.includes('/src/main'));
      expect(envs).toHaveLength(5);
      const registry = envs.find((e) => e.cmd.includes('apps/registry/'))!;
      expect(new URL(registry.env.DATABASE_URL!).username).toBe('jointcert_service');
      expect(new URL(registry.env.MIGRATION_DATABASE_URL!).username).toBe('postgres');
      for (const e of envs.filter((x) => !x.cmd.includes('apps/registry/'))) expect(e.env.MIGRATION_DATABASE_URL).toBeUndefined();
      const app = new Client({ connectionString: registry.env.DATABASE_URL });
      await app.connect();
      try {
        await expect(app.query(`DELETE FROM audit_events`)).rejects.toMatchObject({ code: '42501' });
      } finally {
        await app.end();
      }

      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      for (const pid of kids) expect(alive(pid)).toBe(false);
      expect(s.output()).toContain('stores stopped');
      expect(await answers(pgPort)).toBe(false);
      expect(await answers(redisPort)).toBe(false);
    } finally {
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  }, 120_000);

  it('says how to get Redis when none answers and no redis-server is on PATH', async () => {
    const redisPort = await freePort();
    const s = startAll({ PATH: '/nonexistent', LOCAL_REDIS_PORT: String(redisPort), LOCAL_DATA_DIR: data, DEV_CA_DATA_DIR: devCa });
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain(`Redis does not answer on 127.0.0.1:${redisPort} and no redis-server is on PATH`);
    expect(s.output()).toContain('apt-get install redis-server');
    expect(s.output()).not.toContain('started (pid');
  });
});
