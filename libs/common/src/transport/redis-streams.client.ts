import { randomUUID } from 'node:crypto';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config';
import type { Logger } from '../logging/logger';
import { TimeoutError } from 'rxjs';
import { closeRedis, createRedisConnection, reconnectDelayMs, whenReady } from '../redis/connection';
import {
  afterThisTurn,
  fieldsOf,
  behindRead,
  REPLY_MAXLEN,
  replyStream,
  requestStream,
  serviceOf,
  sleep,
  type StreamRead,
  type StreamsTransportOptions,
} from './redis-streams.shared';
import { sweepEveryMs } from './requesting';

export interface StreamsClientOptions extends StreamsTransportOptions {
  /** How long a request stays worth handling (the caller's bounded wait, SERVICE_TIMEOUT_MS). */
  requestTtlMs: number;
}

/** A caller's reply stream lives this long without the caller renewing it. */
const REPLY_STREAM_TTL_MS = 10 * 60_000;

/** A call waiting for its answer: until `deadline` (epoch ms; Infinity when the caller bounds the wait itself). */
interface Pending {
  callback: (packet: WritePacket) => void;
  deadline: number;
}

/** A request (XADD arguments after the key) waiting to leave with the next reply read. */
interface Request {
  stream: string;
  args: string[];
  failed: (err: unknown) => void;
}

/**
 * The caller side of the Redis Streams transport (wire format in
 * redis-streams.shared.ts): XADD to the service's stream with a correlation
 * id, the deadline and this client's reply stream; one blocking reader per
 * client process takes the answers. Requests made in the turn a batch of
 * answers arrived (callers sending their next request) go out in the same
 * socket write as the next reply read; others on the auto-pipelined command
 * connection. `request()` is the promise-returning call ServiceClient uses
 * (no Observable, one deadline sweep for all calls instead of a timer each). While Redis is down a send fails at once
 * (an Error → SERVICE_UNAVAILABLE in ServiceClient); the reader reconnects
 * forever and re-creates its reply stream if Redis lost it.
 */
export class RedisStreamsClient extends ClientProxy {
  readonly clientId = randomUUID();
  private readonly replies: string;
  private cmd?: Redis;
  private reader?: Redis;
  private readonly pending = new Map<string, Pending>();
  /** Defined between a batch of answers and the next read: requests made meanwhile leave with that read. */
  private riding: Request[] | undefined;
  private sweeper?: NodeJS.Timeout;
  /** Calls made so far: the next call's correlation id. */
  private calls = 0;
  private lastId = '$';
  private replyReady = false;
  private replyReadyWaiters: Array<() => void> = [];
  private closed = false;
  private loop?: Promise<void>;
  private keepAlive?: NodeJS.Timeout;

  constructor(
    private readonly config: Pick<AppConfig, 'REDIS_URL'>,
    private readonly opts: StreamsClientOptions,
    private readonly log?: Logger,
  ) {
    super();
    this.replies = replyStream(opts.prefix, this.clientId);
  }

  async connect(): Promise<void> {
    if (this.closed) throw new Error('Connection is closed.');
    if (!this.cmd) {
      const logger = this.log ? { logger: this.log } : {};
      // Auto-pipelined: the requests published in one turn of the event loop (concurrent callers) go out in one write.
      this.cmd = createRedisConnection(this.config, { name: 'client-streams', autoPipelining: true, ...logger });
      this.reader = createRedisConnection(this.config, { name: 'client-streams-reader', blocking: true, ...logger });
      // After every (re)connect: make sure the reply stream exists (a Redis restarted empty lost it).
      this.cmd.on('ready', () => {
        this.replyReady = false;
        this.ensureReplyStream().catch(() => undefined);
      });
      this.loop = this.readLoop();
      this.keepAlive = setInterval(() => void this.cmd?.pexpire(this.replies, REPLY_STREAM_TTL_MS).then((n) => n === 0 && (this.replyReady = false)).catch(() => undefined), REPLY_STREAM_TTL_MS / 4);
      this.keepAlive.unref();
      this.sweeper = setInterval(() => this.sweep(), sweepEveryMs(this.opts.requestTtlMs));
      this.sweeper.unref();
    }
    if (this.replyReady) return;
    // Bounded: a send while Redis is down fails fast rather than waiting for it.
    const ready = await new Promise<boolean>((done) => {
      const waiter = (): void => {
        clearTimeout(timer);
        done(true);
      };
      const timer = setTimeout(() => {
        this.replyReadyWaiters = this.replyReadyWaiters.filter((w) => w !== waiter);
        done(false);
      }, 2000);
      this.replyReadyWaiters.push(waiter);
    });
    if (!ready) throw new Error('Connection is closed.');
  }

  /** The reply stream exists (an entry of our own creates it) and expires if we vanish. */
  private async ensureReplyStream(): Promise<void> {
    const id = await this.cmd!.xadd(this.replies, 'MAXLEN', '~', REPLY_MAXLEN, '*', 'h', '1');
    await this.cmd!.pexpire(this.replies, REPLY_STREAM_TTL_MS);
    if (this.lastId === '$' && id) this.lastId = id;
    this.replyReady = true;
    for (const w of this.replyReadyWaiters.splice(0)) w();
  }

