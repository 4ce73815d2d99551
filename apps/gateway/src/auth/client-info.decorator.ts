import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '@jointcert/contracts';

export const USER_AGENT_MAX = 256;

/**
 * Who is calling, for audit and per-address limits: the client address
 * (Fastify's `request.ip`, which follows X-Forwarded-For only when
 * TRUST_PROXY is set) and the user agent, truncated.
 */
export const Client = createParamDecorator((_: unknown, context: ExecutionContext): ClientInfo => {
  const req = context.switchToHttp().getRequest<FastifyRequest>();
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' && ua.length > 0 ? { ip: req.ip, userAgent: ua.slice(0, USER_AGENT_MAX) } : { ip: req.ip };
});
