import { AsyncLocalStorage } from 'node:async_hooks';

/** What we know about the request being handled, wherever we are in its async chain. */
export interface RequestContext {
  requestId: string;
  /** The client's Idempotency-Key (gateway), carried into service envelopes. */
  idempotencyKey?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
