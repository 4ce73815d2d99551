import { Transport, type RedisOptions } from '@nestjs/microservices';
import type { AppConfig } from './config';

/** Options for the Redis transport shared by every service and the gateway's clients. */
export function redisTransport(config: AppConfig): RedisOptions {
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
