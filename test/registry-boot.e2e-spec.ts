/**
 * Booting and stopping the registry: migrations at boot (or not), and a
 * graceful shutdown that leaves no Postgres connection or Redis client behind.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createMicroservice, loadConfig, ServiceClient, transportClient, type AppConfig } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { MIGRATIONS } from '@jointcert/registry-db';
import { createTestDatabase, type TestDatabase } from '../libs/registry-db/test-support/database';
import { RegistryModule } from '../apps/registry/src/registry.module';
import { CLIENT } from './support/registry';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

function configFor(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: db.url, REDIS_PREFIX: `jc-reg-boot-${process.pid}-${randomBytes(3).toString('hex')}:`, ...env });
}

async function query<T>(sql: string): Promise<T[]> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

const registryConnections = () =>
  query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jointcert-registry'`).then((r) => r[0]!.n);

describe('registry boot', () => {
  it('applies the migrations at boot, answers, and closes its connections on shutdown', async () => {
    const config = configFor();
    const app = await createMicroservice(RegistryModule.forRoot(config), config);
    await app.listen();
    const client = new ServiceClient(transportClient(config), 5000);
    try {
      expect((await query<{ name: string }>(`SELECT name FROM migrations ORDER BY id`)).map((m) => m.name)).toEqual(MIGRATIONS.map((m) => new m().name));
      expect((await client.send(Api.registry.ping, {})).service).toBe('registry');
      const challenge = await client.send(Api.registry.createChallenge, { client: CLIENT });
      expect(challenge.challengeId).toBeDefined();
      expect(await registryConnections()).toBeGreaterThan(0);
    } finally {
      await client.close();
      await app.close();
    }
    expect(await registryConnections()).toBe(0);
  });

  it('with DATABASE_MIGRATE=false leaves the schema alone', async () => {
    const config = configFor({ DATABASE_MIGRATE: 'false' });
    const app = await createMicroservice(RegistryModule.forRoot(config), config);
    await app.close();
    expect(await query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
  });
});
