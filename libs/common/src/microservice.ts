import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice, Type } from '@nestjs/common';
import type { AppConfig } from './config';
import { redisTransport } from './transport';

/** Create (not yet listen) a Redis-transport microservice for a service module. */
export async function createMicroservice(module: Type<unknown>, config: AppConfig): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module, {
    ...redisTransport(config),
    logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'],
  });
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
