import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@jointcert/common';
import { GatewayModule } from './gateway.module';

export async function createGateway(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule,
    new FastifyAdapter({ bodyLimit: 256 * 1024 }),
    { logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'] },
  );
  app.enableShutdownHooks();
  return app;
}
