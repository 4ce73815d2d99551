import { randomUUID } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { runWithRequestContext } from './context';
import { isSaneRequestId } from './request-id';

/**
 * Runs every handler inside the request's async context, so log lines and
 * outgoing service calls carry its id. HTTP: the id Fastify assigned
 * (`request.id`, see the gateway's genReqId). RPC: `meta.requestId` of the
 * message envelope (libs/contracts `Envelope`). The Redis Streams server
 * enters that context itself (RedisStreamsServer.handle), so services on it
 * run without this interceptor (createMicroservice).
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const requestId = requestIdOf(context);
    return new Observable((subscriber) => runWithRequestContext({ requestId }, () => next.handle().subscribe(subscriber)));
  }
}

function requestIdOf(context: ExecutionContext): string {
  switch (context.getType<string>()) {
    case 'http': {
      const req = context.switchToHttp().getRequest<{ id?: unknown }>();
      return isSaneRequestId(req.id) ? req.id : randomUUID();
    }
    case 'rpc':
      return messageRequestId(context.switchToRpc().getData());
    default:
      return randomUUID();
  }
}

/** The request id of a service message: `meta.requestId` of its envelope when sane, otherwise a fresh UUID. */
export function messageRequestId(data: unknown): string {
  const id = (data as { meta?: { requestId?: unknown } } | null | undefined)?.meta?.requestId;
  return isSaneRequestId(id) ? id : randomUUID();
}
