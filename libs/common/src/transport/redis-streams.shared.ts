import type { Redis } from 'ioredis';
import { blockingCall } from '../redis/connection';
/**
 * The Redis Streams transport's wire format, shared by RedisStreamsServer and
 * RedisStreamsClient.
 *
 *   request stream   `<prefix>rpc:<service>` — one per service; <service> is
 *                    the first segment of the pattern (`verifier.verify-challenge`
 *                    → `verifier`). Every replica of the service reads it in the
 *                    consumer group `workers`, so each entry goes to exactly one
 *                    replica. Fields: p (pattern), d (JSON data), and for a
 *                    request (not an event): i (correlation id, unique within
 *                    the caller), r (the caller's reply stream), x (deadline,
 *                    epoch ms: after it the caller has given up and the entry
 *                    is dropped unhandled).
 *   reply stream     `<prefix>rpc-reply:<client uuid>` — one per client
 *                    process, read only by it. Fields: i (correlation id),
 *                    b (JSON WritePacket: {response} or {err}).
 *   dead letters     `<prefix>rpc:<service>:dead` — entries delivered more than
 *                    STREAMS_MAX_DELIVERIES times (each replica holding them
 *                    died or hung); the caller is answered SERVICE_UNAVAILABLE.
 *
 * All three are trimmed (XADD MAXLEN ~). Every command names one key, so each
 * works on a Redis Cluster node as is.
 */
export const GROUP = 'workers';

export interface StreamsTransportOptions {
  /** Deployment prefix (REDIS_PREFIX). */
  prefix: string;
  /** A pending entry idle this long on its consumer is taken over by another replica. */
  claimIdleMs: number;
  /** Deliveries of one entry before it goes to the dead-letter stream. */
  maxDeliveries: number;
  /** Approximate length bound of request and dead-letter streams. */
  maxLen: number;
  /** Longest blocking read (ms); also how quickly a closing reader notices. */
  blockMs?: number;
}

export function serviceOf(pattern: string): string {
  const dot = pattern.indexOf('.');
  return dot > 0 ? pattern.slice(0, dot) : pattern;
}

export function requestStream(prefix: string, service: string): string {
  return `${prefix}rpc:${service}`;
}

export function deadLetterStream(stream: string): string {
  return `${stream}:dead`;
}

export function replyStream(prefix: string, clientId: string): string {
  return `${prefix}rpc-reply:${clientId}`;
}

/** Reply streams keep at most about this many entries (a caller reads them as they come). */
export const REPLY_MAXLEN = 1000;

/** A stream entry's flat [field, value, ...] list as a record. */
export function fieldsOf(flat: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const k: unknown = flat[i];
    const v: unknown = flat[i + 1];
    if (typeof k === 'string' && typeof v === 'string') out[k] = v;
  }
  return out;
}

/** [[stream, [[id, fields], ...]], ...] as XREAD/XREADGROUP return it (null when the block timed out). */
export type StreamRead = Array<[string, Array<[string, string[] | null]>]> | null;

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** The socket under an ioredis connection (absent before the first connect). */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * The commands `fn` issues on `redis` leave in one socket write (the
 * connection's socket is corked meanwhile): e.g. the answers ready now and the
 * next blocking read behind them. Each command still resolves on its own
 * reply, in order.
 */
export function inOneWrite<T>(redis: Redis, fn: () => T): T {
  const socket = (redis as unknown as { stream?: Corkable }).stream;
  socket?.cork();
  try {
    return fn();
  } finally {
    socket?.uncork();
  }
}

/**
 * `commands` and then the blocking `read` on a blocking connection (no
 * resend, no command timeout), in one socket write. Each command's promise
 * (in `sent`) also fails when the connection drops before its reply (ioredis
 * would keep it pending) — replies come in order, so one still pending when
 * the read settles was cut with it.
 */
export function behindRead<T>(redis: Redis, commands: () => Array<Promise<unknown>>, read: () => Promise<T>): { read: Promise<T>; sent: Array<Promise<unknown>> } {
  let sent: Array<Promise<unknown>> = [];
  const result = blockingCall(redis, () =>
    inOneWrite(redis, () => {
      sent = commands();
      return read();
    }),
  );
  return { read: result, sent: sent.map((p) => Promise.race([p, result.then(() => p)])) };
}

/** Resolves in the check phase: after the callbacks and microtasks that a batch just read set off. */
export const afterThisTurn = (): Promise<void> => new Promise((done) => setImmediate(done));
