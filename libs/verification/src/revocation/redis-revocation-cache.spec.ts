import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '@jointcert/common';
import { type CachedEntry, createNodeHttpFetcher, parseCertificate, RevocationChecker } from '@jointcert/pki';
import { DAY, TEST_TIME } from '@jointcert/pki/issuing';
import { deleteKeys } from '../../../../test/support/redis';
import { koreanMaterial, RevocationPeer } from '../../../../test/support/verifier';
import { isCachedEntry, RedisRevocationCache } from './redis-revocation-cache';

// The Redis RevocationCache on the machine's real Redis, alone and under the
// libs/pki RevocationChecker against a real HTTP OCSP peer.
const prefix = `jc-verifier-cache-${process.pid}-${randomBytes(4).toString('hex')}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(loadConfig({}).REDIS_URL);
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('RedisRevocationCache', () => {
  const good: CachedEntry = {
    kind: 'status',
    status: { status: 'good', source: 'ocsp', url: 'http://ocsp.yessign.org:4612', thisUpdate: 1768442400000, nextUpdate: 1768528800123, producedAt: 1768442340000, cached: false, notes: ['nonce not echoed'] },
    expiresAt: 1768528800123,
  };

  it('round-trips entries exactly (nextUpdate included) under the prefix, keys hashed', async () => {
    const cache = new RedisRevocationCache(redis, { prefix });
    const key = `ocsp|sha1|http://ocsp.yessign.org:4612|${'ab'.repeat(16)}|459c75`;
    await cache.set(key, good, 60_000);
    expect(await cache.get(key)).toEqual(good);
    expect(cache.redisKey(key)).toMatch(new RegExp(`^${prefix}revocation:[0-9a-f]{64}$`));
    expect(await redis.exists(cache.redisKey(key))).toBe(1);
    const failure: CachedEntry = { kind: 'failure', reason: 'FETCH_FAILED', detail: 'connect ECONNREFUSED', failures: 3, retryAt: 1768442460000 };
    await cache.set('neg', failure, 60_000);
    expect(await cache.get('neg')).toEqual(failure);
    await cache.delete('neg');
    expect(await cache.get('neg')).toBeUndefined();
  });

  it('bounds the TTL, deletes on a non-positive TTL', async () => {
    const cache = new RedisRevocationCache(redis, { prefix, maxTtlMs: 5_000 });
    await cache.set('long', good, 7 * DAY);
    const pttl = await redis.pttl(cache.redisKey('long'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(5_000);
    await cache.set('long', good, 0);
    expect(await redis.exists(cache.redisKey('long'))).toBe(0);
  });

  it('the in-process layer: answers without Redis for at most localTtlMs (injected clock), never failure entries', async () => {
    let now = 1_000_000;
    const cache = new RedisRevocationCache(redis, { prefix, clock: { now: () => now }, localTtlMs: 1_000 });
    await cache.set('local', good, 60_000);
    await redis.del(cache.redisKey('local')); // gone from Redis: only the local layer can answer now
    expect(await cache.get('local')).toEqual(good);
    expect(cache.peek('local')).toEqual(good); // the same, without waiting
    now += 1_000;
    expect(cache.peek('local')).toBeUndefined();
    expect(await cache.get('local')).toBeUndefined();
    // a fresh instance (another replica) reads through Redis and then keeps it locally
    await cache.set('local', good, 60_000);
    const other = new RedisRevocationCache(redis, { prefix, clock: { now: () => now }, localTtlMs: 1_000 });
    expect(other.peek('local')).toBeUndefined(); // only in Redis: peek never asks it
    expect(await other.get('local')).toEqual(good);
    expect(other.peek('local')).toEqual(good);
    await redis.del(other.redisKey('local'));
    expect(await other.get('local')).toEqual(good);
    const failure: CachedEntry = { kind: 'failure', reason: 'FETCH_FAILED', detail: 'x', failures: 1, retryAt: now + 30_000 };
    await cache.set('neg-local', failure, 60_000);
    await redis.del(cache.redisKey('neg-local'));
    expect(cache.peek('neg-local')).toBeUndefined();
    expect(await cache.get('neg-local')).toBeUndefined();
  });

  it('a corrupt or foreign value is a miss, and is removed', async () => {
    const cache = new RedisRevocationCache(redis, { prefix });
    await redis.set(cache.redisKey('bad'), '{"kind":"status","status":{"status":"good"}}', 'PX', 60_000); // no expiresAt
    expect(await cache.get('bad')).toBeUndefined();
    expect(await redis.exists(cache.redisKey('bad'))).toBe(0);
    await redis.set(cache.redisKey('bad'), 'not json', 'PX', 60_000);
    expect(await cache.get('bad')).toBeUndefined();
    expect(isCachedEntry({ kind: 'status', status: { status: 'revoked' }, expiresAt: 1 })).toBe(false);
  });
});

describe('RedisRevocationCache under the RevocationChecker', () => {
  const AT = TEST_TIME;
  let peer: RevocationPeer;
  beforeAll(async () => {
    peer = await new RevocationPeer().start();
  });
  afterAll(async () => {
    await peer.stop();
  });

  it('two replicas share one OCSP answer; a cached "good" is never used past nextUpdate', async () => {
    const pki = koreanMaterial(peer, AT);
    try {
      const chain = pki.user({ serial: 0x2001n, ocspUrl: `${peer.base}/ocsp/shared`, crlUrls: false });
      peer.ocsp('/ocsp/shared', pki.ocspFor(chain.user, { status: 'good' }, { nextUpdate: AT + 2 * 3_600_000 }));
      let now = AT;
      const replica = (): RevocationChecker =>
        new RevocationChecker({ http: createNodeHttpFetcher({ allowAddress: () => true }), clock: { now: () => now }, cache: new RedisRevocationCache(redis, { prefix }) });
      const query = { cert: parseCertificate(chain.user.der), issuer: parseCertificate(chain.ca.der), at: AT };

      const a = await replica().check(query);
      expect(a.status).toMatchObject({ status: 'good', cached: false, nextUpdate: AT + 2 * 3_600_000 });
      const b = replica();
      const second = await b.check(query);
      expect(second.status).toMatchObject({ status: 'good', cached: true, nextUpdate: AT + 2 * 3_600_000 });
      expect(b.ocspFetches).toBe(0);
      expect(peer.hitsOf('/ocsp/shared')).toBe(1);

      // past nextUpdate the Redis entry (whatever its TTL) is not an answer: the responder is asked again
      now = AT + 2 * 3_600_000 + 10 * 60_000;
      const later = replica();
      const third = await later.check({ ...query, at: now });
      expect(later.ocspFetches).toBe(1);
      expect(peer.hitsOf('/ocsp/shared')).toBe(2);
      // and the responder's answer is itself past nextUpdate (beyond the skew): unknown, never a stale good
      expect(third.status).toMatchObject({ status: 'unknown', reason: 'STALE' });
    } finally {
      pki.cleanup();
    }
  });
});
