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

export function canRequest(proxy: unknown): proxy is RequestingProxy {
  return typeof (proxy as { request?: unknown } | null)?.request === 'function';
}

/** Ask `proxy` once, the wait bounded by `timeoutMs`: its promise `request` when it has one, else Nest's Observable `send` under an rxjs timeout. */
export function requestVia(proxy: ClientProxy, pattern: string, data: unknown, timeoutMs: number): Promise<unknown> {
  return canRequest(proxy) ? proxy.request(pattern, data, timeoutMs) : firstValueFrom(proxy.send(pattern, data).pipe(timeout(timeoutMs)), { defaultValue: undefined });
}
