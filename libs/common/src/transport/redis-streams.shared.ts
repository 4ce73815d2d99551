/**
 * The Redis Streams transport's wire format, shared by RedisStreamsServer and
 * RedisStreamsClient.
 *
 *   request stream   `<prefix>rpc:<service>` — one per service; <service> is
 *                    the first segment of the pattern (`verifier.verify-challenge`
 *                    → `verifier`). Every replica of the service reads it in the
 *                    consumer group `workers`, so each entry goes to exactly one
 *                    replica. Fields: p (pattern), d (JSON data), and for a
 *                    request (not an event): i (correlation id), r (the caller's
 *                    reply stream), x (deadline, epoch ms: after it the caller
 *                    has given up and the entry is dropped unhandled).
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
