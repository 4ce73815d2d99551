import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  createLogger,
  DomainError,
  PinoLoggerService,
  PROBLEM_CONTENT_TYPE,
  REQUEST_ID_HEADER,
  requestIdFrom,
  runWithRequestContext,
  toProblem,
  type AppConfig,
  type Logger,
} from '@jointcert/common';
import { leanRoutes } from './core/lean-routes';
import { GatewayModule, type GatewayOverrides } from './gateway.module';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { DOCS_PATH, setupOpenApi } from './openapi/openapi';
import { ProblemFilter } from './problem/problem.filter';
import { API_SECURITY_HEADERS, DOCS_SECURITY_HEADERS } from './security/security-headers';
import { TOTP_HEADER } from './security/totp-header';

/**
 * One access-log line per request (instead of Fastify's two), with the request
 * id. Its fields are fixed and carry no secret (the path without its query),
 * so it skips the redaction pass, which costs ~27 µs a line against ~1.4 µs.
 */
class AccessLogController extends LogController {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    super({ requestIdLogLabel: 'requestId' });
    this.logger = logger.child({}, { redact: { paths: [] } });
  }

  override incomingRequest(): void {}

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // LOG_LEVEL above info: not even the line's fields are gathered
    if (!this.logger.isLevelEnabled('info')) return;
    const query = request.url.indexOf('?');
    this.logger.info(
      {
        requestId: request.id,
        method: request.method,
        path: query < 0 ? request.url : request.url.slice(0, query),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  }
}

/**
 * Nest's enableCors on Fastify also copies the CORS headers that
 * @fastify/cors puts on the reply onto the raw Node response
 * (`copyCorsHeadersToRaw`, after the CORS hook of every request), for the
 * responses a Nest middleware ends itself. The gateway has no Nest
 * middleware: every response, problems and 404s included, is sent through
 * the Fastify reply, which carries those headers. The copy only made Node set
 * and validate every header of every response a second time (its slow
 * writeHead path: ~3 KB and a few µs a request with CORS_ORIGINS set).
 * Middleware that ends responses itself would need the copy back.
 */
function withoutRawCorsCopy(adapter: FastifyAdapter): void {
  const internals = adapter as unknown as { copyCorsHeadersToRaw?: unknown };
  // a Nest that no longer has it: look again rather than silently patch nothing
  if (typeof internals.copyCorsHeadersToRaw !== 'function') throw new Error('FastifyAdapter.copyCorsHeadersToRaw is gone: revisit withoutRawCorsCopy');
  internals.copyCorsHeadersToRaw = (): void => undefined;
}

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const draining = new WeakMap<NestFastifyApplication, () => void>();

/** Graceful shutdown, step one: from now on every new request is answered 503 problem+json; then close() waits for in-flight ones. */
export function drainGateway(app: NestFastifyApplication): void {
  draining.get(app)?.();
}

/**
 * Graceful shutdown, step two: stop listening and wait for the requests in
 * flight (Fastify's close), and only then close the app — Nest's own close
 * runs the modules' destroy hooks (the service client, Redis) before the HTTP
 * server, which would fail requests still waiting for a service.
 */
export async function closeGateway(app: NestFastifyApplication): Promise<void> {
  await app.getHttpAdapter().getInstance().close();
  await app.close();
}

/** The gateway's Fastify application for GatewayModule.forRoot(config, overrides) (not yet listening). */
export async function createGateway(config: AppConfig, overrides: GatewayOverrides = {}): Promise<NestFastifyApplication> {
  const logger = overrides.logger ?? createLogger(config, { name: 'gateway' });
  const metrics = overrides.metrics ?? new GatewayMetrics(config.METRICS_ENABLED);
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    // X-Forwarded-For decides request.ip only behind a trusted proxy.
    trustProxy: config.TRUST_PROXY,
    loggerInstance: logger,
    logController: new AccessLogController(logger),
    // The correlation id: a sane client `x-request-id` is kept, anything else replaced.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    // No per-request pino child (its redaction setup costs more than the route): log lines
    // get the request id from the async context (libs/common logging) or carry it explicitly.
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    // While closing, our own hook answers 503 problem+json (Fastify's would be a bare 503).
    return503OnClosing: false,
  });
  withoutRawCorsCopy(adapter);
  const fastify = adapter.getInstance();
  const drain = { on: false };
  fastify.addHook('onRequest', (request, reply, done) => {
    if (drain.on) {
      // Shutting down: no new work; in-flight requests finish (see drainGateway).
      const problem = toProblem(new DomainError('SERVICE_UNAVAILABLE', 'the gateway is shutting down; retry'), { instance: request.url.split('?')[0] ?? '/', requestId: String(request.id) });
      void reply.status(503).headers({ 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': '1', connection: 'close', [REQUEST_ID_HEADER]: request.id }).send(JSON.stringify(problem));
      return;
    }
    const docs = request.url.startsWith(DOCS_PATH) && (request.url.length === DOCS_PATH.length || '/?'.includes(request.url.charAt(DOCS_PATH.length)));
    void reply.headers(docs ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS).header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // The request's async context (its id in log lines and service envelopes), entered
  // after body parsing and around the handler: cheaper than a Nest interceptor.
  // An Idempotency-Key (POST sign-up/add/replace, login; DELETE) travels to the registry, which answers a repeat with the first result.
  fastify.addHook('preHandler', (request, reply, done) => {
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (key === undefined) return runWithRequestContext({ requestId: String(request.id) }, done);
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      const problem = toProblem(new DomainError('MALFORMED_INPUT', 'Idempotency-Key must be 1 to 255 visible ASCII characters'), { instance: request.url.split('?')[0] ?? '/', requestId: String(request.id) });
      void reply.status(400).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
      return;
    }
    runWithRequestContext({ requestId: String(request.id), idempotencyKey: key }, done);
  });
  if (metrics.enabled) {
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
  // JSON only: Fastify's own JSON parser (Nest's is off), no text/plain.
  fastify.removeContentTypeParser('text/plain');

  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, { ...overrides, logger, metrics }), adapter, {
    bodyParser: false,
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });
  // Routes without interceptors or pipes run without Nest's async layers (core/lean-routes.ts); before init registers them.
  leanRoutes(app);

  if (config.CORS_ORIGINS.length > 0) {
    const any = config.CORS_ORIGINS.includes('*');
    app.enableCors({
      origin: any ? '*' : config.CORS_ORIGINS,
      credentials: false,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // X-TOTP-Code: browser frontends on another origin send the second factor for guarded actions
      allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER, IDEMPOTENCY_KEY_HEADER, TOTP_HEADER],
      exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'www-authenticate'],
      maxAge: 600,
    });
  }
  setupOpenApi(app);

  app.useGlobalFilters(new ProblemFilter(logger, config.BODY_LIMIT_BYTES));
  draining.set(app, () => (drain.on = true));
  return app;
}
