import { Global, Inject, Module, type DynamicModule, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { closeRedis, CONFIG, createRedisConnection, LOGGER, ServiceClient, transportClient, SessionRevocations, type AppConfig, type Logger } from '@jointcert/common';
import { Authenticator } from '../auth/authenticator';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { MeteredServiceClient } from '../metrics/metered-service-client';
import { ClientRateLimiter } from '../rate-limit/client-rate-limiter';

export const GATEWAY_REDIS = Symbol('gateway redis');
/** A ServiceClient with a short timeout, for readiness probes. */
export const PROBE_CLIENT = Symbol('probe client');

/** How long /health/ready waits for Redis and each service. */
export function probeTimeoutMs(config: Pick<AppConfig, 'SERVICE_TIMEOUT_MS'>): number {
  return Math.min(1000, config.SERVICE_TIMEOUT_MS);
}

/**
 * The gateway's shared resources, built once from the validated config: one
 * ioredis connection (rate limits, session revocations, readiness), one Redis
 * transport client to the services (timed into the metrics), the metrics
 * registry. Global so that test roots can import GatewayModule beside their
 * own controllers.
 */
@Global()
@Module({})
export class GatewayCoreModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
    private readonly services: ServiceClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `transport`: the client to the services (default: the transport's; with COLOCATE, one that calls the hosted services in this process). */
  static forRoot(config: AppConfig, logger: Logger, metrics: GatewayMetrics, transport?: ClientProxy): DynamicModule {
    // Reconnects forever with backoff, fails fast while down (libs/common redis/connection).
    // Commands issued in one turn (many requests' EXISTS / rate-limit scripts) share one write.
    const redis = createRedisConnection(config, { name: 'gateway', logger, lazyConnect: true, commandTimeoutMs: probeTimeoutMs(config), autoPipelining: true });
    const proxy = transport ?? transportClient(config, logger);
    const services = new MeteredServiceClient(proxy, config.SERVICE_TIMEOUT_MS, logger, metrics);
    const revocations = new SessionRevocations(redis, config);
    return {
      module: GatewayCoreModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: GATEWAY_REDIS, useValue: redis },
        { provide: GatewayMetrics, useValue: metrics },
        { provide: ServiceClient, useValue: services },
        { provide: PROBE_CLIENT, useValue: new ServiceClient(proxy, probeTimeoutMs(config)) },
        { provide: Authenticator, useValue: new Authenticator(config, revocations, logger) },
        { provide: ClientRateLimiter, useValue: new ClientRateLimiter(redis, config, logger) },
      ],
      exports: [CONFIG, LOGGER, GATEWAY_REDIS, GatewayMetrics, ServiceClient, PROBE_CLIENT, Authenticator, ClientRateLimiter],
    };
  }

  async onModuleInit(): Promise<void> {
    // Start without Redis if need be: /health/ready reports it, limited and authenticated routes answer 503.
    await this.redis.connect().catch((err: unknown) => this.logger.warn({ err }, 'redis not reachable at start'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.services.close();
    await closeRedis(this.redis);
  }
}
