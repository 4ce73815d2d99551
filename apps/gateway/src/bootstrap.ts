import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  createLogger,
  PinoLoggerService,
  REQUEST_ID_HEADER,
  RequestContextInterceptor,
  requestIdFrom,
  type AppConfig,
  type Logger,
} from '@jointcert/common';
import { GatewayCoreModule } from './core/gateway-core.module';
import { GatewayModule } from './gateway.module';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { DOCS_PATH, setupOpenApi } from './openapi/openapi';
import { ProblemFilter } from './problem/problem.filter';

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

/** The API answers JSON only: nothing to load, frame or script. */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };
/** Swagger UI (/docs) loads its own scripts and styles, and inline styles. */
const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export async function createGateway(config: AppConfig, options: GatewayOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config, { name: 'gateway' });
  const metrics = new GatewayMetrics(config.METRICS_ENABLED);
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    // X-Forwarded-For decides request.ip only behind a trusted proxy.
    trustProxy: config.TRUST_PROXY,
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
  if (metrics.enabled) {
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
  // JSON only: Fastify's own JSON parser (Nest's is off), no text/plain.
  fastify.removeContentTypeParser('text/plain');

  @Module({})
  class GatewayRoot {}
  const root: DynamicModule = { module: GatewayRoot, imports: [GatewayCoreModule.forRoot(config, logger, metrics), options.module ?? GatewayModule] };
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bodyParser: false,
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });

  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: API_CSP }, frameguard: { action: 'deny' } });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url === DOCS_PATH || request.url.startsWith(`${DOCS_PATH}/`)) void reply.header('content-security-policy', DOCS_CSP);
    done(null, payload);
  });
  if (config.CORS_ORIGINS.length > 0) {
    const any = config.CORS_ORIGINS.includes('*');
    app.enableCors({
      origin: any ? '*' : config.CORS_ORIGINS,
      credentials: false,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER],
      exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'www-authenticate'],
      maxAge: 600,
    });
  }
  setupOpenApi(app);

  app.useGlobalFilters(new ProblemFilter(logger, config.BODY_LIMIT_BYTES));
  app.useGlobalInterceptors(new RequestContextInterceptor());
  app.enableShutdownHooks();
  return app;
}
