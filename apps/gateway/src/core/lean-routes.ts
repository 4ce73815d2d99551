import type { INestApplication } from '@nestjs/common';
import { ForbiddenException } from '@nestjs/common';
import { STATIC_CONTEXT } from '@nestjs/core/injector/constants';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FORBIDDEN_MESSAGE } from '@nestjs/core/guards/constants';
import { markRejectedByPipes } from '@nestjs/core/router/rejected-by-pipes';
import { isObservable, lastValueFrom } from 'rxjs';

/*
 * Nest runs every HTTP request through async functions nested about eight
 * deep (the router proxy, the execution context, the guards consumer and its
 * pickResult, the pipes stage with one async function per parameter and a
 * Promise.all, the interceptors consumer, the response function and the
 * response controller): ~30 promises per request before any work of ours.
 * With the request context's AsyncLocalStorage enabled, each promise created
 * runs the async hooks' init (and each await a throwaway promise more), so
 * that machinery cost more than the route itself (a challenge: ~55 promises
 * a request, 30 of them Nest's).
 *
 * For a route that needs none of Nest's asynchronous stages — no
 * interceptor, no pipe on any parameter, not SSE, no @Render/@Redirect, the
 * response not handled by the method (@Res/@Next) — the gateway runs the
 * same steps in the same order with promises only where something is
 * actually awaited: each guard (its boolean, promise or Observable result;
 * false → 403 ForbiddenException, as Nest), the status and @Header headers,
 * the parameters extracted, the method called, its result awaited when it
 * is a thenable, an Observable answered through Nest's own response
 * function, and anything else sent with the adapter's reply. An error at any
 * step goes to the route's exception filters (the ProblemFilter) exactly as
 * Nest's router proxy hands it over. Every other route keeps Nest's handler.
 * The router proxy is replaced for every route (it only adds two promises:
 * an async function and an await).
 *
 * This reaches into Nest's router (RoutesResolver → RouterExplorer →
 * RouterExecutionContext, RouterProxy: private members), so `leanRoutes`
 * checks every member it uses and refuses to boot on a Nest that moved them.
 */

type Handler = (req: unknown, res: unknown, next: unknown) => unknown;
type Guard = { canActivate(context: ExecutionContextHost): unknown };
type Pipe = { transform(value: unknown, metadata: PipeMetadata): unknown };
interface PipeMetadata {
  metatype: unknown;
  type: unknown;
  data: unknown;
}
interface ParamOption {
  index: number;
  type: number | string;
  data: unknown;
  metatype?: unknown;
  pipes: Pipe[];
  extractValue(req: unknown, res: unknown, next: unknown): unknown;
}
interface HandlerMetadata {
  argsLength: number;
  fnHandleResponse(result: unknown, res: unknown, req: unknown): Promise<unknown>;
  isSseHandler: boolean;
  paramtypes: unknown[];
  getParamsMetadata(moduleKey: string, contextId?: unknown, inquirerId?: string): ParamOption[];
  httpStatusCode: number;
  hasCustomHeaders: boolean;
  responseHeaders: unknown[];
}
interface ContextCreator {
  create(instance: object, callback: (...args: unknown[]) => unknown, methodName: string, moduleKey: string, requestMethod: unknown, contextId?: unknown, inquirerId?: string): Handler;
  getMetadata(instance: object, callback: unknown, methodName: string, moduleKey: string, requestMethod: unknown, contextType: string): HandlerMetadata;
  isResponseHandled(instance: object, methodName: string, paramsMetadata: ParamOption[]): boolean;
  reflectRedirect(callback: unknown): unknown;
  reflectRenderTemplate(callback: unknown): unknown;
  isPipeable(type: number | string): boolean;
  guardsContextCreator: { create(instance: object, callback: unknown, moduleKey: string, contextId: unknown, inquirerId?: string): Guard[] };
  pipesContextCreator: { create(instance: object, callback: unknown, moduleKey: string, contextId: unknown, inquirerId?: string): Pipe[] };
  pipesConsumer: { paramsTokenFactory: { exchangeEnumForString(type: unknown): unknown } };
  interceptorsContextCreator: { create(instance: object, callback: unknown, moduleKey: string, contextId: unknown, inquirerId?: string): unknown[] };
  contextUtils: { mergeParamsMetatypes(params: ParamOption[], paramtypes: unknown[]): ParamOption[]; createNullArray(n: number): unknown[] };
  responseController: { setStatus(res: unknown, status: number): void; setHeaders(res: unknown, headers: unknown[]): void };
  applicationRef: { reply(res: unknown, body: unknown, status?: number): unknown };
}
interface Proxy {
  createProxy(target: Handler, exceptionsHandler: { next(err: unknown, host: ExecutionContextHost): void }): Handler;
}

