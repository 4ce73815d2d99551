/** Redis helpers for tests: the Redis is shared, so a test cleans up only its own prefix. */
import type { Redis } from 'ioredis';

/** The Redis server's process id (from INFO), 0 when it does not say. */
export async function redisServerPid(redis: Redis): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
}

/** Delete every key under `prefix` (never FLUSHDB: the Redis is shared). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) n += await redis.del(...keys);
  } while (cursor !== '0');
  return n;
}
