import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { closeRedis, openRedisConnection, createServiceClient, type AppConfig, type Logger, type ServiceClient } from '@jointcert/common';
import { createDataSource, runMigrations } from '@jointcert/registry-db';
import { LOGGER, VERIFIER } from '../registry.tokens';

/** Postgres: connect, then apply pending migrations unless DATABASE_MIGRATE=false (operators may run them separately). */
export async function openDatabase(config: AppConfig, logger: Logger): Promise<DataSource> {
  const dataSource = createDataSource(config.DATABASE_URL, { applicationName: 'jointcert-registry' });
  await dataSource.initialize();
  if (config.DATABASE_MIGRATE) {
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

/** Redis for challenges, rate limits and session revocations: fail a command fast rather than queue it for long. */
export function openRedis(config: AppConfig, logger?: Logger): Promise<Redis> {
  return openRedisConnection(config, { name: 'registry', ...(logger ? { logger } : {}) });
}

export function openVerifierClient(config: AppConfig, logger: Logger): ServiceClient {
  return createServiceClient(config, logger);
}

/** Graceful shutdown: after the transport stops, close the verifier client, Redis and the Postgres pool. */
@Injectable()
export class RegistryResources implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    @Inject(VERIFIER) private readonly verifier: ServiceClient,
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

