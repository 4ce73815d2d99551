import type { Redis } from 'ioredis';
import { DomainError, RedisScript, type AppConfig, type Logger } from '@jointcert/common';

/** The budget's window: RATE_LIMIT_PER_IP requests per this many seconds. */
export const RATE_WINDOW_S = 60;

/**
 * Count one request in a fixed window (KEYS[1]: the address's counter; ARGV[1]:
 * the window in seconds): the counter is created with the window's TTL, then
 * incremented. Returns {count, ms until the window ends}. Atomic, one round
 * trip. The same counters (key and commands) as rate-limiter-flexible's
 * RateLimiterRedis, which this replaces: gateways of either kind share a
 * budget during a rolling upgrade.
 */
const COUNT_IN_WINDOW = new RedisScript(`
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
local count = redis.call('INCRBY', KEYS[1], 1)
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = 1000 * ARGV[1]
end
return {count, ttl}`);

/**
 * Per-client-address limit on the unauthenticated, expensive routes
 * (challenges, sign-up/registration, login, refresh, replace): one budget of
 * RATE_LIMIT_PER_IP requests per minute per address, shared across those
 * routes and across gateway replicas (the counters live in Redis under
 * REDIS_PREFIX, `<prefix>rate:ip:<address>`). Over the limit → 429
 * RATE_LIMITED with Retry-After (the seconds until the window ends).
 *
 * Fail closed: when Redis cannot answer, these routes answer 503 rather than
 * run unlimited — they guard login and registration, where an unthrottled
 * window is worth more to an attacker than a short outage costs a user (and
 * without Redis, challenges cannot be consumed anyway).
 */
export class ClientRateLimiter {
  private readonly prefix: string;
  private readonly points: number;

  constructor(
    private readonly redis: Redis,
    config: Pick<AppConfig, 'REDIS_PREFIX' | 'RATE_LIMIT_PER_IP'>,
    private readonly logger: Logger,
  ) {
    this.prefix = `${config.REDIS_PREFIX}rate:ip:`;
    this.points = config.RATE_LIMIT_PER_IP;
  }

  /**
   * Spend one request of `ip`'s budget, or reject with RATE_LIMITED /
   * SERVICE_UNAVAILABLE. One script call and one `then` (the hot path of
   * every limited route: no promise more than it needs).
   */
  consume(ip: string): Promise<void> {
    return COUNT_IN_WINDOW.run(this.redis, [this.prefix + ip], [RATE_WINDOW_S]).then(
      (reply) => {
        const [count, ttlMs] = reply as [number, number];
        if (count <= this.points) return;
        const retryAfter = Math.max(1, Math.ceil(ttlMs / 1000));
        throw new DomainError('RATE_LIMITED', `too many requests from this address; retry in ${retryAfter} s`, { retryAfter });
      },
      (err: unknown) => {
        this.logger.warn({ err }, 'rate limiter unavailable; refusing the request (fail closed)');
        throw new DomainError('SERVICE_UNAVAILABLE', 'a required service is unavailable; try again later');
      },
    );
  }
}
