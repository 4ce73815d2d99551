import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice, Type } from '@nestjs/common';
import type { AppConfig } from './config';
import { RpcProblemFilter } from './errors/rpc';
import { createLogger, PinoLoggerService, type Logger } from './logging/logger';
import { RequestContextInterceptor } from './logging/request-context.interceptor';
import { redisServer } from './transport';

/**
 * Create (not yet listen) a Redis-transport microservice for a service module:
 * JSON logs, the request id from each message envelope in the async context,
 * and every handler error sent back as a WireError.
 */
export async function createMicroservice(module: Type<unknown>, config: AppConfig, options: { logger?: Logger } = {}): Promise<INestMicroservice> {
  const logger = options.logger ?? createLogger(config, { name: module.name });
  const app = await NestFactory.createMicroservice(module, {
    strategy: redisServer(config),
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });
  app.useGlobalFilters(new RpcProblemFilter(logger));
  app.useGlobalInterceptors(new RequestContextInterceptor());
  app.enableShutdownHooks();
  return app;
}

/** Entry point helper: load config from the environment, start, exit with a clear message on failure. */
export function runMicroservice(module: Type<unknown>, env: Record<string, string | undefined>, load: (env: Record<string, string | undefined>) => AppConfig): void {
  const start = async (): Promise<void> => {
    const app = await createMicroservice(module, load(env));
    await app.listen();
  };
  start().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
