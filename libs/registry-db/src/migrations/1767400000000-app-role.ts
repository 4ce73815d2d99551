import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Least privilege: the services connect as a login role that is a member of
 * `jointcert_app` (NOLOGIN, created here when missing); migrations run as the
 * owner. The app role reads and writes the tables, except:
 * - audit_events: INSERT and SELECT only (append-only for the services; not
 *   being owner nor superuser, they cannot disable its trigger nor set
 *   session_replication_role either);
 * - migrations: SELECT only (the registry checks for pending migrations).
 * Tables and sequences the owner creates later (new migrations) get the same
 * grants through ALTER DEFAULT PRIVILEGES; an append-only table of a later
 * migration must REVOKE UPDATE, DELETE from jointcert_app itself.
 */
export const APP_ROLE = 'jointcert_app';

export class AppRole1767400000000 implements MigrationInterface {
  name = 'AppRole1767400000000';

  async up(q: QueryRunner): Promise<void> {
    // roles are per cluster: another database may have created it (concurrently, in tests)
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
    await q.query(`GRANT CONNECT, TEMPORARY ON DATABASE "${await currentDatabase(q)}" TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "audit_events" FROM ${APP_ROLE}`);
    await q.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "migrations" FROM ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE CONNECT, TEMPORARY ON DATABASE "${await currentDatabase(q)}" FROM ${APP_ROLE}`);
  }
}

async function currentDatabase(q: QueryRunner): Promise<string> {
  const rows = (await q.query(`SELECT current_database() AS name`)) as Array<{ name: string }>;
  return rows[0]!.name.replace(/"/g, '""');
}
