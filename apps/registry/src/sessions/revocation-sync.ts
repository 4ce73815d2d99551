import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SessionRevocations, LOGGER, type Logger } from '@jointcert/common';
import { SessionRepository } from '@jointcert/registry-db';

/** How often the registry checks that the revocation set in Redis is still marked complete. */
export const REVOCATION_SYNC_INTERVAL_MS = 5000;

/**
 * Logout holds across a Redis restart: Postgres (sessions.revoked_at) is the
 * record, Redis the cache the gateway reads. At boot, whenever the Redis
 * connection becomes ready again, and every few seconds, the registry checks
 * the set's "loaded" mark; without it (Redis restarted empty, or evicted it)
 * it reloads every session revoked within an access token's lifetime, then
 * sets the mark. Until then the gateway answers 503 for bearer routes (fail
 * closed), never "not revoked".
 */
@Injectable()
export class RevocationSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly onReady = (): void => void this.sync();

  constructor(
    private readonly sessions: SessionRepository,
    private readonly redis: Redis,
    private readonly revocations: SessionRevocations,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.redis.on('ready', this.onReady);
    this.timer = setInterval(this.onReady, REVOCATION_SYNC_INTERVAL_MS);
    this.timer.unref();
    void this.sync();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
    await this.running;
  }

  /** Reload the set from Postgres if it is not marked complete (one run at a time; failures retried on the next tick). */
  sync(): Promise<void> {
    this.running ??= this.reloadIfNeeded()
      .catch((err: unknown) => this.logger.warn({ err }, 'session revocations not reloaded; retrying'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async reloadIfNeeded(): Promise<void> {
    if (this.redis.status !== 'ready' || (await this.revocations.isLoaded())) return;
    const ids = await this.sessions.revokedWithin(this.revocations.entryTtlS);
    for (let i = 0; i < ids.length; i += 500) await this.revocations.revoke(ids.slice(i, i + 500));
    await this.revocations.markLoaded();
    this.logger.info({ revokedSessions: ids.length }, 'session revocations loaded into redis from postgres');
  }
}
