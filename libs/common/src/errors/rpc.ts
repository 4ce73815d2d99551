import { randomUUID } from 'node:crypto';
import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, throwError, timeout, TimeoutError, type Observable } from 'rxjs';
import { isWireError, type Contract, type Envelope, type RequestMeta, type WireError } from '@jointcert/contracts';
import type { AppConfig } from '../config';
import { currentRequestContext } from '../logging/context';
import type { Logger } from '../logging/logger';
import { transportClient } from '../transport';
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

/** The request id and idempotency key of the request being handled; a fresh key per call without a client one (redeliveries of this message share it). */
function defaultMeta(): RequestMeta {
  const ctx = currentRequestContext();
  return { requestId: ctx?.requestId ?? randomUUID(), idempotencyKey: ctx?.idempotencyKey ?? randomUUID() };
}

/**
 * Typed request/response over the transport: the contract ties the pattern to
 * its payload and result, the request id travels in the envelope, the wait is
 * bounded, and errors come back as DomainError (or RemoteInternalError).
 */
export class ServiceClient implements ServiceCaller {
  constructor(
    private readonly proxy: ClientProxy,
    private readonly timeoutMs: number,
    private readonly logger?: Logger,
  ) {}

  async send<Req, Res>(contract: Contract<Req, Res>, data: Req, meta?: RequestMeta): Promise<Res> {
    const envelope: Envelope<Req> = { meta: meta ?? defaultMeta(), data };
    try {
      return await firstValueFrom(this.proxy.send<Res, Envelope<Req>>(contract.cmd, envelope).pipe(timeout(this.timeoutMs)), {
        defaultValue: undefined as Res,
      });
    } catch (err) {
      const mapped = fromRpcError(err, contract.cmd, this.timeoutMs);
      if (mapped instanceof DomainError && mapped.code === 'SERVICE_UNAVAILABLE') {
        this.logger?.warn({ err, pattern: contract.cmd }, 'service call failed');
      }
      throw mapped;
    }
  }

  async close(): Promise<void> {
    await this.proxy.close();
  }
}

/** A typed way to call a service: over the transport (ServiceClient) or in this process (LocalServiceClient). */
export interface ServiceCaller {
  send<Req, Res>(contract: Contract<Req, Res>, data: Req, meta?: RequestMeta): Promise<Res>;
  close(): Promise<void>;
}

/**
 * A service's handlers called in this process (a co-located deployment): the
 * same contract as ServiceClient — a bounded wait (SERVICE_UNAVAILABLE), a
 * DomainError comes out as the DomainError the transport would have carried,
 * anything else is logged with an errorId and surfaces as RemoteInternalError
 * — without serialising the request, publishing it and parsing the reply. The
 * request id is the caller's own (same async context).
 */
export class LocalServiceClient implements ServiceCaller {
  private readonly handlers = new Map<string, (data: unknown) => Promise<unknown>>();

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {}

  handle<Req, Res>(contract: Contract<Req, Res>, handler: (data: Req) => Promise<Res>): this {
    this.handlers.set(contract.cmd, handler as (data: unknown) => Promise<unknown>);
    return this;
  }

  async send<Req, Res>(contract: Contract<Req, Res>, data: Req): Promise<Res> {
    const handler = this.handlers.get(contract.cmd);
    if (!handler) throw new RemoteInternalError(undefined, contract.cmd);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError()), this.timeoutMs);
    });
    try {
      return (await Promise.race([handler(data), timedOut])) as Res;
    } catch (err) {
      const mapped = fromRpcError(err instanceof TimeoutError ? err : toWireError(err, this.logger), contract.cmd, this.timeoutMs);
      if (mapped instanceof DomainError && mapped.code === 'SERVICE_UNAVAILABLE') this.logger.warn({ pattern: contract.cmd }, 'in-process service call timed out');
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

export function createServiceClient(config: AppConfig, logger?: Logger): ServiceClient {
  return new ServiceClient(transportClient(config, logger), config.SERVICE_TIMEOUT_MS, logger);
}
