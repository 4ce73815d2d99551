import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ClientRateLimiter } from './client-rate-limiter';

const allowed = (): boolean => true;

/** Applies the per-address budget (ClientRateLimiter) to a route: `@UseGuards(RateLimitGuard)`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: ClientRateLimiter) {}

  /** The limiter's promise, mapped (not an async function: one promise fewer on every limited request). */
  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.limiter.consume(context.switchToHttp().getRequest<FastifyRequest>().ip).then(allowed);
  }
}
