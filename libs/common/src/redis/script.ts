import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA1 (EVALSHA: the script text is not sent with
 * every call), and sent once with EVAL when Redis answers NOSCRIPT (its
 * script cache is empty after a restart or SCRIPT FLUSH; EVAL caches it
 * again). One command, hence one round trip, per call; on a connection with
 * auto-pipelining, calls from concurrent requests share a write.
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** The script's reply for `keys` and `args`; Redis' errors (other than NOSCRIPT) reject as ioredis reports them. */
  run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return redis.evalsha(this.sha, keys.length, ...keys, ...args).catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    });
  }
}