const CREATOR_MEMBERS = ['create', 'getMetadata', 'isResponseHandled', 'reflectRedirect', 'reflectRenderTemplate', 'isPipeable'] as const;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** Nest's internals this relies on, or an error naming what is missing. */
function internals(app: INestApplication): { creator: ContextCreator; proxy: Proxy } {
  const explorer = (app as unknown as { routesResolver?: { routerExplorer?: { executionContextCreator?: ContextCreator; routerProxy?: Proxy } } }).routesResolver?.routerExplorer;
  const creator = explorer?.executionContextCreator;
  const proxy = explorer?.routerProxy;
  const missing: string[] = [];
  if (!creator) missing.push('RouterExplorer.executionContextCreator');
  else {
    for (const m of CREATOR_MEMBERS) if (typeof creator[m] !== 'function') missing.push(`RouterExecutionContext.${m}`);
    for (const m of ['guardsContextCreator', 'pipesContextCreator', 'interceptorsContextCreator', 'contextUtils', 'responseController', 'applicationRef'] as const) {
      if (typeof creator[m] !== 'object' || creator[m] === null) missing.push(`RouterExecutionContext.${m}`);
    }
    if (typeof creator.pipesConsumer?.paramsTokenFactory?.exchangeEnumForString !== 'function') missing.push('PipesConsumer.paramsTokenFactory');
  }
  if (typeof proxy?.createProxy !== 'function') missing.push('RouterProxy.createProxy');
  if (missing.length > 0) throw new Error(`Nest's router internals changed (${missing.join(', ')} not found): revisit apps/gateway/src/core/lean-routes.ts`);
  return { creator: creator!, proxy: proxy! };
}

/**
 * Install the lean route execution on `app` (before its routes are
 * registered, i.e. before init/listen). Returns the routes that run lean,
 * as `Controller.method` (filled when the routes are registered).
 */
export function leanRoutes(app: INestApplication): ReadonlySet<string> {
  const { creator, proxy } = internals(app);
  const lean = new Set<string>();

  const nestCreate = creator.create.bind(creator);
  creator.create = (instance, callback, methodName, moduleKey, requestMethod, contextId = STATIC_CONTEXT, inquirerId) => {
    const full = nestCreate(instance, callback, methodName, moduleKey, requestMethod, contextId, inquirerId);
    if (contextId !== STATIC_CONTEXT) return full;
    const meta = creator.getMetadata(instance, callback, methodName, moduleKey, requestMethod, 'http');
    const paramsMetadata = meta.getParamsMetadata(moduleKey, contextId, inquirerId);
    const params = creator.contextUtils.mergeParamsMetatypes(paramsMetadata, meta.paramtypes);
    const pipes = creator.pipesContextCreator.create(instance, callback, moduleKey, contextId, inquirerId);
    if (
      meta.isSseHandler ||
      creator.reflectRedirect(callback) ||
      creator.reflectRenderTemplate(callback) ||
      creator.isResponseHandled(instance, methodName, paramsMetadata) ||
      creator.interceptorsContextCreator.create(instance, callback, moduleKey, contextId, inquirerId).length > 0
    ) {
      return full;
    }
    const guards = creator.guardsContextCreator.create(instance, callback, moduleKey, contextId, inquirerId);
    // each parameter's pipes (the route's, then its own) with the metadata Nest's PipesConsumer hands them
    const piped = params.map((p) => ({
      param: p,
      pipes: creator.isPipeable(p.type) ? pipes.concat(p.pipes) : [],
      metadata: { metatype: p.metatype, type: creator.pipesConsumer.paramsTokenFactory.exchangeEnumForString(p.type), data: p.data },
    }));
    const handler = leanHandler(creator, meta, instance, callback, piped, guards);
    lean.add(`${instance.constructor.name}.${methodName}`);
    return handler;
  };

  proxy.createProxy = (target, exceptionsHandler) => (req, res, next) => {
    // Nest's: an async function awaiting the target; on error the filters answer and `res` is returned.
    const fail = (err: unknown): unknown => {
      exceptionsHandler.next(err, new ExecutionContextHost([req, res, next]));
      return res;
    };
    let out: unknown;
    try {
      out = target(req, res, next);
    } catch (err) {
      return fail(err);
    }
    return isThenable(out) ? out.then(undefined, fail) : out;
  };

  return lean;
}

