import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler, type WritePacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { isObservable } from 'rxjs';
import type { AppConfig } from '../config';
import { runWithRequestContext } from '../logging/context';
import type { Logger } from '../logging/logger';
import { messageRequestId } from '../logging/request-context.interceptor';
import { closeRedis, createRedisConnection, reconnectDelayMs } from '../redis/connection';
import {
  afterThisTurn,
  deadLetterStream,
  fieldsOf,
  GROUP,
  REPLY_MAXLEN,
  requestStream,
  serviceOf,
  sleep,
  type StreamRead,
  type StreamsTransportOptions,
  behindRead,
} from './redis-streams.shared';

export const STREAMS_TRANSPORT = Symbol('redis-streams');

/** What a handler may ask about its message: the stream, the entry id and the pattern. */
export class StreamsContext extends BaseRpcContext<[string, string, string, boolean?]> {
  getStream(): string {
    return this.args[0];
  }
  getMessageId(): string {
    return this.args[1];
  }
  getPattern(): string {
    return this.args[2];
  }
  /** Read as a new entry (not taken over from a silent replica, nor read again): see isFirstDelivery. */
  firstDelivery(): boolean {
    return this.args[3] !== true;
  }
}

export interface StreamsServerOptions extends StreamsTransportOptions {
  /** Most entries handled at once by this replica (further entries wait in the stream for any replica). */
  concurrency?: number;
  /** On close: how long in-flight handlers may still finish and answer. */
  shutdownGraceMs?: number;
}

interface InFlight {
  stream: string;
  done: Promise<void>;
}

/** An answer (XADD to the caller's reply stream + XACK) waiting to leave with the next read. */
interface Answer {
  reply: string;
  correlationId: string;
  body: string;
  stream: string;
  id: string;
  sent: () => void;
  failed: (err: unknown) => void;
}

/**
 * The service side of the Redis Streams transport (wire format in
 * redis-streams.shared.ts). Handlers are the usual @MessagePattern methods.
 *
 *   - reads its service streams in the consumer group (XREADGROUP), so each
 *     request is handled by exactly one replica; at most `concurrency` at once;
 *   - answers into the caller's reply stream, then XACKs; the answers ready
 *     when the next read is issued (handlers that finished in the turn their
 *     batch arrived) go out in the same socket write as that read;
 *   - every claimIdleMs/2: keeps its own in-flight entries fresh (XCLAIM
 *     JUSTID), and takes over entries left pending on a silent replica
 *     (XAUTOCLAIM) — re-handled, or after maxDeliveries moved to the
 *     dead-letter stream and answered SERVICE_UNAVAILABLE;
 *   - drops entries whose caller's deadline has passed (nobody waits);
 *   - Redis outage: both connections reconnect forever; the loops back off.
 *   - close(): stops reading, lets in-flight handlers answer within
 *     shutdownGraceMs (what is still pending then is reclaimed by another
 *     replica), closes its connections.
 */
export class RedisStreamsServer extends Server implements CustomTransportStrategy {
  override readonly transportId = STREAMS_TRANSPORT;
  readonly consumer = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  /** Entries this replica handled (answered or handled as events), for tests and metrics. */
  handled = 0;
  private cmd?: Redis;
  private reader?: Redis;
  private streams: string[] = [];
  private closing = false;
  private readonly inFlight = new Map<string, InFlight>();
  private slotFreed: (() => void) | undefined;
  /** Defined between a batch's dispatch and the next read: answers made meanwhile leave with that read. */
  private riding: Answer[] | undefined;
  private loop?: Promise<void>;
  private claimTimer?: NodeJS.Timeout;
  private claiming = false;
  private readonly concurrency: number;
  private readonly blockMs: number;

