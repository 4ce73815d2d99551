import 'reflect-metadata';
import { DataSource, MigrationExecutor } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface RegistryDataSourceOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Log every SQL statement (debugging only). */
  logging?: boolean;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * The registry's DataSource: entities and migrations listed explicitly (no
 * globs, so it works the same from ts, jest and dist), `synchronize` off —
 * the schema changes only through migrations.
 */
export function createDataSource(url: string, options: RegistryDataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL ≥ 13; no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: options.poolSize ?? 10,
    logging: options.logging ?? false,
    applicationName: options.applicationName ?? 'jointcert',
  });
}

/** The advisory lock every jointcert migrator holds while it migrates ('jcmigrat' as a bigint; per database). */
const MIGRATION_LOCK = '7666091290189259124';

/**
 * Apply pending migrations (each in its own transaction); returns the names
 * applied. Replicas that boot together (compose `deploy: replicas`, several
 * registries) would each apply the same pending migration and all but one
 * fail on it (TypeORM takes no lock), so the migrations run on one
 * connection holding a session-level advisory lock: migrators take turns,
 * the first applies, the others then find nothing pending. Postgres drops
 * the lock with the session if the process dies mid-way. Works on a pool of
 * one connection (the owner's).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      return (await executor.executePendingMigrations()).map((m) => m.name);
    } finally {
      // a failed unlock fails the boot, whose exit closes the session and with it the lock
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
