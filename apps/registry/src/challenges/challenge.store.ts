import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError, CONFIG, CLOCK, randomString, RedisScript, type AppConfig, type Clock } from '@jointcert/common';
import type { ChallengeView } from '@jointcert/contracts';
import { isoString } from '@jointcert/pki';

/** Nonce size: 256 bits (DESIGN: at least 128). */
export const NONCE_BYTES = 32;
/**
 * Redis keeps a challenge this long after it expires, so that a late attempt
 * is told CHALLENGE_EXPIRED (remedy: fetch a new one) rather than
 * CHALLENGE_UNKNOWN; after that Redis forgets it.
 */
export const CHALLENGE_GRACE_S = 60;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface StoredChallenge {
  nonce: string;
  expiresAt: number;
}

/** A counter to increment in the same round trip as a challenge take (the per-certificate rate limit). */
export interface TakeCounter {
  key: string;
  ttlMs: number;
}

/**
 * GETDEL the challenge (KEYS[1]); only when it existed and has not expired at
 * ARGV[1] (the caller's clock, ms), INCR the counter (KEYS[2]) and give it its
 * TTL (ARGV[2] ms) when new. Returns nil (no challenge) or {stored JSON,
 * count}, count -1 when expired (not counted). Atomic, one round trip.
 */
const TAKE_COUNTING = new RedisScript(`
local raw = redis.call('GETDEL', KEYS[1])
if not raw then return nil end
local ok, c = pcall(cjson.decode, raw)
if not ok or type(c) ~= 'table' or type(c.expiresAt) ~= 'number' or c.expiresAt <= tonumber(ARGV[1]) then return {raw, -1} end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return {raw, n}`);

/**
 * Challenges in Redis: `<prefix>challenge:<uuid>` → {nonce, expiresAt}, with a
 * TTL of CHALLENGE_TTL_S plus a grace period. Consumption is one GETDEL: of
 * any number of concurrent attempts exactly one gets the nonce, and it is gone
 * whatever happens next (a failed verification burns it; so does an
 * unreachable verifier — the client fetches a new challenge, which is what it
 * does for every challenge error anyway).
 */
@Injectable()
export class ChallengeStore {
  constructor(
    private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private key(id: string): string {
    return `${this.config.REDIS_PREFIX}challenge:${id}`;
  }

  /** A new challenge, stored (one SET with its TTL). Not an async function: one promise on top of the command's. */
  create(): Promise<Omit<ChallengeView, 'textToSign'>> {
    const challengeId = randomUUID();
    const nonce = randomString(NONCE_BYTES, 'base64');
    const expiresAt = this.clock.now() + this.config.CHALLENGE_TTL_S * 1000;
    const view = { challengeId, nonce, expiresAt: isoString(expiresAt) };
    return this.redis.set(this.key(challengeId), storedJson(nonce, expiresAt), 'EX', this.config.CHALLENGE_TTL_S + CHALLENGE_GRACE_S).then(() => view);
  }

  /** Take the challenge's nonce (base64), exactly once. CHALLENGE_UNKNOWN / CHALLENGE_EXPIRED otherwise. */
  async consume(challengeId: string): Promise<string> {
    if (!UUID.test(challengeId)) throw unknown();
    const raw = await this.redis.getdel(this.key(challengeId));
    return this.nonceOf(raw, this.clock.now());
  }

  /**
   * `consume`, and in the same Redis round trip count one attempt on
   * `counter` — only when the challenge was there and not expired (exactly
   * when `consume` would have returned the nonce). Returns the nonce and the
   * counter's new value.
   */
  async consumeCounting(challengeId: string, counter: TakeCounter): Promise<{ nonce: string; count: number }> {
    if (!UUID.test(challengeId)) throw unknown();
    const now = this.clock.now();
    const reply = await TAKE_COUNTING.run(this.redis, [this.key(challengeId), counter.key], [String(now), String(counter.ttlMs)]);
    const [raw, count] = Array.isArray(reply) ? (reply as [string, number]) : [null, -1];
    const nonce = this.nonceOf(raw, now);
    if (count < 0) throw unknown(); // stored value the script could not read: not a challenge of ours
    return { nonce, count };
  }

  private nonceOf(raw: string | null, now: number): string {
    if (raw === null) throw unknown();
    const stored = JSON.parse(raw) as StoredChallenge;
    if (stored.expiresAt <= now) {
      throw new DomainError('CHALLENGE_EXPIRED', 'the challenge has expired; request a new one', { expiredAt: new Date(stored.expiresAt).toISOString() });
    }
    return stored.nonce;
  }
}

/**
 * JSON.stringify({ nonce, expiresAt }) for a base64 nonce (nothing to escape)
 * and an integer time, written directly (a third of the cost; the spec
 * compares both).
 */
export function storedJson(nonce: string, expiresAt: number): string {
  if (!BASE64.test(nonce) || !Number.isSafeInteger(expiresAt)) return JSON.stringify({ nonce, expiresAt } satisfies StoredChallenge);
  return `{"nonce":"${nonce}","expiresAt":${expiresAt}}`;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function unknown(): DomainError {
  return new DomainError('CHALLENGE_UNKNOWN', 'no such challenge, or it was already used; request a new one');
}
