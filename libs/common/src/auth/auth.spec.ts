import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { loadConfig } from '../config';
import { DomainError } from '../errors/domain-error';
import { issueAccessToken, RevocationsNotLoadedError, SessionRevocations, verifyAccessToken } from './index';

const config = loadConfig({ ACCESS_TOKEN_SECRET: 'a'.repeat(40), ACCESS_TOKEN_TTL_S: '900', REDIS_PREFIX: `jc-auth-${process.pid}-${Date.now()}:` });
const caller = { accountId: '3f1c8f4e-0000-4000-8000-000000000001', sessionId: '3f1c8f4e-0000-4000-8000-000000000002' };
const now = Date.UTC(2026, 10, 29, 12, 0, 0);

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('access tokens', () => {
  it('round-trips the caller', () => {
    const t = issueAccessToken(config, caller, now);
    expect(verifyAccessToken(config, t, now + 1000)).toEqual(caller);
  });

  it('issues the bytes jsonwebtoken signed for the same claims (what issuing replaced), verifiable by it', () => {
    // jsonwebtoken as issueAccessToken called it: iat given and noTimestamp set (so no iat), claims from options
    const jsonwebtoken = (c: typeof caller, ms: number, secret: string): string => {
      const iat = Math.floor(ms / 1000);
      return jwt.sign({ sid: c.sessionId, iat, exp: iat + 900 }, secret, { algorithm: 'HS256', subject: c.accountId, issuer: 'jointcert', audience: 'jointcert-api', noTimestamp: true });
    };
    for (const [c, ms, secret] of [
      [caller, now, config.ACCESS_TOKEN_SECRET],
      [{ accountId: 'a"\\\u00e9한', sessionId: '' }, now + 999, 'ü'.repeat(40)],
      [{ accountId: '3f1c8f4e-0000-4000-8000-00000000000a', sessionId: '3f1c8f4e-0000-4000-8000-00000000000b' }, 86_400_001, 'k'.repeat(64)],
    ] as const) {
      const t = issueAccessToken({ ACCESS_TOKEN_SECRET: secret, ACCESS_TOKEN_TTL_S: 900 }, c, ms);
      expect(t).toBe(jsonwebtoken(c, ms, secret));
      expect(jwt.verify(t, secret, { algorithms: ['HS256'], issuer: 'jointcert', audience: 'jointcert-api', clockTimestamp: Math.floor(ms / 1000) })).toEqual({
        sid: c.sessionId, sub: c.accountId, exp: Math.floor(ms / 1000) + 900, iss: 'jointcert', aud: 'jointcert-api',
      });
    }
  });

  it('refuses expired tokens, other keys, other algorithms and garbage as UNAUTHENTICATED', () => {
    const t = issueAccessToken(config, caller, now);
    const expired = failure(() => verifyAccessToken(config, t, now + 901_000));
    expect(expired.code).toBe('UNAUTHENTICATED');
    expect(expired.extra).toMatchObject({ reason: 'TOKEN_EXPIRED' });
    expect(failure(() => verifyAccessToken({ ACCESS_TOKEN_SECRET: 'b'.repeat(40) }, t, now)).code).toBe('UNAUTHENTICATED');
    const none = jwt.sign({ sid: caller.sessionId }, '', { algorithm: 'none', subject: caller.accountId, issuer: 'jointcert', audience: 'jointcert-api' });
    expect(failure(() => verifyAccessToken(config, none, now)).code).toBe('UNAUTHENTICATED');
    const hs512 = jwt.sign({ sid: caller.sessionId }, config.ACCESS_TOKEN_SECRET, { algorithm: 'HS512', subject: caller.accountId, issuer: 'jointcert', audience: 'jointcert-api' });
    expect(failure(() => verifyAccessToken(config, hs512, now)).code).toBe('UNAUTHENTICATED');
    const noSid = jwt.sign({}, config.ACCESS_TOKEN_SECRET, { algorithm: 'HS256', subject: caller.accountId, issuer: 'jointcert', audience: 'jointcert-api' });
    expect(failure(() => verifyAccessToken(config, noSid, Date.now())).code).toBe('UNAUTHENTICATED');
    expect(failure(() => verifyAccessToken(config, 'not.a.token', now)).code).toBe('UNAUTHENTICATED');
  });
});

describe('SessionRevocations (real Redis)', () => {
  const redis = new Redis('redis://127.0.0.1:6379/0');
  afterAll(async () => {
    const keys = await redis.keys(`${config.REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('marks sessions revoked with a bounded lifetime', async () => {
    const s = new SessionRevocations(redis, config);
    // not yet loaded from the record (a Redis that restarted empty): no answer rather than "not revoked"
    await expect(s.isRevoked('s1')).rejects.toThrow(RevocationsNotLoadedError);
    await s.markLoaded();
    expect(await s.isLoaded()).toBe(true);
    expect(await s.isRevoked('s1')).toBe(false);
    await s.revoke(['s1', 's2']);
    expect(await s.isRevoked('s1')).toBe(true);
    expect(await s.isRevoked('s2')).toBe(true);
    expect(await s.isRevoked('s3')).toBe(false);
    const ttl = await redis.ttl(`${config.REDIS_PREFIX}session-revoked:s1`);
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(960);
  });
});