  constructor(
    private readonly config: Pick<AppConfig, 'REDIS_URL'>,
    private readonly opts: StreamsServerOptions,
    private readonly log?: Logger,
  ) {
    super();
    this.concurrency = opts.concurrency ?? 64;
    this.blockMs = opts.blockMs ?? 1000;
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    const services = [...new Set([...this.messageHandlers.keys()].map(serviceOf))];
    this.streams = services.map((s) => requestStream(this.opts.prefix, s));
    const name = `${services.join('+') || 'service'}-streams`;
    // Auto-pipelined: the answers (XADD + XACK) of the entries handled in one turn of the event loop go out in one write.
    this.cmd = createRedisConnection(this.config, { name, autoPipelining: true, ...(this.log ? { logger: this.log } : {}) });
    // Blocking reads carry their own bound (BLOCK); no command timeout on this connection.
    this.reader = createRedisConnection(this.config, { name: `${name}-reader`, blocking: true, ...(this.log ? { logger: this.log } : {}) });
    this.loop = this.readLoop();
    const every = Math.max(50, Math.floor(this.opts.claimIdleMs / 2));
    this.claimTimer = setInterval(() => void this.reclaim(), every);
    callback();
  }

  /** Create the group on every stream (from the beginning, so nothing sent before the first replica started is lost). */
  private async ensureGroups(): Promise<void> {
    for (const stream of this.streams) {
      try {
        await this.cmd!.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
      }
    }
  }

