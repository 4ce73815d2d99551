import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger, DomainError, loadConfig } from '@jointcert/common';
import { ClientRateLimiter, RATE_WINDOW_S } from './client-rate-limiter';

const refusal = (p: Promise<unknown>): Promise<DomainError> =>
  p.then(
    () => Promise.reject(new Error('expected a refusal')),
    (err: unknown) => (err instanceof DomainError ? err : Promise.reject(err as Error)),
  );

describe('ClientRateLimiter (real Redis)', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: `jc-rate-${process.pid}-${randomBytes(3).toString('hex')}:`, RATE_LIMIT_PER_IP: '3' });
  const logger = createLogger(config);
  const redis = new Redis(config.REDIS_URL);
  const limiter = new ClientRateLimiter(redis, config, logger);
  const keyOf = (ip: string): string => `${config.REDIS_PREFIX}rate:ip:${ip}`;

  afterAll(async () => {
    await redis.del(keyOf('192.0.2.1'), keyOf('192.0.2.2'), keyOf('192.0.2.3'));
    await redis.quit();
  });

  it('RATE_LIMIT_PER_IP requests pass, the next is RATE_LIMITED with the seconds left in the window; other addresses have their own budget', async () => {
    for (let i = 0; i < 3; i++) await expect(limiter.consume('192.0.2.1')).resolves.toBeUndefined();
    const err = await refusal(limiter.consume('192.0.2.1'));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.extra.retryAfter).toBeGreaterThanOrEqual(1);
    expect(err.extra.retryAfter).toBeLessThanOrEqual(RATE_WINDOW_S);
    await expect(limiter.consume('192.0.2.2')).resolves.toBeUndefined();
    // the counter: under the prefix, counting refused requests too, expiring with the window
    expect(await redis.get(keyOf('192.0.2.1'))).toBe('4');
    const ttl = await redis.pttl(keyOf('192.0.2.1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(RATE_WINDOW_S * 1000);
  });

  it('a counter that lost its TTL gets the window again (never a budget that never resets)', async () => {
    await redis.set(keyOf('192.0.2.3'), '1');
    await expect(limiter.consume('192.0.2.3')).resolves.toBeUndefined();
    const ttl = await redis.pttl(keyOf('192.0.2.3'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(RATE_WINDOW_S * 1000);
  });

  it('fails closed: Redis unreachable → SERVICE_UNAVAILABLE, never a pass', async () => {
    const down = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const closed = new ClientRateLimiter(down, config, logger);
    const err = await refusal(closed.consume('192.0.2.9'));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    down.disconnect();
  });
});
