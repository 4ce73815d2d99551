import { randomUUID } from 'node:crypto';
import type { ClientProxy } from '@nestjs/microservices';
import type { Contract, Envelope, RequestMeta } from '@jointcert/contracts';
import type { AppConfig } from '../config';
import { DomainError } from '../errors/domain-error';
import { fromRpcError } from '../errors/rpc';
import { currentRequestContext } from '../logging/context';
import type { Logger } from '../logging/logger';
import { transportClient } from '../transport';
import { requestVia } from './requesting';

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

  /** One promise per call on top of the proxy's (no async function: each await is one more promise for the async hooks). */
  send<Req, Res>(contract: Contract<Req, Res>, data: Req, meta?: RequestMeta): Promise<Res> {
    const envelope: Envelope<Req> = { meta: meta ?? defaultMeta(), data };
    let answer: Promise<unknown>;
    try {
      // The Streams and co-located clients answer with a promise and bound the wait themselves; others through Nest's Observable.
      answer = requestVia(this.proxy, contract.cmd, envelope, this.timeoutMs);
    } catch (err) {
      return Promise.reject(this.failure(err, contract.cmd));
    }
    return answer.then<Res, never>(undefined, (err: unknown) => {
      throw this.failure(err, contract.cmd);
    });
  }

  /** The caller's error for a failed call: DomainError or RemoteInternalError (fromRpcError); an unavailable service logged. */
  private failure(err: unknown, pattern: string): Error {
    const mapped = fromRpcError(err, pattern, this.timeoutMs);
    if (mapped instanceof DomainError && mapped.code === 'SERVICE_UNAVAILABLE') {
      this.logger?.warn({ err, pattern }, 'service call failed');
    }
    return mapped;
  }

  async close(): Promise<void> {
    await this.proxy.close();
  }
}

/** A typed way to call a service (ServiceClient: over the transport, or in this process through ColocatedClientProxy). */
export interface ServiceCaller {
  send<Req, Res>(contract: Contract<Req, Res>, data: Req, meta?: RequestMeta): Promise<Res>;
  close(): Promise<void>;
}

export function createServiceClient(config: AppConfig, logger?: Logger): ServiceClient {
  return new ServiceClient(transportClient(config, logger), config.SERVICE_TIMEOUT_MS, logger);
}
