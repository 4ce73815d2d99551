import { Inject, Injectable } from '@nestjs/common';
import { DomainError, CONFIG, CLOCK, type AppConfig, type Clock } from '@jointcert/common';

const WINDOW_MS = 60_000;

/** One certificate's counter for the current window: where it is counted and for how long it lives. */
export interface RateWindow {
  key: string;
  ttlMs: number;
  /** Window index (clock / WINDOW_MS) and the clock reading it was taken at. */
  window: number;
  now: number;
}

/**
 * RATE_LIMIT_PER_CERT attempts per certificate per minute (fixed window on the
 * injected clock), counted in Redis so every replica shares the count. The
 * proof of possession counts in the same round trip as the challenge take
 * (ChallengeStore.consumeCounting: GETDEL + INCR + PEXPIRE in one Lua script,
 * atomic, no read-then-write race): `window` names the counter, `enforce`
 * judges the count it returned.
 */
@Injectable()
export class CertificateRateLimiter {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  window(fingerprintSha256: string): RateWindow {
    const now = this.clock.now();
    const window = Math.floor(now / WINDOW_MS);
    return { key: `${this.config.REDIS_PREFIX}ratelimit:cert:${fingerprintSha256}:${window}`, ttlMs: 2 * WINDOW_MS, window, now };
  }

  /** RATE_LIMITED (with retryAfter) when `count` attempts in the window are too many. */
  enforce(w: RateWindow, count: number): void {
    if (count > this.config.RATE_LIMIT_PER_CERT) {
      const retryAfter = Math.max(1, Math.ceil(((w.window + 1) * WINDOW_MS - w.now) / 1000));
      throw new DomainError('RATE_LIMITED', 'too many attempts with this certificate; try again later', { retryAfter });
    }
  }
}
