import type { INestMicroservice } from '@nestjs/common';
import { STATIC_CONTEXT } from '@nestjs/core/injector/constants';
import { catchError, isObservable, type Observable } from 'rxjs';

/*
 * Nest runs a message handler through four nested async functions (its RPC
 * proxy, the context creator's wrapper, the interceptors consumer, the
 * handler wrapper): ~7 promises a message before the handler's own, each one
 * more round of the request context's promise hooks. A handler with nothing
 * for those layers to do — no guard, no interceptor, no parameter declared
 * (what @Handles gives every service handler) — is called directly with the
 * transport's arguments; a thrown error or rejection goes to the handler's
 * exception filters (RpcProblemFilter) through Nest's own RPC proxy, and an
 * Observable result gets Nest's error mapping too, as before. Anything else
 * keeps Nest's handler.
 *
 * This reaches into Nest's microservice (MicroservicesModule →
 * ListenersController → RpcContextCreator: private members), so
 * `leanMessageHandlers` checks what it uses and refuses to boot on a Nest
 * that moved them.
 */

type Handler = (...args: unknown[]) => unknown;
interface Creator {
  create(instance: object, callback: Handler, moduleKey: string, methodName: string, contextId?: unknown, inquirerId?: string, defaultCallMetadata?: unknown): Handler;
  getMetadata(instance: object, methodName: string, defaultCallMetadata: unknown, contextType: string): { getParamsMetadata(moduleKey: string): unknown[] };
  guardsContextCreator: { create(instance: object, callback: Handler, moduleKey: string, contextId: unknown, inquirerId?: string): unknown[] };
  interceptorsContextCreator: { create(instance: object, callback: Handler, moduleKey: string, contextId: unknown, inquirerId?: string): unknown[] };
  exceptionFiltersContext: { create(instance: object, callback: Handler, moduleKey: string, contextId: unknown, inquirerId?: string): unknown };
  rpcProxy: { handleError(exceptionsHandler: unknown, args: unknown[], error: unknown): Observable<unknown> };
}

/**
 * Install the direct call on `app`'s message handlers (before init registers
 * them). Returns the handlers that are called directly, as
 * `Controller.method` (filled at init).
 */
export function leanMessageHandlers(app: INestMicroservice): ReadonlySet<string> {
  const creator = (app as unknown as { microservicesModule?: { listenersController?: { contextCreator?: Creator } } }).microservicesModule?.listenersController?.contextCreator;
  const missing = (['create', 'getMetadata'] as const).filter((m) => typeof creator?.[m] !== 'function').map((m) => `RpcContextCreator.${m}`);
  for (const m of ['guardsContextCreator', 'interceptorsContextCreator', 'exceptionFiltersContext'] as const) {
    if (typeof (creator?.[m] as { create?: unknown } | undefined)?.create !== 'function') missing.push(`RpcContextCreator.${m}`);
  }
  if (typeof creator?.rpcProxy?.handleError !== 'function') missing.push('RpcProxy.handleError');
  if (!creator || missing.length > 0) throw new Error(`Nest's microservice internals changed (${missing.join(', ')} not found): revisit libs/common/src/lean-handlers.ts`);

  const lean = new Set<string>();
  const nestCreate = creator.create.bind(creator);
  creator.create = (instance, callback, moduleKey, methodName, contextId = STATIC_CONTEXT, inquirerId, defaultCallMetadata) => {
    const full = nestCreate(instance, callback, moduleKey, methodName, contextId, inquirerId, defaultCallMetadata);
    if (
      contextId !== STATIC_CONTEXT ||
      creator.getMetadata(instance, methodName, defaultCallMetadata, 'rpc').getParamsMetadata(moduleKey).length > 0 ||
      creator.guardsContextCreator.create(instance, callback, moduleKey, contextId, inquirerId).length > 0 ||
      creator.interceptorsContextCreator.create(instance, callback, moduleKey, contextId, inquirerId).length > 0
    ) {
      return full;
    }
    const exceptionsHandler = creator.exceptionFiltersContext.create(instance, callback, moduleKey, contextId, inquirerId);
    lean.add(`${instance.constructor.name}.${methodName}`);
    return (...args: unknown[]): Promise<unknown> => {
      // Nest's RpcProxy: the result awaited; an Observable answered with its errors mapped; any error → the filters' Observable
      const failed = (error: unknown): Observable<unknown> => creator.rpcProxy.handleError(exceptionsHandler, args, error);
      const settled = (result: unknown): unknown => (isObservable(result) ? result.pipe(catchError(failed)) : result);
      let result: unknown;
      try {
        result = callback.apply(instance, args);
      } catch (error) {
        return Promise.resolve(failed(error));
      }
      return Promise.resolve(result).then(settled, failed);
    };
  };
  return lean;
}
