import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '@jointcert/contracts';
import { ClientRateLimiter } from '../rate-limit/client-rate-limiter';
import { Authenticator } from './authenticator';

const CALLER = Symbol('jointcert.caller');
type WithCaller = FastifyRequest & { [CALLER]?: Caller };

function request(context: ExecutionContext): WithCaller {
  return context.switchToHttp().getRequest<WithCaller>();
}

/** Authenticated routes: a valid, unrevoked bearer token or 401. */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = request(context);
    req[CALLER] = await this.authenticator.authenticate(req.headers.authorization);
    return true;
  }
}

/**
 * `@UseGuards(RateLimitGuard, BearerGuard)` in one Redis round trip: spend one
 * of the address's budget (ClientRateLimiter) and authenticate, both commands
 * issued in the same tick, which the gateway's connection pipelines into one
 * write. The outcome is that of the two guards in sequence: over the limit,
 * or the limiter unavailable, wins over any token error; the budget is spent
 * whatever the token (an invalid one costs a request, as before).
 */
@Injectable()
export class RateLimitedBearerGuard implements CanActivate {
  /** No Authorization header → anonymous (RateLimitedOptionalBearerGuard). */
  protected readonly optional: boolean = false;

  constructor(
    private readonly limiter: ClientRateLimiter,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = request(context);
    const header = req.headers.authorization;
    if (this.optional && header === undefined) {
      await this.limiter.consume(req.ip);
      return true;
    }
    const [limit, caller] = await Promise.allSettled([this.limiter.consume(req.ip), this.authenticator.authenticate(header)]);
    if (limit.status === 'rejected') throw limit.reason;
    if (caller.status === 'rejected') throw caller.reason;
    req[CALLER] = caller.value;
    return true;
  }
}

/**
 * Routes where authentication changes the meaning (POST /v1/certificates: add
 * to my account vs sign up), rate-limited in the same round trip: no
 * Authorization header → anonymous; a header that does not authenticate →
 * 401, never a silent fallback to anonymous.
 */
@Injectable()
export class RateLimitedOptionalBearerGuard extends RateLimitedBearerGuard {
  protected override readonly optional: boolean = true;
}

/** The Caller a BearerGuard (or RateLimitedBearerGuard) established. */
export const AuthCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = request(context)[CALLER];
  if (caller === undefined) throw new Error('AuthCaller used on a route without BearerGuard');
  return caller;
});

/** The Caller a RateLimitedOptionalBearerGuard established, if any. */
export const OptionalCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller | undefined => request(context)[CALLER]);
