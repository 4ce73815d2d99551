import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { closeRedis, openRedisConnection, createServiceClient, LOGGER, type AppConfig, type Logger, type ServiceCaller, type Clock } from '@jointcert/common';
import { createDataSource, runMigrations } from '@jointcert/registry-db';
import { createInProcessVerifier } from '@jointcert/verification';
import { VERIFIER } from '../registry.tokens';

/** Postgres: connect, then apply pending migrations unless DATABASE_MIGRATE=false (operators may run them separately). */
export async function openDatabase(config: AppConfig, logger: Logger): Promise<DataSource> {
  if (config.DATABASE_MIGRATE && config.MIGRATION_DATABASE_URL) {
    // migrations as the owner, then the pool as the services' role (least privilege)
    const owner = createDataSource(config.MIGRATION_DATABASE_URL, { applicationName: 'jointcert-migrate', poolSize: 1 });
    await owner.initialize();
    try {
      const applied = await runMigrations(owner);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');
    } finally {
      await owner.destroy();
    }
  }
  const dataSource = createDataSource(config.DATABASE_URL, { applicationName: 'jointcert-registry' });
  await dataSource.initialize();
  if (config.DATABASE_MIGRATE && !config.MIGRATION_DATABASE_URL) {
    try {
      const applied = await runMigrations(dataSource);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');
    } catch (err) {
      await dataSource.destroy();
      throw err;
    }
  }
  return dataSource;
}

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
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    @Inject(VERIFIER) private readonly verifier: ServiceCaller,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const results = await Promise.allSettled([
      this.verifier.close(),
      closeRedis(this.redis),
      this.dataSource.isInitialized ? this.dataSource.destroy() : Promise.resolve(),
    ]);
    for (const r of results) if (r.status === 'rejected') this.logger.warn({ err: r.reason as unknown }, 'error while closing a resource');
  }
}