  private async readLoop(): Promise<void> {
    let failures = 0;
    let groupsReady = false;
    while (!this.closing) {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) {
        this.flushRiding();
        await new Promise<void>((done) => (this.slotFreed = done));
        continue;
      }
      try {
        if (!groupsReady) {
          this.flushRiding();
          await this.ensureGroups();
          groupsReady = true;
        }
        const res = await this.read(free);
        failures = 0;
        if (res) {
          this.riding = [];
          for (const [stream, entries] of res) for (const [id, fields] of entries) this.dispatch(stream, id, fieldsOf(fields));
          // Handlers that need no I/O answer within this turn; their answers then ride with the next read.
          await afterThisTurn();
        }
      } catch (err) {
        this.flushRiding();
        if (this.closing) break;
        if (err instanceof Error && err.message.startsWith('NOGROUP')) groupsReady = false;
        else failures++;
        await sleep(reconnectDelayMs(Math.max(failures, 1)));
      }
    }
    this.flushRiding();
  }

  /** XREADGROUP for up to `free` new entries, behind the answers waiting to ride with it (one write). */
  private read(free: number): Promise<StreamRead> {
    const reader = this.reader!;
    const keys = this.streams;
    if (reader.status !== 'ready') this.flushRiding();
    const answers = this.riding ?? [];
    this.riding = undefined;
    const { read, sent } = behindRead(
      reader,
      () => answers.map((a) => this.sendAnswer(reader, a)),
      () => reader.xreadgroup('GROUP', GROUP, this.consumer, 'COUNT', free, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...keys.map(() => '>')) as Promise<StreamRead>,
    );
    answers.forEach((a, i) => void sent[i]!.then(() => a.sent(), a.failed));
    return read;
  }

  /** Answers waiting for a read that is not coming soon leave on the command connection. */
  private flushRiding(): void {
    const answers = this.riding;
    this.riding = undefined;
    for (const a of answers ?? []) void this.sendAnswer(this.cmd!, a).then(() => a.sent(), a.failed);
  }

  private dispatch(stream: string, id: string, f: Record<string, string>, redelivered = false): void {
    if (this.inFlight.has(id)) return;
    const done = this.handle(stream, id, f, redelivered)
      .catch((err: unknown) => this.log?.warn({ err, stream, id }, 'stream entry not answered; it stays pending and will be retried'))
      .finally(() => {
        this.inFlight.delete(id);
        const wake = this.slotFreed;
        this.slotFreed = undefined;
        wake?.();
      });
    this.inFlight.set(id, { stream, done });
  }

  private async handle(stream: string, id: string, f: Record<string, string>, redelivered: boolean): Promise<void> {
    const pattern = f.p;
    const deadline = f.x !== undefined ? Number(f.x) : undefined;
    if (pattern === undefined || f.d === undefined || (deadline !== undefined && Date.now() > deadline)) {
      // Malformed, or its caller gave up already: nothing to answer.
      await this.cmd!.xack(stream, GROUP, id);
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(f.d);
    } catch {
      data = undefined;
    }
    const ctx = new StreamsContext([stream, id, pattern, redelivered]);
    // The message's request context (its id in log lines, audit rows and onward calls), entered here
    // rather than by a Nest interceptor: one interceptor layer fewer per message.
    const requestContext = { requestId: messageRequestId(data) };
    if (f.i === undefined || f.r === undefined) {
      await runWithRequestContext(requestContext, () => this.handleEvent(pattern, { pattern, data }, ctx));
      this.handled++;
      await this.cmd!.xack(stream, GROUP, id);
      return;
    }
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) {
      // No replica of this version handles it (a caller ahead of us): like a pattern nobody listens to,
      // the caller's bounded wait ends in SERVICE_UNAVAILABLE.
      this.log?.warn({ stream, id, pattern, requestId: requestIdOf(f.d) }, 'no handler for this pattern; dropped');
      await this.cmd!.xack(stream, GROUP, id);
      return;
    }
    const packet: WritePacket = await new Promise<WritePacket>((resolve) => {
      const run = async (): Promise<void> => {
        const result: unknown = await handler(data, ctx);
        // A plain result (the usual handler) is the answer; an Observable (an interceptor's, or the
        // exception filter's error) goes through Nest's pipeline, which keeps the last value or the error.
        if (!isObservable(result)) {
          resolve({ response: result, isDisposed: true });
          return;
        }
        let err: unknown;
        let response: unknown;
        this.send(this.transformToObservable(result), (p) => {
          if (p.err !== undefined) err = p.err;
          else if (p.response !== undefined) response = p.response;
          if (p.isDisposed || err !== undefined) resolve(err !== undefined ? { err, isDisposed: true } : { response, isDisposed: true });
        });
      };
      this.onProcessingStartHook(this.transportId, ctx, () => runWithRequestContext(requestContext, () => run().catch((e: unknown) => resolve({ err: e, isDisposed: true }))));
    });
    this.onProcessingEndHook?.(this.transportId, ctx);
    await this.answerAndAck(f.r, f.i, packet, stream, id);
    this.handled++;
  }

  /**
   * The answer and the XACK sent together: with the next read when one is
   * about to be issued (the handler finished in its batch's turn), else on the
   * command connection, which auto-pipelines (one write for them and whatever
   * else is answered in the same turn). The XACK does not wait for the
   * answer's XADD: the only XADD failure that leaves the connection up is
   * Redis refusing writes (OOM), when a re-run could not answer either and the
   * caller's bounded wait ends it. A failed answer leaves the entry pending
   * (reclaimed later).
   */
  private answerAndAck(reply: string, correlationId: string, packet: WritePacket, stream: string, id: string): Promise<void> {
    return new Promise<void>((sent, failed) => {
      const answer: Answer = { reply, correlationId, body: JSON.stringify(packet), stream, id, sent, failed };
      if (this.riding && !this.closing) this.riding.push(answer);
      else void this.sendAnswer(this.cmd!, answer).then(() => sent(), failed);
    });
  }

  private sendAnswer(redis: Redis, a: Answer): Promise<unknown> {
    // NOMKSTREAM: a caller that is gone (its stream expired) gets no stream recreated for it.
    const answered = redis.xadd(a.reply, 'NOMKSTREAM', 'MAXLEN', '~', REPLY_MAXLEN, '*', 'i', a.correlationId, 'b', a.body);
    return Promise.all([answered, redis.xack(a.stream, GROUP, a.id)]);
  }


  /**
   * Patterns on this transport are plain strings, the handler map's keys: look
   * them up directly (Nest's lookup first tries JSON.parse on every pattern,
   * which throws — and builds a stack trace — for a string pattern).
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  /** Keep our in-flight entries fresh; take over those of silent replicas (or dead-letter them). */
  private async reclaim(): Promise<void> {
    if (this.claiming || this.closing || this.cmd?.status !== 'ready') return;
    this.claiming = true;
    try {
      for (const stream of this.streams) {
        const mine = [...this.inFlight].filter(([, e]) => e.stream === stream).map(([id]) => id);
        if (mine.length > 0) await this.cmd.xclaim(stream, GROUP, this.consumer, 0, ...mine, 'JUSTID');
        const free = this.concurrency - this.inFlight.size;
        if (free <= 0) continue;
        const res = (await this.cmd.xautoclaim(stream, GROUP, this.consumer, this.opts.claimIdleMs, '0-0', 'COUNT', free)) as [string, Array<[string, string[] | null]>, string[]?];
        const entries = (res[1] ?? []).filter(([id, fields]) => fields !== null && !this.inFlight.has(id));
        // Entries trimmed away while pending: nothing to handle any more.
        const gone = (res[1] ?? []).filter(([, fields]) => fields === null).map(([id]) => id).concat(res[2] ?? []);
        if (gone.length > 0) await this.cmd.xack(stream, GROUP, ...gone);
        if (entries.length === 0) continue;
        const counts = await this.deliveryCounts(stream, entries.map(([id]) => id));
        for (const [id, fields] of entries) {
          const f = fieldsOf(fields);
          const deliveries = counts.get(id) ?? 0;
          if (deliveries > this.opts.maxDeliveries) await this.deadLetter(stream, id, f, deliveries);
          else {
            this.log?.info({ stream, id, deliveries, pattern: f.p }, 'took over a stream entry from a silent replica');
            this.dispatch(stream, id, f, true);
          }
        }
      }
    } catch (err) {
      if (!this.closing) this.log?.debug({ err }, 'stream reclaim round failed');
    } finally {
      this.claiming = false;
    }
  }

  private async deliveryCounts(stream: string, ids: string[]): Promise<Map<string, number>> {
    const pipeline = this.cmd!.pipeline();
    for (const id of ids) pipeline.xpending(stream, GROUP, id, id, 1);
    const results = (await pipeline.exec()) ?? [];
    const counts = new Map<string, number>();
    for (const [err, rows] of results) {
      const row = !err && Array.isArray(rows) ? (rows[0] as [string, string, number, number] | undefined) : undefined;
      if (row) counts.set(row[0], Number(row[3]));
    }
    return counts;
  }

  private async deadLetter(stream: string, id: string, f: Record<string, string>, deliveries: number): Promise<void> {
    this.log?.error({ stream, id, deliveries, pattern: f.p, requestId: requestIdOf(f.d) }, 'stream entry failed too many deliveries; moved to the dead-letter stream');
    const flat = Object.entries(f).flat();
    await this.cmd!.xadd(deadLetterStream(stream), 'MAXLEN', '~', this.opts.maxLen, '*', ...flat, 'source-id', id, 'deliveries', String(deliveries));
    if (f.i !== undefined && f.r !== undefined) {
      const err = {
        kind: 'jointcert.problem',
        code: 'SERVICE_UNAVAILABLE',
        detail: `the request could not be handled (${deliveries} deliveries); try again later`,
      };
      // the answer may fail (the caller is gone); the entry is acked regardless
      await this.answerAndAck(f.r, f.i, { err, isDisposed: true }, stream, id).catch(() => this.cmd!.xack(stream, GROUP, id));
      return;
    }
    await this.cmd!.xack(stream, GROUP, id);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.claimTimer);
    this.slotFreed?.();
    // Stop reading at once: a blocked XREADGROUP is cut (any entry it was handing us stays pending → reclaimed).
    this.reader?.disconnect();
    await this.loop;
    const grace = this.opts.shutdownGraceMs ?? 7000;
    const pending = [...this.inFlight.values()].map((e) => e.done);
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const all = Promise.all(pending).then(() => true);
      const finished = await Promise.race([all, new Promise<boolean>((done) => (timer = setTimeout(() => done(false), grace)))]);
      clearTimeout(timer);
      if (!finished) this.log?.warn({ unfinished: this.inFlight.size }, 'shutdown grace over; unfinished entries stay pending for another replica');
    }
    if (this.cmd) await closeRedis(this.cmd);
  }

  on(): void {
    // Connection events are logged by the connections themselves (libs/common redis/connection).
  }

  unwrap<T>(): T {
    return [this.cmd, this.reader] as T;
  }
}

function requestIdOf(json: string | undefined): string | undefined {
  try {
    const v = JSON.parse(json ?? 'null') as { meta?: { requestId?: unknown } } | null;
    return typeof v?.meta?.requestId === 'string' ? v.meta.requestId : undefined;
  } catch {
    return undefined;
  }
}
