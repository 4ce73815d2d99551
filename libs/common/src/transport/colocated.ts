import type { DynamicModule } from '@nestjs/common';
import { BaseRpcContext, ClientProxy, type MessageHandler, type ReadPacket, type Server, type WritePacket } from '@nestjs/microservices';
import { isObservable, Observable, TimeoutError } from 'rxjs';
import { isWireError } from '@jointcert/contracts';
import type { AppConfig } from '../config';
import { toWireError } from '../errors/rpc';
import { runWithRequestContext } from '../logging/context';
import type { Logger } from '../logging/logger';
import { messageRequestId } from '../logging/request-context.interceptor';
import { createMicroservice } from '../microservice';
import { transportServer } from '../transport';
import { requestVia, type RequestingProxy, sweepEveryMs } from './requesting';

/**
 * A service module hosted in another app's process (COLOCATE): the service's
 * own Nest microservice on the configured transport, initialised (its
 * handlers registered, its boot work started: migrations, revocation sync,
 * ...) but not yet listening. `listen()` starts serving the transport, as
 * one more replica of the service; `server` is what ColocatedClientProxy
 * calls in this process.
 */
export interface HostedService {
  readonly name: string;
  readonly server: Server;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export async function hostService(name: string, module: DynamicModule, config: AppConfig, logger: Logger): Promise<HostedService> {
  const server = transportServer(config, logger) as Server & ReturnType<typeof transportServer>;
  const app = await createMicroservice(module, config, { logger, strategy: server });
  await app.init();
  return {
    name,
    server,
    listen: async () => {
      await app.listen();
    },
    close: () => app.close(),
  };
}

/**
 * What the wire would deliver of `value`: JSON.parse(JSON.stringify(value)),
 * without encoding and re-reading the strings (a signedData is kilobytes of
 * base64): toJSON applied (Dates become ISO strings), undefined, functions
 * and symbols dropped from objects and null in arrays, non-finite numbers
 * null, boxed primitives unboxed, plain objects and arrays throughout. A
 * BigInt throws as JSON.stringify does.
 */
export function overTheWire<T>(value: T): T {
  return wire(value, '') as T;
}

// The copy walks every value of a report, so it avoids allocating what JSON.stringify would not need:
// no key array per object (for-in over own keys: the same keys in the same order as Object.keys), no
// index string per array element (made only for a toJSON that asks), strings taken without a call.

/** `value` as the wire carries it; `key` is its property name or index (toJSON's argument). */
function wire(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null) return primitive(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const json = (value as { toJSON(k: string): unknown }).toJSON(String(key));
    return typeof json !== 'object' || json === null ? primitive(json) : wireObject(json);
  }
  return wireObject(value);
}

function primitive(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : null;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': // null
      return null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
}

function wireObject(value: object): unknown {
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return primitive(value.valueOf());
  if (Array.isArray(value)) {
    const n = value.length;
    const out: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v: unknown = value[i];
      out[i] = (typeof v === 'string' ? v : wire(v, i)) ?? null;
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    const w = typeof v === 'string' ? v : wire(v, k);
    if (w === undefined) continue;
    // JSON.parse makes "__proto__" an own property, never the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value: w, enumerable: true, writable: true, configurable: true });
    else out[k] = w;
  }
  return out;
}

/** The context handlers get for a message that never was on a stream. */
class LocalContext extends BaseRpcContext<[string]> {
  getPattern(): string {
    return this.args[0];
  }
  /** A call in this process is handed over once: never delivered again. */
  firstDelivery(): boolean {
    return true;
  }
  /** ... and never again (the caller is this process: no transport holds the message to deliver it elsewhere). */
  onlyDelivery(): boolean {
    return true;
  }
}

interface Local {
  server: Server;
  handler: MessageHandler;
}

/** A request waiting for its answer until `deadline` (epoch ms). */
interface Waiting {
  deadline: number;
  reject(err: unknown): void;
}

/**
 * The client to the services for a process that hosts some of them: a
 * request whose pattern a hosted service handles runs that service's Nest
 * handler here — the same path as a message off the transport (the
 * envelope's JSON, @Handles' schema parse, interceptors such as the
 * registry's idempotency, RpcProblemFilter turning errors into WireErrors,
 * the request context entered from the envelope's request id), and the reply
 * is what the wire would have carried (its JSON). Every other pattern, and
 * every event, goes over the transport. Wrapped in a ServiceClient, the
 * caller's contract is unchanged: a bounded wait (the client's timeout →
 * SERVICE_UNAVAILABLE; the handler still finishes, as a remote one would),
 * WireErrors → DomainError / RemoteInternalError.
 */
export class ColocatedClientProxy extends ClientProxy implements RequestingProxy {
  private readonly locals = new Map<string, Local | null>();
  private transport?: ClientProxy;
  /** Calls waiting for their answer (request), with one sweep for their deadlines. */
  private readonly waiting = new Set<Waiting>();
  private sweeper?: NodeJS.Timeout;
  private sweepEvery = Infinity;
  private closed = false;

  constructor(
    private readonly servers: readonly Server[],
    private readonly logger: Logger,
    /** The transport client for what is not hosted here, created on first use. */
    private readonly remote: () => ClientProxy,
  ) {
    super();
  }

