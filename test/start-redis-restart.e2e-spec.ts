/**
 * `npm start` survives a Redis restart: the whole system (scripts/start-all.ts,
 * every app a child process) on a Redis of this test's own, which is
 * SIGKILLed and started again empty. No app exits (start-all would then stop
 * them all), /health/ready is 200 again by itself within seconds, and SIGTERM
 * still stops everything with exit code 0.
 */
import { startPrivateRedis, type PrivateServer } from './support/private-servers';
import { childrenOf, scratchInstance } from './support/start-all-process';
import { until } from './support/system';

describe('npm start and a Redis restart', () => {
  const inst = scratchInstance('redisrestart');
  let redis: PrivateServer;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    await inst.cleanup();
    await redis?.close();
  });

  it('keeps running, is ready again by itself, and still stops cleanly', async () => {
    const { s, gatewayPort } = await inst.start({ REDIS_URL: redis.url });
    try {
      await s.waitFor(/jointcert is up/);
      const ready = async (): Promise<boolean> => (await fetch(`http://127.0.0.1:${gatewayPort}/health/ready`, { signal: AbortSignal.timeout(3000) })).status === 200;
      await until('ready before the restart', ready, 30_000);
      const kids = childrenOf(s.child.pid!);
      expect(kids).toHaveLength(5);

      await redis.restart(true);
      const t0 = Date.now();
      await until('ready after the restart', ready, 20_000);
      console.log(`npm start: ready again ${Date.now() - t0} ms after a Redis SIGKILL+restart`);
      expect(s.child.exitCode).toBeNull();
      expect(childrenOf(s.child.pid!).sort()).toEqual([...kids].sort());
      expect(s.output()).not.toMatch(/exited|No further reconnection attempts/);

      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    } finally {
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  }, 120_000);
});
