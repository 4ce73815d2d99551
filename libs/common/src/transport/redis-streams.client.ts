import { randomUUID } from 'node:crypto';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config';
import type { Logger } from '../logging/logger';
import { blockingCall, closeRedis, createRedisConnection, reconnectDelayMs, whenReady } from '../redis/connection';
import { fieldsOf, REPLY_MAXLEN, replyStream, requestStream, serviceOf, sleep, type StreamRead, type StreamsTransportOptions } from './redis-streams.shared';

export interface StreamsClientOptions extends StreamsTransportOptions {
  /** How long a request stays worth handling (the caller's bounded wait, SERVICE_TIMEOUT_MS). */
  requestTtlMs: number;
}

/** A caller's reply stream lives this long without the caller renewing it. */
const REPLY_STREAM_TTL_MS = 10 * 60_000;

/**
 * The caller side of the Redis Streams transport (wire format in
 * redis-streams.shared.ts): XADD to the service's stream with a correlation
 * id, the deadline and this client's reply stream; one blocking reader per
 * client process takes the answers. While Redis is down a send fails at once
 * (an Error → SERVICE_UNAVAILABLE in ServiceClient); the reader reconnects
 * forever and re-creates its reply stream if Redis lost it.
 */
export class RedisStreamsClient extends ClientProxy {
  readonly clientId = randomUUID();
  private readonly replies: string;
  private cmd?: Redis;
  private reader?: Redis;
  private readonly pending = new Map<string, (packet: WritePacket) => void>();
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
          if (this.cmd!.status !== 'ready') await whenReady(this.cmd!, 1000);
          await this.ensureReplyStream();
        }
        const reader = this.reader!;
        const res = (await blockingCall(reader, () => reader.xread('COUNT', 256, 'BLOCK', this.opts.blockMs ?? 1000, 'STREAMS', this.replies, this.lastId))) as StreamRead;
        failures = 0;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            this.deliver(fieldsOf(fields));
          }
        }
      } catch (err) {
        if (this.closed) break;
        // Redis went away (maybe restarted empty): re-create the reply stream once it is back.
        this.replyReady = false;
        failures++;
        if (failures === 1) this.log?.debug({ err }, 'reply stream read failed; retrying');
        await sleep(reconnectDelayMs(failures));
      }
    }
  }

  private deliver(f: Record<string, string>): void {
    if (f.i === undefined || f.b === undefined) return;
    const callback = this.pending.get(f.i);
    if (!callback) return; // answered after the caller gave up
    let packet: WritePacket;
    try {
      packet = JSON.parse(f.b) as WritePacket;
    } catch {
      packet = { err: 'unreadable reply', isDisposed: true };
    }
    this.pending.delete(f.i);
    callback({ ...packet, isDisposed: true });
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern as string);
    const id = randomUUID();
    this.pending.set(id, callback);
    const fields = ['p', pattern, 'i', id, 'r', this.replies, 'x', String(Date.now() + this.opts.requestTtlMs), 'd', JSON.stringify(packet.data ?? null)];
    this.cmd!.xadd(requestStream(this.opts.prefix, serviceOf(pattern)), 'MAXLEN', '~', this.opts.maxLen, '*', ...fields).catch((err: unknown) => {
      if (this.pending.delete(id)) callback({ err, isDisposed: true });
    });
    return () => this.pending.delete(id);
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
    for (const [, callback] of this.pending) callback({ err: new Error('Connection is closed.'), isDisposed: true });
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
