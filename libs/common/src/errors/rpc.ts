import { randomUUID } from 'node:crypto';
import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, TimeoutError, type Observable } from 'rxjs';
import { isWireError, type WireError } from '@jointcert/contracts';
import type { Logger } from '../logging/logger';
import { DomainError } from './domain-error';
import { isDependencyOutage } from './outage';
import { isProblemCode } from './problem-types';

/** A service failed unexpectedly; it logged the details under `errorId`. */
export class RemoteInternalError extends Error {
  constructor(readonly errorId: string | undefined, readonly pattern: string) {
    super(`service handling ${pattern} failed${errorId ? ` (errorId ${errorId})` : ''}`);
    this.name = 'RemoteInternalError';
  }
}

/** Service side: what a thrown error becomes on the wire. Unexpected errors are logged in full and sent opaque. */
export function toWireError(exception: unknown, logger: Logger): WireError {
  if (exception instanceof DomainError) {
    return { kind: 'jointcert.problem', code: exception.code, detail: exception.detail, extra: { ...exception.extra } };
  }
  if (isDependencyOutage(exception)) {
    // Postgres or Redis unreachable / restarting: the caller should retry, this is no bug.
    logger.warn({ err: exception }, 'dependency unavailable while handling a message');
    return { kind: 'jointcert.problem', code: 'SERVICE_UNAVAILABLE', detail: 'a required service is unavailable; try again later' };
  }
  const errorId = randomUUID();
  logger.error({ err: exception, errorId }, 'unexpected error in message handler');
  return { kind: 'jointcert.problem', code: 'INTERNAL', detail: 'internal error', errorId };
}

/**
 * Service-side global filter: every error a handler throws crosses the
 * transport as a WireError, so the gateway can render the same problem.
 */
@Catch()
export class RpcProblemFilter implements RpcExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const wire = toWireError(exception, this.logger);
    return throwError(() => wire);
  }
}

/** Gateway side: what an error out of `ClientProxy.send` means. */
export function fromRpcError(err: unknown, pattern: string, timeoutMs: number): Error {
  if (err instanceof TimeoutError) {
    return new DomainError('SERVICE_UNAVAILABLE', `a required service did not answer within ${timeoutMs} ms`);
  }
  if (isWireError(err)) {
    if (err.code === 'INTERNAL' || !isProblemCode(err.code)) return new RemoteInternalError(err.errorId, pattern);
    return new DomainError(err.code, err.detail, err.extra ?? {});
  }
  if (err instanceof Error) {
    // Raised by the client itself (connection refused, closed, ...): the service is out of reach.
    return new DomainError('SERVICE_UNAVAILABLE', 'a required service is unreachable');
  }
  // A reply that is not ours (e.g. Nest's default `{status: 'error', message}`).
  return new RemoteInternalError(undefined, pattern);
}
