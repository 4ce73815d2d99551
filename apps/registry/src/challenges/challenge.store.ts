import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError, type AppConfig } from '@jointcert/common';
import type { ChallengeView } from '@jointcert/contracts';
import { APP_CONFIG, CLOCK, type Clock } from '../registry.tokens';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private key(id: string): string {
    return `${this.config.REDIS_PREFIX}challenge:${id}`;
  }

  async create(): Promise<Omit<ChallengeView, 'textToSign'>> {
    const challengeId = randomUUID();
    const nonce = randomBytes(NONCE_BYTES).toString('base64');
    const expiresAt = this.clock.now() + this.config.CHALLENGE_TTL_S * 1000;
    const stored: StoredChallenge = { nonce, expiresAt };
    await this.redis.set(this.key(challengeId), JSON.stringify(stored), 'EX', this.config.CHALLENGE_TTL_S + CHALLENGE_GRACE_S);
    return { challengeId, nonce, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Take the challenge's nonce (base64), exactly once. CHALLENGE_UNKNOWN / CHALLENGE_EXPIRED otherwise. */
  async consume(challengeId: string): Promise<string> {
    if (!UUID.test(challengeId)) throw unknown();
    const raw = await this.redis.getdel(this.key(challengeId));
    if (raw === null) throw unknown();
    const stored = JSON.parse(raw) as StoredChallenge;
    if (stored.expiresAt <= this.clock.now()) {
      throw new DomainError('CHALLENGE_EXPIRED', 'the challenge has expired; request a new one', { expiredAt: new Date(stored.expiresAt).toISOString() });
    }
    return stored.nonce;
  }
}

function unknown(): DomainError {
  return new DomainError('CHALLENGE_UNKNOWN', 'no such challenge, or it was already used; request a new one');
}
