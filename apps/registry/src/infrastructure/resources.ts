import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { closeRedis, openRedisConnection, createServiceClient, LOGGER, type AppConfig, type Logger, type ServiceCaller, type Clock } from '@jointcert/common';
import { RegistryDatabase } from '@jointcert/registry-db';
import { createInProcessVerifier } from '@jointcert/verification';
import { VERIFIER } from '../registry.tokens';

/**
 * Redis for challenges, rate limits and session revocations: reconnects
 * forever, fails a command fast while down; commands issued in the same tick
 * by concurrent requests leave in one write (auto-pipelining).
 */
export function openRedis(config: AppConfig, logger?: Logger): Promise<Redis> {
  return openRedisConnection(config, { name: 'registry', autoPipelining: true, ...(logger ? { logger } : {}) });
}

/** The verifier over the transport (VERIFIER_MODE=remote), or its use cases in this process (in-process). */
export async function openVerifierClient(config: AppConfig, logger: Logger, clock: Clock): Promise<ServiceCaller> {
  // in-process, the verifier shares the registry's clock (tests move it)
  if (config.VERIFIER_MODE === 'in-process') return createInProcessVerifier(config, { logger: logger.child({ name: 'verifier' }), clock });
  return createServiceClient(config, logger);
}

/** Graceful shutdown: after the transport stops, close the verifier client, Redis and the Postgres pool. */
@Injectable()
export class RegistryResources implements OnApplicationShutdown {
  constructor(
    private readonly database: RegistryDatabase,
    private readonly redis: Redis,
    @Inject(VERIFIER) private readonly verifier: ServiceCaller,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const results = await Promise.allSettled([
      this.verifier.close(),
      closeRedis(this.redis),
      this.database.close(),
    ]);
    for (const r of results) if (r.status === 'rejected') this.logger.warn({ err: r.reason as unknown }, 'error while closing a resource');
  }
}

