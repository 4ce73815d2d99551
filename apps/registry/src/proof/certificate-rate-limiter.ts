import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError, type AppConfig } from '@jointcert/common';
import { APP_CONFIG, CLOCK, type Clock } from '../registry.tokens';

const WINDOW_MS = 60_000;

/**
 * RATE_LIMIT_PER_CERT attempts per certificate per minute (fixed window on the
 * injected clock), counted in Redis so every replica shares the count.
 * One INCR + PEXPIRE in a MULTI: atomic, no read-then-write race.
 */
@Injectable()
export class CertificateRateLimiter {
  constructor(
    private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async hit(fingerprintSha256: string): Promise<void> {
    const now = this.clock.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.config.REDIS_PREFIX}ratelimit:cert:${fingerprintSha256}:${window}`;
    const replies = await this.redis.multi().incr(key).pexpire(key, 2 * WINDOW_MS).exec();
    const count = Number(replies?.[0]?.[1] ?? 0);
    if (count > this.config.RATE_LIMIT_PER_CERT) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
      throw new DomainError('RATE_LIMITED', 'too many attempts with this certificate; try again later', { retryAfter });
    }
  }
}
