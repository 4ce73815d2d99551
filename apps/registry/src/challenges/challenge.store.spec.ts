import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '@jointcert/common';
import { ChallengeStore, storedJson } from './challenge.store';

/** The challenge take that also counts a rate-limit attempt (one Lua round trip), on the real Redis. */
describe('ChallengeStore.consumeCounting (real Redis)', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: `jc-challenge-store-${process.pid}-${randomBytes(3).toString('hex')}:` });
  const clock = { t: Date.now(), now(): number { return this.t; } };
  const redis = new Redis(config.REDIS_URL);
  const store = new ChallengeStore(redis, config, clock);
  const counter = { key: `${config.REDIS_PREFIX}ratelimit:test`, ttlMs: 120_000 };

  afterAll(async () => {
    // every challenge was taken (GETDEL); the counters are what is left
    await redis.del(counter.key, `${config.REDIS_PREFIX}ratelimit:expired`, `${config.REDIS_PREFIX}ratelimit:race`);
    await redis.quit();
  });

  it('nonces are 32 random bytes, each handed out once', async () => {
    const nonces = await Promise.all(Array.from({ length: 300 }, () => store.create().then(async (c) => (await store.consume(c.challengeId), c.nonce))));
    expect(nonces.every((n) => Buffer.from(n, 'base64').length === 32)).toBe(true);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('takes the nonce once and counts each successful take; the counter gets its TTL', async () => {
    const a = await store.create();
    const b = await store.create();
    expect(await store.consumeCounting(a.challengeId, counter)).toEqual({ nonce: a.nonce, count: 1 });
    expect(await store.consumeCounting(b.challengeId, counter)).toEqual({ nonce: b.nonce, count: 2 });
    const ttl = await redis.pttl(counter.key);
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    await expect(store.consumeCounting(a.challengeId, counter)).rejects.toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
    expect(await redis.get(counter.key)).toBe('2');
  });

  it('an unknown, malformed or expired challenge is not counted (and the expired one is gone)', async () => {
    const key = { ...counter, key: `${config.REDIS_PREFIX}ratelimit:expired` };
    await expect(store.consumeCounting(randomUUID(), key)).rejects.toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
    await expect(store.consumeCounting('not-a-uuid', key)).rejects.toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
    const c = await store.create();
    clock.t += config.CHALLENGE_TTL_S * 1000;
    await expect(store.consumeCounting(c.challengeId, key)).rejects.toMatchObject({ code: 'CHALLENGE_EXPIRED' });
    expect(await redis.exists(key.key, `${config.REDIS_PREFIX}challenge:${c.challengeId}`)).toBe(0);
  });

  it('of concurrent takes of one challenge exactly one gets the nonce and exactly one is counted', async () => {
    const key = { ...counter, key: `${config.REDIS_PREFIX}ratelimit:race` };
    const c = await store.create();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.consumeCounting(c.challengeId, key)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await redis.get(key.key)).toBe('1');
  });
});

describe('storedJson', () => {
  it('is JSON.stringify({ nonce, expiresAt }) for every base64 nonce and time (and falls back to it for anything else)', () => {
    const times = [0, 1, Date.now(), 253_402_300_799_999, -1, Number.MAX_SAFE_INTEGER, 1.5, 2 ** 60];
    for (let n = 0; n < 40; n++) {
      for (const t of times) {
        const nonce = randomBytes(n).toString('base64');
        expect(storedJson(nonce, t)).toBe(JSON.stringify({ nonce, expiresAt: t }));
      }
    }
    for (const nonce of ['a"b', 'a\\b', '\u2028', 'é', 'ab=c', '']) expect(storedJson(nonce, 5)).toBe(JSON.stringify({ nonce, expiresAt: 5 }));
  });

  it('the store keeps what it always kept, and answers expiresAt as toISOString does', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: `jc-challenge-json-${process.pid}-${randomBytes(3).toString('hex')}:` });
    const redis = new Redis(config.REDIS_URL);
    try {
      const t = Date.UTC(2026, 11, 6, 15, 48, 1, 7);
      const c = await new ChallengeStore(redis, config, { now: () => t }).create();
      const expiresAt = t + config.CHALLENGE_TTL_S * 1000;
      expect(c.expiresAt).toBe(new Date(expiresAt).toISOString());
      expect(await redis.getdel(`${config.REDIS_PREFIX}challenge:${c.challengeId}`)).toBe(JSON.stringify({ nonce: c.nonce, expiresAt }));
    } finally {
      await redis.quit();
    }
  });
});
