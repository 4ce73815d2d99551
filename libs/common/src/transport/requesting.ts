import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';

/**
 * A client proxy that answers a request with a promise and bounds the wait
 * itself (rejecting with rxjs' TimeoutError after `timeoutMs`):
 * RedisStreamsClient and ColocatedClientProxy. ServiceClient calls it instead
 * of Nest's Observable `send` and an rxjs timeout per call.
 */
export interface RequestingProxy {
  request(pattern: string, data: unknown, timeoutMs: number): Promise<unknown>;
}

/**
 * How often a requesting proxy's one deadline sweep (for all its waiting
 * calls, instead of a timer each) runs for waits of `timeoutMs`: every
 * min(50 ms, timeout/20), at least 5 ms — a wait may end up to that late.
 */
export function sweepEveryMs(timeoutMs: number): number {
  return Math.max(5, Math.min(50, Math.floor(timeoutMs / 20)));
}

export function canRequest(proxy: unknown): proxy is RequestingProxy {
  return typeof (proxy as { request?: unknown } | null)?.request === 'function';
}

/** Ask `proxy` once, the wait bounded by `timeoutMs`: its promise `request` when it has one, else Nest's Observable `send` under an rxjs timeout. */
export function requestVia(proxy: ClientProxy, pattern: string, data: unknown, timeoutMs: number): Promise<unknown> {
  return canRequest(proxy) ? proxy.request(pattern, data, timeoutMs) : firstValueFrom(proxy.send(pattern, data).pipe(timeout(timeoutMs)), { defaultValue: undefined });
}
