import { ClientRedis, ServerRedis, Transport, type ClientProxy, type CustomTransportStrategy, type RedisOptions } from '@nestjs/microservices';
import type { AppConfig } from './config';
import type { Logger } from './logging/logger';
import { reconnectDelayMs } from './redis/connection';
import { RedisStreamsClient } from './transport/redis-streams.client';
import { RedisStreamsServer } from './transport/redis-streams.server';

export * from './transport/redis-streams.shared';
export * from './transport/redis-streams.server';
export * from './transport/redis-streams.client';

/**
 * The service transport, chosen by TRANSPORT:
 *   - `streams` (default): Redis Streams with consumer groups
 *     (transport/redis-streams.*) — each request handled by exactly one
 *     replica, taken over from a replica that died, answered or dead-lettered;
 *   - `redis`: Nest's built-in Redis pub/sub transport, kept for comparison
 *     (bench). Every subscriber handles every request, so it supports ONE
 *     replica per service, and a message sent while no replica listens is lost.
 */

/** Options for the Redis transport shared by every service and the gateway's clients. */
export function redisTransport(config: AppConfig): RedisOptions & { options: NonNullable<RedisOptions['options']> } {
  const url = new URL(config.REDIS_URL);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    transport: Transport.REDIS,
    options: {
      host: url.hostname,
      port: url.port ? Number(url.port) : 6379,
      db,
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    },
  };
}

/*
 * Redis pub/sub channels ignore the database number, so deployments (and test
 * runs) sharing one Redis would answer each other's requests. Every channel
 * is therefore prefixed with REDIS_PREFIX: `jc:verifier.verify`,
 * `jc:verifier.verify.reply`. Handlers keep their plain pattern strings.
 */

/** A Redis transport server whose channels carry a deployment prefix. */
export class PrefixedRedisServer extends ServerRedis {
  constructor(
    options: RedisOptions['options'],
    private readonly prefix: string,
  ) {
    super(options ?? {});
  }

  override getRequestPattern(pattern: string): string {
    return this.prefix + pattern;
  }

  override getHandlerByPattern(pattern: string): ReturnType<ServerRedis['getHandlerByPattern']> {
    return super.getHandlerByPattern(pattern.startsWith(this.prefix) ? pattern.slice(this.prefix.length) : pattern);
  }

  /** Reconnect forever with backoff (Nest's default gives up, and the process then exits with code 0). */
  override createRetryStrategy(times: number): number | undefined {
    return this.isManuallyClosed ? undefined : reconnectDelayMs(times);
  }
}

/** The client side of PrefixedRedisServer. */
export class PrefixedRedisClient extends ClientRedis {
  constructor(
    options: RedisOptions['options'],
    private readonly prefix: string,
  ) {
    super(options ?? {});
  }

  override getRequestPattern(pattern: string): string {
    return this.prefix + pattern;
  }

  override getReplyPattern(pattern: string): string {
    return `${this.prefix}${pattern}.reply`;
  }

  override createRetryStrategy(times: number): number | undefined {
    return this.isManuallyClosed ? undefined : reconnectDelayMs(times);
  }
}

function streamsOptions(config: AppConfig) {
  return { prefix: config.REDIS_PREFIX, claimIdleMs: config.STREAMS_CLAIM_IDLE_MS, maxDeliveries: config.STREAMS_MAX_DELIVERIES, maxLen: config.STREAMS_MAXLEN };
}

/** The transport server for a service, as TRANSPORT says. */
export function transportServer(config: AppConfig, logger?: Logger): CustomTransportStrategy {
  if (config.TRANSPORT === 'redis') return new PrefixedRedisServer(redisTransport(config).options, config.REDIS_PREFIX);
  return new RedisStreamsServer(config, { ...streamsOptions(config), concurrency: config.STREAMS_CONCURRENCY, shutdownGraceMs: config.SHUTDOWN_GRACE_MS }, logger);
}

/** The client to the services, as TRANSPORT says. */
export function transportClient(config: AppConfig, logger?: Logger): ClientProxy {
  if (config.TRANSPORT === 'redis') {
    // ClientRedis narrows ClientProxy's status type (RedisStatus), which TS sees as incompatible; it is a ClientProxy.
    return new PrefixedRedisClient(redisTransport(config).options, config.REDIS_PREFIX) as unknown as ClientProxy;
  }
  return new RedisStreamsClient(config, { ...streamsOptions(config), requestTtlMs: config.SERVICE_TIMEOUT_MS }, logger);
}
