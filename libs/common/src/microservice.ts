import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice, Type } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { AppConfig } from './config';
import { RpcProblemFilter } from './errors/rpc';
import { createLogger, PinoLoggerService, type Logger } from './logging/logger';
import { RequestContextInterceptor } from './logging/request-context.interceptor';
import { exitGracefullyOn } from './shutdown';
import { transportServer } from './transport';
import { RedisStreamsServer } from './transport/redis-streams.server';

/**
 * Create (not yet listen) a microservice for a service module on the
 * configured transport (TRANSPORT: Redis Streams by default): JSON logs, the
 * request id from each message envelope in the async context, and every
 * handler error sent back as a WireError. Signals are not handled here: the
 * entry point calls runMicroservice / exitGracefullyOn.
 */
export async function createMicroservice(
  module: Type<unknown>,
  config: AppConfig,
  options: { logger?: Logger; /** Default: transportServer(config) — tests pass their own to count handlings. */ strategy?: CustomTransportStrategy } = {},
): Promise<INestMicroservice> {
  const logger = options.logger ?? createLogger(config, { name: module.name });
  const strategy = options.strategy ?? transportServer(config, logger);
  const app = await NestFactory.createMicroservice(module, {
    strategy,
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });
  app.useGlobalFilters(new RpcProblemFilter(logger));
  // The Streams server enters each message's request context itself (one interceptor layer fewer per message).
  if (!(strategy instanceof RedisStreamsServer)) app.useGlobalInterceptors(new RequestContextInterceptor());
  return app;
}

/**
 * Listen, and on SIGTERM/SIGINT shut down gracefully: stop reading messages,
 * finish in-flight ones within SHUTDOWN_GRACE_MS, close connections, exit 0.
 */
export async function listenUntilSignalled(app: INestMicroservice, config: AppConfig, logger: Logger): Promise<void> {
  exitGracefullyOn(app, { graceMs: config.SHUTDOWN_GRACE_MS, logger });
  await app.listen();
}

/** Entry point helper: load config from the environment, start, exit with a clear message on failure. */
export function runMicroservice(module: Type<unknown>, env: Record<string, string | undefined>, load: (env: Record<string, string | undefined>) => AppConfig): void {
  const start = async (): Promise<void> => {
    const config = load(env);
    const logger = createLogger(config, { name: module.name });
    const app = await createMicroservice(module, config, { logger });
    await listenUntilSignalled(app, config, logger);
  };
  start().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