  private async readLoop(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        if (!this.replyReady) {
          this.flushRiding();
          if (this.cmd!.status !== 'ready') await whenReady(this.cmd!, 1000);
          await this.ensureReplyStream();
        }
        const res = await this.read();
        failures = 0;
        if (res) {
          this.riding = [];
          for (const [, entries] of res) {
            for (const [id, fields] of entries) {
              this.lastId = id;
              this.deliver(fieldsOf(fields));
            }
          }
          // Callers answered now may send again within this turn: those requests ride with the next read.
          await afterThisTurn();
        }
      } catch (err) {
        this.flushRiding();
        if (this.closed) break;
        // Redis went away (maybe restarted empty): re-create the reply stream once it is back.
        this.replyReady = false;
        failures++;
        if (failures === 1) this.log?.debug({ err }, 'reply stream read failed; retrying');
        await sleep(reconnectDelayMs(failures));
      }
    }
    this.flushRiding();
  }

  /** XREAD of the reply stream, behind the requests waiting to ride with it (one write). */
  private read(): Promise<StreamRead> {
    const reader = this.reader!;
    if (reader.status !== 'ready') this.flushRiding();
    const requests = this.riding ?? [];
    this.riding = undefined;
    const { read, sent } = behindRead(
      reader,
      () => requests.map((r) => reader.xadd(r.stream, ...r.args)),
      () => reader.xread('COUNT', 256, 'BLOCK', this.opts.blockMs ?? 1000, 'STREAMS', this.replies, this.lastId) as Promise<StreamRead>,
    );
    requests.forEach((r, i) => void sent[i]!.catch(r.failed));
    return read;
  }

  /** Requests waiting for a read that is not coming soon leave on the command connection. */
  private flushRiding(): void {
    const requests = this.riding;
    this.riding = undefined;
    for (const r of requests ?? []) {
      // closing: their callers were answered 'Connection is closed.' already; nothing is sent
      if (this.closed) r.failed(new Error('Connection is closed.'));
      else this.cmd!.xadd(r.stream, ...r.args).catch(r.failed);
    }
  }

  private deliver(f: Record<string, string>): void {
    if (f.i === undefined || f.b === undefined) return;
    const call = this.pending.get(f.i);
    if (!call) return; // answered after the caller gave up
    let packet: WritePacket;
    try {
      packet = JSON.parse(f.b) as WritePacket;
    } catch {
      packet = { err: 'unreadable reply', isDisposed: true };
    }
    this.pending.delete(f.i);
    packet.isDisposed = true;
    call.callback(packet);
  }

  /** Calls past their deadline end with a TimeoutError (one timer for all of them). */
  private sweep(): void {
    if (this.pending.size === 0) return;
    const now = Date.now();
    for (const [id, call] of this.pending) {
      if (call.deadline > now) continue;
      this.pending.delete(id);
      call.callback({ err: new TimeoutError(), isDisposed: true });
    }
  }

  /** Send `data` to `pattern`'s service and wait (at most `timeoutMs`) for the answer (its response, or rejects with its error; TimeoutError after the wait). */
  async request(pattern: string, data: unknown, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    if (!this.replyReady || !this.cmd) {
      // Connecting (Redis down: up to its own bound) counts against the wait.
      const connecting = this.connect();
      connecting.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([connecting, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError()), timeoutMs)))]);
      } finally {
        clearTimeout(timer);
      }
    }
    return new Promise((resolve, reject) => {
      // The error as it came: a WireError object (what ServiceClient maps), TimeoutError or a connection's Error.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      this.enqueue(pattern, data, deadline, (p) => (p.err ? reject(p.err) : resolve(p.response)));
    });
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = this.enqueue(this.normalizePattern(packet.pattern as string), packet.data, Infinity, callback);
    return () => this.pending.delete(id);
  }

  private enqueue(pattern: string, data: unknown, deadline: number, callback: (packet: WritePacket) => void): string {
    // Unique within this client, and answers come back on this client's own reply stream only.
    const id = (++this.calls).toString(36);
    this.pending.set(id, { callback, deadline });
    const failed = (err: unknown): void => {
      if (this.pending.delete(id)) callback({ err, isDisposed: true });
    };
    const args = ['MAXLEN', '~', String(this.opts.maxLen), '*', 'p', pattern, 'i', id, 'r', this.replies, 'x', String(Date.now() + this.opts.requestTtlMs), 'd', JSON.stringify(data ?? null)];
    const stream = requestStream(this.opts.prefix, serviceOf(pattern));
    if (this.riding && !this.closed) this.riding.push({ stream, args, failed });
    else this.cmd!.xadd(stream, ...args).catch(failed);
    return id;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = this.normalizePattern(packet.pattern as string);
    await this.cmd!.xadd(requestStream(this.opts.prefix, serviceOf(pattern)), 'MAXLEN', '~', this.opts.maxLen, '*', 'p', pattern, 'd', JSON.stringify(packet.data ?? null));
    return undefined as T;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    clearInterval(this.sweeper);
    for (const [, call] of this.pending) call.callback({ err: new Error('Connection is closed.'), isDisposed: true });
    this.pending.clear();
    this.reader?.disconnect();
    await this.loop;
    if (this.cmd) {
      await this.cmd.del(this.replies).catch(() => undefined);
      await closeRedis(this.cmd);
    }
  }

  override on(): void {
    // Connection events are logged by the connections themselves.
  }

  unwrap<T>(): T {
    return [this.cmd, this.reader] as T;
  }
}
