import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '@jointcert/common';
import { createDataSource, runMigrations } from './data-source';

/**
 * A transaction in progress. A use case gets one from
 * `RegistryDatabase.transaction` and hands it to the repositories, which join
 * it; the ORM behind it stays inside this library.
 */
export interface Tx {
  /** Raw SQL in this transaction, for a statement no repository makes (the idempotency record). */
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** The ORM's manager behind `tx` (for the repositories of this library); the pool's outside a transaction. */
export function entityManager(tx: Tx | undefined, dataSource: DataSource): EntityManager {
  return (tx as EntityManager | undefined) ?? dataSource.manager;
}

/**
 * The registry's database as its use cases see it: `transaction(fn)` runs fn
 * in one Postgres transaction (committed when fn resolves, rolled back when it
 * throws). At boot the registry's idempotency layer wraps it
 * (apps/registry/src/idempotency: recordInTransaction), so every transaction
 * records the pending request's result before it commits and is retried on a
 * serialization failure or deadlock; an outage surfaces as the driver's error,
 * which the transport maps to 503.
 */
export class RegistryDatabase {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** One statement outside a transaction. */
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T> {
    return this.dataSource.query<T>(sql, parameters);
  }

  /** Close the pool (at shutdown; again is a no-op). */
  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export interface RegistryDatabaseOptions {
  /** The services' (least-privilege) connection. */
  url: string;
  /** Apply pending migrations at boot. */
  migrate: boolean;
  /** The owner's connection for the migrations; `url` when unset. */
  migrationUrl?: string | undefined;
  /** Shown in pg_stat_activity. */
  applicationName: string;
}

/** Connect, then apply pending migrations when `migrate` (operators may run them separately). */
export async function openDataSource(options: RegistryDatabaseOptions, logger: Logger): Promise<DataSource> {
  if (options.migrate && options.migrationUrl) {
    // migrations as the owner, then the pool as the services' role (least privilege)
    const owner = createDataSource(options.migrationUrl, { applicationName: 'jointcert-migrate', poolSize: 1 });
    await owner.initialize();
    try {
      const applied = await runMigrations(owner);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');
    } finally {
      await owner.destroy();
    }
  }
  const dataSource = createDataSource(options.url, { applicationName: options.applicationName });
  await dataSource.initialize();
  if (options.migrate && !options.migrationUrl) {
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
