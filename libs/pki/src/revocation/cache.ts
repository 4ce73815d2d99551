/**
 * The revocation cache seam. The checker stores verified OCSP answers and
 * negative entries (a failing source, with its backoff) here; the verifier
 * service backs it with Redis, tests and single processes use the in-memory
 * implementation below. Entries are plain JSON-able data.
 *
 * The TTL only bounds storage: the checker still compares `expiresAt` (an
 * answer's nextUpdate) with its injected clock on every read, so a cache that
 * keeps an entry too long cannot make it serve a stale "good".
 */
import type { Clock } from '../clock';
import type { RevocationStatus, RevocationUnknownReason } from './types';

export type CachedEntry =
  | {
      kind: 'status';
      /** A verified answer (good, revoked, or unknown OCSP_UNKNOWN). */
      status: RevocationStatus;
      /** Never used at or after this time (nextUpdate, or thisUpdate + max age, capped by the max TTL). */
      expiresAt: number;
    }
  | {
      kind: 'failure';
      reason: RevocationUnknownReason;
      detail: string;
      /** Consecutive failures so far. */
      failures: number;
      /** Do not ask the source again before this time. */
      retryAt: number;
    };

export interface RevocationCache {
  get(key: string): Promise<CachedEntry | undefined>;
  /**
   * What get() would answer, when the cache knows it without waiting (an
   * in-process entry), else undefined — then get() is asked. Optional.
   */
  peek?(key: string): CachedEntry | undefined;
  set(key: string, entry: CachedEntry, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface MemoryRevocationCacheOptions {
  clock: Clock;
  /** Oldest entries are evicted beyond this many. Default 100,000. */
  maxEntries?: number;
}

/** In-memory RevocationCache: a Map in insertion order with a TTL per entry, bounded in size. */
export class MemoryRevocationCache implements RevocationCache {
  private readonly map = new Map<string, { entry: CachedEntry; until: number }>();
  private readonly clock: Clock;
  private readonly maxEntries: number;

  constructor(opts: MemoryRevocationCacheOptions) {
    this.clock = opts.clock;
    this.maxEntries = opts.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): Promise<CachedEntry | undefined> {
    return Promise.resolve(this.peek(key));
  }

  peek(key: string): CachedEntry | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (this.clock.now() >= hit.until) {
      this.map.delete(key);
      return undefined;
    }
    return hit.entry;
  }

  set(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
    this.map.delete(key);
    if (ttlMs > 0) {
      while (this.map.size >= this.maxEntries) this.map.delete(this.map.keys().next().value!);
      this.map.set(key, { entry, until: this.clock.now() + ttlMs });
    }
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }
}
