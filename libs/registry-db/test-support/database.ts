import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A throwaway database per test file on the machine's Postgres:
 * `jointcert_test_<pid>_<random>`, dropped (with its connections) afterwards.
 */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createTestDatabase(adminUrl: string = ADMIN_URL): Promise<TestDatabase> {
  const name = `jointcert_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(adminUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
