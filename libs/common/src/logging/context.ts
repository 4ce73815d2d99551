import { AsyncLocalStorage } from 'node:async_hooks';

/** What we know about the request being handled, wherever we are in its async chain. */
export interface RequestContext {
  requestId: string;
  /** The client's Idempotency-Key (gateway), carried into service envelopes. */
  idempotencyKey?: string;
}

/** The store: the request context (when one was entered) and the values of context slots. */
type Store = Partial<RequestContext> & { readonly [slot: symbol]: unknown };

/**
 * The process's one AsyncLocalStorage. On Node 20 every enabled instance adds
 * its own propagation to every promise created (the promise hooks call each
 * instance's `_propagate`), so per-request state that must follow the async
 * chain goes here, as a context slot, rather than into a storage of its own.
 */
const storage = new AsyncLocalStorage<Store>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context as Store, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  const store = storage.getStore();
  return store?.requestId === undefined ? undefined : (store as RequestContext);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * A value that follows the async chain like the request context, carried in
 * the same store (one AsyncLocalStorage: see `storage`). `run` keeps the
 * request context and the other slots' values; entering a new request
 * context (a message handled in this process) starts with every slot empty.
 */
export interface ContextSlot<T> {
  run<R>(value: T, fn: () => R): R;
  get(): T | undefined;
}

export function contextSlot<T>(name: string): ContextSlot<T> {
  const key = Symbol(name);
  return {
    run: (value, fn) => storage.run({ ...storage.getStore(), [key]: value }, fn),
    get: () => storage.getStore()?.[key] as T | undefined,
  };
}
