/**
 * `npm start` end to end: scripts/start-all.ts (run from source through
 * scripts/ts-register.js, as `node dist/scripts/start-all.js` runs the build)
 * against the machine's real Postgres and Redis, with its own REDIS_PREFIX,
 * database and free ports. It creates the database, starts the dev CA first,
 * hands the verifier the dev CA's trust directories, brings the gateway up,
 * and on SIGTERM stops every child. Without Postgres or Redis it says so.
 * The gateway runs as two workers (GATEWAY_WORKERS=2) under its primary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, childrenOf, environOf, freePort, scratchInstance, startAll } from './support/start-all-process';

describe('npm start (scripts/start-all.ts)', () => {
  const inst = scratchInstance('start');
  const { database, dataDir } = inst;
  afterAll(() => inst.cleanup());

  it('creates the database, starts the dev CA then the services, and stops every child on SIGTERM', async () => {
    const { s, gatewayPort, devCaPort } = await inst.start({ GATEWAY_WORKERS: '2' });
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
      for (const e of envs) expect(e.REDIS_PREFIX).toBe(inst.prefix);
      // the gateway's primary and its two workers
      expect(s.output()).toContain('GATEWAY_WORKERS=2');
      const workers = childrenOf(kids[envs.indexOf(byApp('gateway'))]!);
      expect(workers).toHaveLength(2);

      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      for (const pid of [...kids, ...workers]) expect(alive(pid)).toBe(false);
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
