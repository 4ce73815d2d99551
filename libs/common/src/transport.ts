import { ClientRedis, ServerRedis, Transport, type ClientProxy, type RedisOptions } from '@nestjs/microservices';
import type { AppConfig } from './config';

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
}

export function redisServer(config: AppConfig): PrefixedRedisServer {
  return new PrefixedRedisServer(redisTransport(config).options, config.REDIS_PREFIX);
}

export function redisClient(config: AppConfig): ClientProxy {
  // ClientRedis narrows ClientProxy's status type (RedisStatus), which TS sees as incompatible; it is a ClientProxy.
  return new PrefixedRedisClient(redisTransport(config).options, config.REDIS_PREFIX) as unknown as ClientProxy;
}
