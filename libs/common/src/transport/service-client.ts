import { randomUUID } from 'node:crypto';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import type { Contract, Envelope, RequestMeta } from '@jointcert/contracts';
import type { AppConfig } from '../config';
import { DomainError } from '../errors/domain-error';
import { fromRpcError, RemoteInternalError, toWireError } from '../errors/rpc';
import { currentRequestContext } from '../logging/context';
import type { Logger } from '../logging/logger';
import { transportClient } from '../transport';
import { RedisStreamsClient } from './redis-streams.client';

/** The request id and idempotency key of the request being handled; a fresh key per call without a client one (redeliveries of this message share it; marked `callKey`). */
function defaultMeta(): RequestMeta {
  const ctx = currentRequestContext();
  const requestId = ctx?.requestId ?? randomUUID();
  return ctx?.idempotencyKey !== undefined ? { requestId, idempotencyKey: ctx.idempotencyKey } : { requestId, idempotencyKey: randomUUID(), callKey: true };
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
      // The Streams client answers with a promise and bounds the wait itself; other proxies through Nest's Observable.
      if (this.proxy instanceof RedisStreamsClient) return (await this.proxy.request(contract.cmd, envelope, this.timeoutMs)) as Res;
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
