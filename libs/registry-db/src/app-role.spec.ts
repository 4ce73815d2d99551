import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../test-support/database';
import { createDataSource, runMigrations } from './data-source';
import { APP_ROLE } from './migrations/1767400000000-app-role';

// Least privilege on a real Postgres: migrations as the owner, the services as
// a login role in jointcert_app.
describe('the app role (jointcert_app)', () => {
  let db: TestDatabase;
  let owner: DataSource;
  let app: Client;
  const login = `jc_test_login_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createDataSource(db.url, { poolSize: 2 });
    await owner.initialize();
    await runMigrations(owner);
    await owner.query(`CREATE ROLE ${login} LOGIN IN ROLE ${APP_ROLE}`);
    const url = new URL(db.url);
    url.username = login;
    app = new Client({ connectionString: url.toString() });
    await app.connect();
  });
  afterAll(async () => {
    await app.end();
    await owner.destroy();
    await db.drop();
    const admin = new Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${login}`);
    await admin.end();
  });

  /** The SQLSTATE of a statement run as the app role, or 'ok'. */
  async function asApp(sql: string): Promise<string> {
    try {
      await app.query(sql);
      return 'ok';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  }

  it('is neither superuser nor owner of anything', async () => {
    const { rows } = await app.query<{ rolsuper: boolean }>(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
    expect(rows[0]!.rolsuper).toBe(false);
    const owned = await app.query(`SELECT relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname IN (current_user, '${APP_ROLE}')`);
    expect(owned.rows).toEqual([]);
  });

  it('appends to and reads audit_events, but cannot change, delete, truncate or unprotect them', async () => {
    expect(await asApp(`INSERT INTO audit_events (action, outcome, ip, details) VALUES ('login', 'failure', '192.0.2.1', '{}')`)).toBe('ok');
    const { rows } = await app.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events`);
    expect(rows[0]!.n).toBe('1');
    expect(await asApp(`UPDATE audit_events SET outcome = 'success'`)).toBe('42501');
    expect(await asApp(`DELETE FROM audit_events`)).toBe('42501');
    expect(await asApp(`TRUNCATE audit_events`)).toBe('42501');
    // the bypasses a superuser or the owner would have
    expect(await asApp(`SET session_replication_role = replica`)).toBe('42501');
    expect(await asApp(`ALTER TABLE audit_events DISABLE TRIGGER ALL`)).toBe('42501');
    expect(await asApp(`DROP TRIGGER audit_events_no_update_delete ON audit_events`)).toBe('42501');
    const after = await owner.query<Array<{ n: string; outcome: string }>>(`SELECT count(*) AS n, min(outcome) AS outcome FROM audit_events`);
    expect(after[0]).toEqual({ n: '1', outcome: 'failure' });
  });

  it('reads and writes the other tables, reads the migrations, and changes no schema', async () => {
    expect(await asApp(`SELECT * FROM accounts`)).toBe('ok');
    expect(await asApp(`DELETE FROM sessions`)).toBe('ok');
    expect(await asApp(`SELECT name FROM migrations`)).toBe('ok');
    expect(await asApp(`DELETE FROM migrations`)).toBe('42501');
    expect(await asApp(`ALTER TABLE accounts ADD COLUMN x int`)).toBe('42501');
    expect(await asApp(`DROP TABLE sessions`)).toBe('42501');
  });

  it('gets the same rights on a table a later migration creates (default privileges)', async () => {
    await owner.query(`CREATE TABLE later_table (id bigserial PRIMARY KEY, v text)`);
    expect(await asApp(`INSERT INTO later_table (v) VALUES ('a')`)).toBe('ok');
    expect(await asApp(`UPDATE later_table SET v = 'b'`)).toBe('ok');
    expect(await asApp(`DELETE FROM later_table`)).toBe('ok');
  });
});