interface PipedParam {
  param: ParamOption;
  pipes: Pipe[];
  metadata: PipeMetadata;
}

/** Nest's PipesConsumer.applyPipes: each pipe gets the previous one's result, awaited when it is a thenable (only then a promise). */
function applyPipes(value: unknown, pipes: Pipe[], metadata: PipeMetadata, from = 0): unknown {
  for (let i = from; i < pipes.length; i++) {
    if (isThenable(value)) return Promise.resolve(value).then((v) => applyPipes(v, pipes, metadata, i));
    value = pipes[i]!.transform(value, metadata);
  }
  return value;
}

/** The steps of Nest's handler for a route without interceptors, awaiting only what is pending. */
function leanHandler(creator: ContextCreator, meta: HandlerMetadata, instance: object, callback: (...args: unknown[]) => unknown, params: PipedParam[], guards: Guard[]): Handler {
  const { argsLength, httpStatusCode, hasCustomHeaders, responseHeaders } = meta;
  const { responseController, applicationRef, contextUtils } = creator;

  const run = (req: unknown, res: unknown, next: unknown): unknown => {
    responseController.setStatus(res, httpStatusCode);
    if (hasCustomHeaders) responseController.setHeaders(res, responseHeaders);
    const args = contextUtils.createNullArray(argsLength);
    // every parameter is extracted and piped (as Nest's pipes stage does), the first error thrown
    let failed = false;
    let error: unknown;
    let pending: Array<Promise<unknown>> | undefined;
    for (const { param, pipes, metadata } of params) {
      try {
        const value = param.extractValue(req, res, next);
        const result = pipes.length === 0 ? value : applyPipes(value, pipes, metadata);
        if (pipes.length > 0 && isThenable(result)) (pending ??= []).push(Promise.resolve(result).then((v) => (args[param.index] = v)));
        else args[param.index] = result;
      } catch (err) {
        if (!failed) error = err;
        failed = true;
      }
    }
    if (failed) {
      markRejectedByPipes(req);
      // the pending pipes still settle (Promise.all in Nest): their rejections are not unhandled
      if (pending) void Promise.allSettled(pending);
      throw error;
    }
    if (pending) {
      return Promise.all(pending).then(
        () => call(req, res, args),
        (err: unknown) => {
          markRejectedByPipes(req);
          throw err;
        },
      );
    }
    return call(req, res, args);
  };

  const call = (req: unknown, res: unknown, args: unknown[]): unknown => {
    const respond = (value: unknown): unknown => {
      if (isObservable(value)) return meta.fnHandleResponse(value, res, req);
      const sent = applicationRef.reply(res, value);
      // a reply not yet on its way (an async onSend hook) is awaited as Nest awaits it: through its `then`
      return (res as { sent?: boolean }).sent === true ? undefined : sent;
    };
    const result = callback.apply(instance, args);
    return isThenable(result) ? result.then(respond) : respond(result);
  };

  if (guards.length === 0) return run;
  return (req, res, next) => {
    const context = new ExecutionContextHost([req, res, next], instance.constructor as never, callback);
    context.setType('http');
    const activate = (from: number): unknown => {
      for (let i = from; i < guards.length; i++) {
        const result = guards[i]!.canActivate(context);
        if (typeof result === 'boolean') {
          if (!result) throw new ForbiddenException(FORBIDDEN_MESSAGE);
          continue;
        }
        // Nest's pickResult: the value awaited, an Observable's last value
        const settle = (value: unknown): unknown => (isObservable(value) ? lastValueFrom(value).then(check) : check(value));
        const check = (value: unknown): unknown => {
          if (!value) throw new ForbiddenException(FORBIDDEN_MESSAGE);
          return activate(i + 1);
        };
        return isThenable(result) ? result.then(settle) : settle(result);
      }
      return run(req, res, next);
    };
    return activate(0);
  };
}
