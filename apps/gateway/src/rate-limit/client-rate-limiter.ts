import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError, type AppConfig, type Logger } from '@jointcert/common';

/**
 * Per-client-address limit on the unauthenticated, expensive routes
 * (challenges, sign-up/registration, login, refresh, replace): one budget of
 * RATE_LIMIT_PER_IP requests per minute per address, shared across those
 * routes and across gateway replicas (the counters live in Redis under
 * REDIS_PREFIX). Over the limit → 429 RATE_LIMITED with Retry-After.
 *
 * Fail closed: when Redis cannot answer, these routes answer 503 rather than
 * run unlimited — they guard login and registration, where an unthrottled
 * window is worth more to an attacker than a short outage costs a user (and
 * without Redis, challenges cannot be consumed anyway).
 */
export class ClientRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    config: Pick<AppConfig, 'REDIS_PREFIX' | 'RATE_LIMIT_PER_IP'>,
    private readonly logger: Logger,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_PREFIX}rate:ip`,
      points: config.RATE_LIMIT_PER_IP,
      duration: 60,
    });
  }

  /** Spend one request of `ip`'s budget, or throw RATE_LIMITED / SERVICE_UNAVAILABLE. */
  async consume(ip: string): Promise<void> {
    try {
      await this.limiter.consume(ip, 1);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new DomainError('RATE_LIMITED', `too many requests from this address; retry in ${retryAfter} s`, { retryAfter });
      }
      this.logger.warn({ err }, 'rate limiter unavailable; refusing the request (fail closed)');
      throw new DomainError('SERVICE_UNAVAILABLE', 'a required service is unavailable; try again later');
    }
  }
}
