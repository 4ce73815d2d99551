import type { ExecutionContext } from '@nestjs/common';
import { DomainError } from '@jointcert/common';
import type { ClientRateLimiter } from '../rate-limit/client-rate-limiter';
import type { Authenticator } from './authenticator';
import { RateLimitedBearerGuard, RateLimitedOptionalBearerGuard } from './bearer.guard';

const caller = { accountId: 'a', sessionId: 's' };
const limited = new DomainError('RATE_LIMITED', 'too many', { retryAfter: 1 });
const unavailable = new DomainError('SERVICE_UNAVAILABLE', 'down');
const revoked = new DomainError('UNAUTHENTICATED', 'ended', { reason: 'SESSION_REVOKED' });

function context(authorization?: string): ExecutionContext {
  const req = { ip: '192.0.2.1', headers: authorization === undefined ? {} : { authorization } };
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

function fakes(limit: DomainError | null, auth: DomainError | null): { limiter: ClientRateLimiter; authenticator: Authenticator; calls: string[] } {
  const calls: string[] = [];
  const limiter = { consume: (ip: string) => (calls.push(`consume ${ip}`), limit ? Promise.reject(limit) : Promise.resolve()) } as unknown as ClientRateLimiter;
  const authenticator = { authenticate: (h: string | undefined) => (calls.push(`authenticate ${h}`), auth ? Promise.reject(auth) : Promise.resolve(caller)) } as unknown as Authenticator;
  return { limiter, authenticator, calls };
}

describe('RateLimitedBearerGuard (RateLimitGuard + BearerGuard in one round trip)', () => {
  it('spends the budget and authenticates, both started at once', async () => {
    const f = fakes(null, null);
    await expect(new RateLimitedBearerGuard(f.limiter, f.authenticator).canActivate(context('Bearer t'))).resolves.toBe(true);
    expect(f.calls).toEqual(['consume 192.0.2.1', 'authenticate Bearer t']);
  });

  it('answers the rate limit before any token error, as the guards in sequence did', async () => {
    const over = fakes(limited, revoked);
    await expect(new RateLimitedBearerGuard(over.limiter, over.authenticator).canActivate(context('Bearer t'))).rejects.toBe(limited);
    const down = fakes(unavailable, unavailable);
    await expect(new RateLimitedBearerGuard(down.limiter, down.authenticator).canActivate(context('Bearer t'))).rejects.toBe(unavailable);
  });

  it('refuses a revoked session within the budget, and a missing token', async () => {
    const f = fakes(null, revoked);
    await expect(new RateLimitedBearerGuard(f.limiter, f.authenticator).canActivate(context('Bearer t'))).rejects.toBe(revoked);
    const missing = new DomainError('UNAUTHENTICATED', 'needs a token', { reason: 'TOKEN_MISSING' });
    const g = fakes(null, missing);
    await expect(new RateLimitedBearerGuard(g.limiter, g.authenticator).canActivate(context())).rejects.toBe(missing);
    expect(g.calls).toEqual(['consume 192.0.2.1', 'authenticate undefined']);
  });
});

describe('RateLimitedOptionalBearerGuard', () => {
  it('without a header only spends the budget (anonymous)', async () => {
    const f = fakes(null, revoked);
    await expect(new RateLimitedOptionalBearerGuard(f.limiter, f.authenticator).canActivate(context())).resolves.toBe(true);
    expect(f.calls).toEqual(['consume 192.0.2.1']);
  });

  it('with a header that does not authenticate: 401, never anonymous; the rate limit first', async () => {
    const f = fakes(null, revoked);
    await expect(new RateLimitedOptionalBearerGuard(f.limiter, f.authenticator).canActivate(context('Bearer t'))).rejects.toBe(revoked);
    const g = fakes(limited, revoked);
    await expect(new RateLimitedOptionalBearerGuard(g.limiter, g.authenticator).canActivate(context('Bearer t'))).rejects.toBe(limited);
  });
});
