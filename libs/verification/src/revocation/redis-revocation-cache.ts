/**
 * The checker's RevocationCache (libs/pki revocation/cache.ts) on Redis, so
 * every verifier replica shares verified OCSP answers and responder backoff.
 *
 *   - keys: `${REDIS_PREFIX}revocation:` + SHA-256 (hex) of the checker's key:
 *     the checker's keys carry URLs taken from certificates users upload, so
 *     they are hashed to a fixed, harmless length;
 *   - values: the CachedEntry as JSON (plain data: numbers, strings, arrays) —
 *     nextUpdate, thisUpdate, producedAt and `expiresAt` round-trip exactly;
 *   - TTL: PX min(ttl, maxTtlMs) (default 26 h, above the checker's 24 h cap
 *     plus its longest backoff): storage is always bounded. Freshness is not
 *     the TTL's job: the checker compares `expiresAt` with its clock on read;
 *   - a value that does not parse or has the wrong shape is a miss (and is
 *     deleted), never an answer. Redis errors reject; the checker treats a
 *     failing cache as a miss (no fail-open);
 *   - a small in-process layer in front of Redis keeps verified answers
 *     (kind "status" only) for at most `localTtlMs` (default 10 s) and never
 *     past the Redis TTL, so a repeat signer costs no Redis round trip. It is
 *     safe for the same reason the Redis TTL is: the checker still compares
 *     expiresAt (nextUpdate) with its clock on every read. Failure entries
 *     (responder backoff) go to Redis only, so a recovered responder is seen
 *     by every replica at once.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '@jointcert/common';
import type { CachedEntry, RevocationCache } from '@jointcert/pki';

export const DEFAULT_MAX_CACHE_TTL_MS = 26 * 60 * 60_000;

export interface RedisRevocationCacheOptions {
  /** Deployment prefix (REDIS_PREFIX). */
  prefix: string;
  maxTtlMs?: number;
  /** The clock of the in-process layer (the service's injected clock). Default the system clock. */
  clock?: Clock;
  /** In-process layer: how long an answer is kept (0 turns the layer off). Default 10 s. */
  localTtlMs?: number;
  /** In-process layer: most entries (oldest evicted). Default 10,000. */
  localMaxEntries?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Shape check of a stored entry (what JSON.parse gave back). */
export function isCachedEntry(v: unknown): v is CachedEntry {
  if (!isObject(v)) return false;
  if (v.kind === 'status') {
    const s = v.status;
    if (!finite(v.expiresAt) || !isObject(s)) return false;
    if (s.status === 'good') return true;
    if (s.status === 'revoked') return finite(s.revokedAt);
    if (s.status === 'unknown') return typeof s.reason === 'string' && typeof s.detail === 'string' && Array.isArray(s.attempts);
    return false;
  }
  if (v.kind === 'failure') return typeof v.reason === 'string' && typeof v.detail === 'string' && finite(v.failures) && finite(v.retryAt);
  return false;
}

export class RedisRevocationCache implements RevocationCache {
  private readonly maxTtlMs: number;
  private readonly clock: Clock;
  private readonly localTtlMs: number;
  private readonly localMax: number;
  private readonly local = new Map<string, { entry: CachedEntry; until: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisRevocationCacheOptions,
  ) {
    this.maxTtlMs = opts.maxTtlMs ?? DEFAULT_MAX_CACHE_TTL_MS;
    this.clock = opts.clock ?? systemClock;
    this.localTtlMs = opts.localTtlMs ?? 10_000;
    this.localMax = opts.localMaxEntries ?? 10_000;
  }

  private remember(key: string, entry: CachedEntry, ttlMs: number): void {
    if (this.localTtlMs <= 0 || entry.kind !== 'status') return;
    this.local.delete(key);
    while (this.local.size >= this.localMax) this.local.delete(this.local.keys().next().value!);
    this.local.set(key, { entry, until: this.clock.now() + Math.min(ttlMs, this.localTtlMs) });
  }

  /** The Redis key for a checker key. */
  redisKey(key: string): string {
    return `${this.opts.prefix}revocation:${createHash('sha256').update(key).digest('hex')}`;
  }

  /** The in-process layer's entry for `key` (what get() answers without Redis), else undefined. */
  peek(key: string): CachedEntry | undefined {
    const hit = this.local.get(key);
    if (hit === undefined) return undefined;
    if (this.clock.now() < hit.until) return hit.entry;
    this.local.delete(key);
    return undefined;
  }

  async get(key: string): Promise<CachedEntry | undefined> {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const k = this.redisKey(key);
    const [raw, pttl] = await this.redis.multi().get(k).pttl(k).exec().then((r) => [r?.[0]?.[1], r?.[1]?.[1]] as const);
    if (typeof raw !== 'string') return undefined;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      v = undefined;
    }
    if (isCachedEntry(v)) {
      if (typeof pttl === 'number' && pttl > 0) this.remember(key, v, pttl);
      return v;
    }
    await this.redis.del(k);
    return undefined;
  }

  async set(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
    const k = this.redisKey(key);
    const ttl = Math.min(Math.ceil(ttlMs), this.maxTtlMs);
    this.local.delete(key);
    if (!(ttl > 0)) {
      await this.redis.del(k);
      return;
    }
    await this.redis.set(k, JSON.stringify(entry), 'PX', ttl);
    this.remember(key, entry, ttl);
  }

  async delete(key: string): Promise<void> {
    this.local.delete(key);
    await this.redis.del(this.redisKey(key));
  }
}