  override send<TResult = unknown, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    const local = typeof pattern === 'string' ? this.local(pattern) : null;
    if (!local) return this.transportClient().send<TResult, TInput>(pattern, data);
    let answer: WritePacket | undefined;
    let deliver: ((packet: WritePacket) => void) | undefined;
    this.run(local, pattern as string, overTheWire(data), (packet) => (deliver ? deliver(packet) : (answer = packet)));
    return new Observable<TResult>((subscriber) => {
      let live = true;
      const to = (packet: WritePacket): void => {
        if (!live) return;
        if (packet.err !== undefined) return subscriber.error(packet.err);
        if (packet.response !== undefined) subscriber.next(packet.response as TResult);
        subscriber.complete();
      };
      if (answer) to(answer);
      else deliver = to;
      return () => (live = false);
    });
  }

  /**
   * The promise form ServiceClient calls: a hosted pattern runs here, its wait
   * bounded by `timeoutMs` (TimeoutError; the handler still runs to its end),
   * any other goes over the transport.
   */
  request(pattern: string, data: unknown, timeoutMs: number): Promise<unknown> {
    const local = this.local(pattern);
    if (!local) return requestVia(this.transportClient(), pattern, data, timeoutMs);
    return new Promise((resolve, reject) => {
      const envelope = overTheWire(data); // unserialisable: thrown here, the promise rejects with it
      const call: Waiting = { deadline: Date.now() + timeoutMs, reject };
      this.wait(call, timeoutMs);
      this.run(local, pattern, envelope, (packet) => {
        if (!this.waiting.delete(call)) return; // the wait ended (TimeoutError): the late answer is dropped
        // The error as the wire carries it (a WireError object), which ServiceClient maps.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (packet.err !== undefined) reject(packet.err);
        else resolve(packet.response);
      });
    });
  }

  /** Bound `call`'s wait: one sweep for all calls (sweepEveryMs; the shortest timeout asked so far sets it), as the Streams client does. */
  private wait(call: Waiting, timeoutMs: number): void {
    this.waiting.add(call);
    const every = sweepEveryMs(timeoutMs);
    if (this.sweeper && every >= this.sweepEvery) return;
    clearInterval(this.sweeper);
    this.sweepEvery = every;
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private sweep(): void {
    if (this.waiting.size === 0) {
      if (this.closed) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
      return;
    }
    const now = Date.now();
    for (const call of this.waiting) {
      if (call.deadline > now) continue;
      this.waiting.delete(call);
      call.reject(new TimeoutError());
    }
  }

  override emit<TResult = unknown, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    // Events go to whichever replica reads them (possibly one hosted here).
    return this.transportClient().emit<TResult, TInput>(pattern, data);
  }

  /**
   * Handle the message (`envelope`: already as the wire delivers it) to its end, like the Streams server, and hand `done`
   * the packet the wire would carry: whether or not the caller still waits
   * (a timed-out caller unsubscribes; the handler runs to its end, its
   * observable subscribed regardless). The handler starts in this tick, in
   * the message's request context. Its answer is usually a promise of the
   * value (Nest's handler proxy awaits the method), taken with one `then`; an
   * Observable (an exception filter's answer, an Observable-returning
   * handler) gives its last value, as transformToObservable would.
   */
  private run(local: Local, pattern: string, envelope: unknown, done: (packet: WritePacket) => void): void {
    const settle = (err: unknown, response: unknown): void => {
      try {
        if (err !== undefined) done({ err: isWireError(err) ? overTheWire(err) : toWireError(err, this.logger), isDisposed: true });
        else done({ response: overTheWire(response), isDisposed: true });
      } catch (unserialisable) {
        done({ err: toWireError(unserialisable, this.logger), isDisposed: true });
      }
    };
    const fail = (err: unknown): void => settle(err ?? new Error('handler failed with undefined'), undefined);
    const answer = (result: unknown): void => {
      if (!isObservable(result)) return settle(undefined, result);
      let response: unknown;
      result.subscribe({ next: (v) => (response = v), error: fail, complete: () => settle(undefined, response) });
    };
    runWithRequestContext({ requestId: messageRequestId(envelope) }, () => {
      let result: unknown;
      try {
        result = local.handler(envelope, new LocalContext([pattern]));
      } catch (err) {
        return fail(err);
      }
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    });
  }

  private local(pattern: string): Local | null {
    let local = this.locals.get(pattern);
    if (local === undefined) {
      local = null;
      for (const server of this.servers) {
        const handler = server.getHandlerByPattern(pattern);
        if (handler && !handler.isEventHandler) {
          local = { server, handler };
          break;
        }
      }
      this.locals.set(pattern, local);
    }
    return local;
  }

  private transportClient(): ClientProxy {
    return (this.transport ??= this.remote());
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    // calls still waiting keep their bound: the sweep stops once none is left
    this.closed = true;
    this.sweep();
    await this.transport?.close();
  }

  unwrap<T>(): T {
    throw new Error('a colocated client has no single connection to unwrap');
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    // unused: send() is overridden
    callback({ err: new Error('ColocatedClientProxy publishes through send()'), isDisposed: true });
    return () => undefined;
  }

  protected dispatchEvent<T = unknown>(_packet: ReadPacket): Promise<T> {
    return Promise.reject(new Error('ColocatedClientProxy emits through emit()'));
  }
}
