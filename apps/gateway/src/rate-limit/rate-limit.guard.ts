import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ClientRateLimiter } from './client-rate-limiter';

/** Applies the per-address budget (ClientRateLimiter) to a route: `@UseGuards(RateLimitGuard)`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: ClientRateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.limiter.consume(context.switchToHttp().getRequest<FastifyRequest>().ip);
    return true;
  }
}
