import 'reflect-metadata';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { Registry } from 'prom-client';
import type { Clock } from './clock';
import { runPrimary, workerCreated, workerListening } from './cluster';
import type { AppConfig } from './config';
import { RpcProblemFilter } from './errors/rpc';
import { leanMessageHandlers } from './lean-handlers';
import { createLogger, PinoLoggerService, type Logger } from './logging/logger';
import { RequestContextInterceptor } from './logging/request-context.interceptor';
import { exitGracefullyOn } from './shutdown';
import { transportServer } from './transport';
import { RedisStreamsServer } from './transport/redis-streams.server';

/**
 * Create (not yet listen) a microservice for a service module on the
 * configured transport (TRANSPORT: Redis Streams by default): JSON logs, the
 * request id from each message envelope in the async context, and every
 * handler error sent back as a WireError. Signals are not handled here:
 * runMicroservice (an entry point) handles them.
 */
export async function createMicroservice(
  module: Type<unknown> | DynamicModule,
  config: AppConfig,
  options: { logger?: Logger; /** Default: transportServer(config) — tests pass their own to count handlings. */ strategy?: CustomTransportStrategy } = {},
): Promise<INestMicroservice> {
  const logger = options.logger ?? createLogger(config, { name: 'module' in module ? module.module.name : module.name });
  const strategy = options.strategy ?? transportServer(config, logger);
  const app = await NestFactory.createMicroservice(module, {
    strategy,
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });
  app.useGlobalFilters(new RpcProblemFilter(logger));
  // The Streams server enters each message's request context itself (one interceptor layer fewer per message).
  if (!(strategy instanceof RedisStreamsServer)) app.useGlobalInterceptors(new RequestContextInterceptor());
  // Handlers without guards, interceptors or declared parameters are called without Nest's async layers (lean-handlers.ts).
  leanMessageHandlers(app);
  return app;
}

/** What an entry point runs: created, then listening until SIGTERM/SIGINT. */
export interface Runnable {
  /** Resolves once listening (an HTTP app: with its server, whose address a cluster worker reports). */
  listen(): Promise<unknown>;
  /** Finish in-flight work within SHUTDOWN_GRACE_MS and close the connections. */
  close(): Promise<void>;
  /** Called first on a signal, synchronously: stop taking new work (e.g. the gateway answers 503 from now on). */
  drain?(): void;
  /** The app's Prometheus registry: as a cluster worker, what the primary aggregates (clusterMetrics). */
  metrics?: Registry;
}

/**
 * What every entry point does: load the configuration from the environment,
 * create the service's logger and the service, and listen; on SIGTERM/SIGINT
 * shut down gracefully (drain, close within SHUTDOWN_GRACE_MS, exit 0). Any
 * failure to start exits 1 with a clear message. With `workers` (runHttp)
 * above 1 this process is the primary of that many workers, each running the
 * rest (libs/common/src/cluster.ts).
 */
function run(name: string, load: () => AppConfig, create: (config: AppConfig, logger: Logger) => Promise<Runnable>, workers?: (config: AppConfig) => number): void {
  const start = async (): Promise<void> => {
    const config = load();
    const logger = createLogger(config, { name });
    const n = workers?.(config) ?? 1;
    if (cluster.isPrimary && n > 1) return runPrimary({ name, workers: n, graceMs: config.SHUTDOWN_GRACE_MS, logger });
    const worker = workers && cluster.isWorker;
    const app = await create(config, worker ? logger.child({ worker: cluster.worker!.id }) : logger);
    exitGracefullyOn(app, { graceMs: config.SHUTDOWN_GRACE_MS, logger, ...(app.drain ? { onSignal: () => app.drain!() } : {}) });
    if (worker) await workerCreated(app.metrics);
    const server = await app.listen();
    if (worker) workerListening(portOf(server));
  };
  start().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/** The port a listening server (what an HTTP app's listen() resolves with) is bound to, if it says. */
function portOf(server: unknown): number | null {
  const address = (server as { address?: () => AddressInfo | string | null } | undefined)?.address?.();
  return address && typeof address === 'object' ? address.port : null;
}

/** What every `XModule.forRoot(config, overrides)` accepts (an app adds its own seams): tests move the clock and capture the logs. */
export interface ServiceOverrides {
  /** Default: systemClock. */
  clock?: Clock;
  /** Default: createLogger(config, { name: the service }). */
  logger?: Logger;
}

/** Every service module's shape: `XModule.forRoot(config, overrides)`; the entry point passes the logger it created. */
export interface ServiceModule {
  forRoot(config: AppConfig, overrides: ServiceOverrides): DynamicModule;
}

export interface MicroserviceEntry {
  /** The service's name in log lines. */
  name: string;
  module: ServiceModule;
  /** Load and validate the configuration: loadConfig(process.env, the service's READ_BY name). */
  config: () => AppConfig;
}

/**
 * A service's main.ts: `runMicroservice({ name, module: XModule, config })`.
 * On SIGTERM/SIGINT it stops reading messages, finishes in-flight ones within
 * SHUTDOWN_GRACE_MS, closes connections and exits 0.
 */
export function runMicroservice(entry: MicroserviceEntry): void {
  run(entry.name, entry.config, (config, logger) => createMicroservice(entry.module.forRoot(config, { logger }), config, { logger }));
}

/**
 * An HTTP service's main.ts (the gateway, the dev CA): `create` builds the app
 * and says how it listens, drains and closes. `workers` (the gateway's
 * GATEWAY_WORKERS): above 1, that many worker processes share the port under
 * a primary that supervises them (libs/common/src/cluster.ts).
 */
export function runHttp(entry: { name: string; config: () => AppConfig; create: (config: AppConfig, logger: Logger) => Promise<Runnable>; workers?: (config: AppConfig) => number }): void {
  run(entry.name, entry.config, entry.create, entry.workers);
}
