import type { Redis } from 'ioredis';
import type { AppConfig } from '../config';

/**
 * Sessions ended before their access tokens expire (logout, refresh-token
 * reuse). The registry records them; the gateway checks every bearer token
 * against them with one Redis EXISTS. Entries live as long as an access token
 * can, so the set stays small.
 */
export class SessionRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<AppConfig, 'REDIS_PREFIX' | 'ACCESS_TOKEN_TTL_S'>,
  ) {}

  private key(sessionId: string): string {
    return `${this.config.REDIS_PREFIX}session-revoked:${sessionId}`;
  }

  async revoke(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const multi = this.redis.multi();
    for (const id of sessionIds) multi.set(this.key(id), '1', 'EX', this.config.ACCESS_TOKEN_TTL_S + 60);
    await multi.exec();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sessionId))) === 1;
  }
}
