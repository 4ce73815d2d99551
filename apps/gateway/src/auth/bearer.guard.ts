import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '@jointcert/contracts';
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
 * Routes where authentication changes the meaning (POST /v1/certificates: add
 * to my account vs sign up): no Authorization header → anonymous; a header
 * that does not authenticate → 401, never a silent fallback to anonymous.
 */
@Injectable()
export class OptionalBearerGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = request(context);
    if (req.headers.authorization !== undefined) req[CALLER] = await this.authenticator.authenticate(req.headers.authorization);
    return true;
  }
}

/** The Caller a BearerGuard established. */
export const AuthCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = request(context)[CALLER];
  if (caller === undefined) throw new Error('AuthCaller used on a route without BearerGuard');
  return caller;
});

/** The Caller an OptionalBearerGuard established, if any. */
export const OptionalCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller | undefined => request(context)[CALLER]);
