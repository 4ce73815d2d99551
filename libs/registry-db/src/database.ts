import type { DataSource, EntityManager } from 'typeorm';
import { isRetryableTransactionError, type Logger } from '@jointcert/common';
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

/** Attempts of a transaction that failed with a serialization failure or deadlock (40001, 40P01) before the error (a 503) stands. */
/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count]; INSERT … RETURNING with rows. */
export function hasRow(result: unknown[]): boolean {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1] > 0;
  return result.length > 0;
}

export const TRANSACTION_ATTEMPTS = 3;

/**
 * What every transaction does at its edges besides fn (the registry's
 * idempotency record, apps/registry/src/idempotency). Given once, when the
 * database is provided (RegistryDbModule.forRoot).
 */
export interface TransactionHook {
  /** Inside the transaction, after fn resolved with `result`, before the commit (a throw rolls it all back). */
  beforeCommit(tx: Tx, result: unknown): Promise<void>;
  /** After the commit. */
  afterCommit(): void;
}

/**
 * The registry's database as its use cases see it: `transaction(fn)` runs fn
 * in one Postgres transaction (committed when fn resolves, rolled back when it
 * throws). A transaction that fails with a serialization failure or deadlock
 * is run again, whole, up to TRANSACTION_ATTEMPTS times with a short random
 * pause (fn does database work only, so it can be repeated); after that, or
 * on any other error, the error passes through — an outage surfaces as the
 * driver's error, which the transport maps to 503. The hook, if any, runs at
 * the edges of every attempt.
 */
export class RegistryDatabase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hook?: TransactionHook,
  ) {}

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const hook = this.hook;
    const work = hook === undefined ? fn : async (tx: Tx): Promise<T> => {
      const result = await fn(tx);
      await hook.beforeCommit(tx, result);
      return result;
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.dataSource.transaction(work);
        hook?.afterCommit();
        return result;
      } catch (err) {
        if (attempt >= TRANSACTION_ATTEMPTS || !isRetryableTransactionError(err)) throw err;
        await new Promise((resume) => setTimeout(resume, 5 + Math.random() * 20 * attempt));
      }
    }
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
  /** Run at the edges of every transaction (see TransactionHook). */
  transactionHook?: TransactionHook | undefined;
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
