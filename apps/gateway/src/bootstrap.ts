import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Type } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createLogger,
  PinoLoggerService,
  REQUEST_ID_HEADER,
  RequestContextInterceptor,
  requestIdFrom,
  type AppConfig,
  type Logger,
} from '@jointcert/common';
import { GatewayModule } from './gateway.module';
import { ProblemFilter } from './problem/problem.filter';

export const BODY_LIMIT_BYTES = 256 * 1024;

/** One access-log line per request (instead of Fastify's two), with the request id. */
class AccessLogController extends LogController {
  constructor(private readonly logger: Logger) {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.logger.info(
      {
        requestId: request.id,
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  }
}

export interface GatewayOptions {
  /** Root module; tests pass one that imports GatewayModule plus probe routes. */
  module?: Type<unknown>;
  logger?: Logger;
}

export async function createGateway(config: AppConfig, options: GatewayOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config, { name: 'gateway' });
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    loggerInstance: logger,
    logController: new AccessLogController(logger),
    // The correlation id: a sane client `x-request-id` is kept, anything else replaced.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // JSON only: Fastify's own JSON parser (Nest's is off), no text/plain.
  fastify.removeContentTypeParser('text/plain');

  const app = await NestFactory.create<NestFastifyApplication>(options.module ?? GatewayModule, adapter, {
    bodyParser: false,
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });
  app.useGlobalFilters(new ProblemFilter(logger, BODY_LIMIT_BYTES));
  app.useGlobalInterceptors(new RequestContextInterceptor());
  app.enableShutdownHooks();
  return app;
}
