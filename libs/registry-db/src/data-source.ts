import 'reflect-metadata';
import { DataSource } from 'typeorm';
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

/** Apply pending migrations (each in its own transaction); returns the names applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
