import type { Redis } from 'ioredis';
import type { AppConfig } from '../config';

/** The revocation set in Redis is not known to be complete (Redis restarted empty, the registry has not reloaded it yet). */
export class RevocationsNotLoadedError extends Error {
  constructor() {
    super('session revocations are being reloaded');
    this.name = 'RevocationsNotLoadedError';
  }
}

/**
 * Sessions ended before their access tokens expire (logout, refresh-token
 * reuse). The registry records them in Postgres (sessions.revoked_at, the
 * record) and here (a cache the gateway checks every bearer token against).
 * Entries live as long as an access token can, so the set stays small.
 *
 * Redis may restart empty. The registry therefore marks the set complete
 * (`<prefix>session-revocations:loaded`) after loading it from Postgres, and
 * reloads whenever the mark is missing (RevocationSync); the gateway's check
 * reads entry and mark in one MGET and fails closed (503) without the mark,
 * so a logged-out session never comes back after a Redis restart.
 */
export class SessionRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<AppConfig, 'REDIS_PREFIX' | 'ACCESS_TOKEN_TTL_S'>,
  ) {}

  private key(sessionId: string): string {
    return `${this.config.REDIS_PREFIX}session-revoked:${sessionId}`;
  }

  private get loadedKey(): string {
    return `${this.config.REDIS_PREFIX}session-revocations:loaded`;
  }

  /** How long an entry must live: as long as an access token (plus clock margin). */
  get entryTtlS(): number {
    return this.config.ACCESS_TOKEN_TTL_S + 60;
  }

  async revoke(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const multi = this.redis.multi();
    for (const id of sessionIds) multi.set(this.key(id), '1', 'EX', this.entryTtlS);
    await multi.exec();
  }

  /** True when revoked; throws RevocationsNotLoadedError while the set is not known complete. */
  async isRevoked(sessionId: string): Promise<boolean> {
    const [entry, loaded] = await this.redis.mget(this.key(sessionId), this.loadedKey);
    if (entry !== null) return true;
    if (loaded === null) throw new RevocationsNotLoadedError();
    return false;
  }

  async isLoaded(): Promise<boolean> {
    return (await this.redis.exists(this.loadedKey)) === 1;
  }

  /** After a reload from the record: the set is complete. */
  async markLoaded(): Promise<void> {
    await this.redis.set(this.loadedKey, new Date().toISOString());
  }
}
