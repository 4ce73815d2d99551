import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../test-support/database';
import { createDataSource, runMigrations } from './data-source';
import { MIGRATIONS } from './migrations';

// Medium tests on a real Postgres with the real migrations.
describe('registry schema', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('never synchronizes', () => {
    expect(ds.options.synchronize).toBe(false);
    expect(ds.options.migrationsRun).toBe(false);
  });

  it('applies every migration, once', async () => {
    expect(await runMigrations(ds)).toEqual(MIGRATIONS.map((m) => new m().name ?? m.name));
    expect(await runMigrations(ds)).toEqual([]);
  });

  it('migrators started together take turns: each migration applied once, by one of them, and both succeed', async () => {
    // replicas booting at once (compose `deploy: replicas`, several registries) each run the pending migrations
    const fresh = await createTestDatabase();
    const replicas = [1, 2, 3].map(() => createDataSource(fresh.url, { poolSize: 1 }));
    try {
      await Promise.all(replicas.map((r) => r.initialize()));
      const applied = await Promise.all(replicas.map((r) => runMigrations(r)));
      expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => new m().name ?? m.name).sort());
      const rows = await replicas[0]!.query<Array<{ n: string }>>('SELECT count(*) AS n FROM migrations');
      expect(Number(rows[0]!.n)).toBe(MIGRATIONS.length);
      // the lock is released: a later migrator is not kept waiting
      expect(await runMigrations(replicas[1]!)).toEqual([]);
    } finally {
      await Promise.all(replicas.filter((r) => r.isInitialized).map((r) => r.destroy()));
      await fresh.drop();
    }
  });

  it('entities and migrations agree: no pending schema change', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  describe('audit_events is append-only', () => {
    let id: string;
    beforeAll(async () => {
      const rows = await ds.query<Array<{ id: string }>>(
        `INSERT INTO audit_events (action, outcome, ip, details) VALUES ('login', 'failure', '192.0.2.1', '{"k":1}') RETURNING id`,
      );
      id = rows[0]!.id;
    });

    it('accepts inserts and reads', async () => {
      const rows = await ds.query<unknown[]>(`SELECT action, outcome, host(ip) AS ip, details FROM audit_events WHERE id = $1`, [id]);
      expect(rows).toEqual([{ action: 'login', outcome: 'failure', ip: '192.0.2.1', details: { k: 1 } }]);
    });

    it.each([
      ['UPDATE', `UPDATE audit_events SET outcome = 'success' WHERE id = $1`],
      ['DELETE', `DELETE FROM audit_events WHERE id = $1`],
    ])('refuses %s', async (op, sql) => {
      await expect(ds.query(sql, [id])).rejects.toMatchObject({ driverError: { code: '42501', message: `audit_events is append-only (${op} refused)` } });
      const rows = await ds.query<unknown[]>(`SELECT outcome FROM audit_events WHERE id = $1`, [id]);
      expect(rows).toEqual([{ outcome: 'failure' }]);
    });

    it('refuses TRUNCATE', async () => {
      await expect(ds.query(`TRUNCATE audit_events`)).rejects.toMatchObject({ driverError: { code: '42501' } });
    });
  });

  describe('notifications are exactly once', () => {
    let certificateId: string;
    beforeAll(async () => {
      const [account] = await ds.query<Array<Record<string, unknown>>>(`INSERT INTO accounts DEFAULT VALUES RETURNING id, reminder_days, locale, reminders_enabled`);
      expect(account).toMatchObject({ reminder_days: [30, 7, 1], locale: 'ko', reminders_enabled: true });
      const [cert] = await ds.query<Array<{ id: string }>>(
        `INSERT INTO certificates (account_id, der, fingerprint_sha256, issuer_dn, issuer_key, serial_hex, subject_dn, not_before, not_after)
         VALUES ($1, '\\x30'::bytea, repeat('a', 64), 'CN=CA', 'cn=ca', '01', 'CN=u', now(), now() + interval '30 days') RETURNING id`,
        [account!.id],
      );
      certificateId = cert!.id;
    });

    const insert = (kind: string, threshold: number | null): Promise<unknown> =>
      ds.query(`INSERT INTO notifications (certificate_id, kind, threshold_days) VALUES ($1, $2, $3)`, [certificateId, kind, threshold]);

    it('one expiry reminder per threshold', async () => {
      await insert('expiry', 30);
      await insert('expiry', 7);
      await expect(insert('expiry', 30)).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'uq_notifications_threshold' } });
    });

    it('one revocation notice per certificate (no threshold)', async () => {
      await insert('revoked', null);
      await expect(insert('revoked', null)).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'uq_notifications_once' } });
    });

    it('a threshold (key) on every kind but revocation notices', async () => {
      await expect(insert('expiry', null)).rejects.toMatchObject({ driverError: { code: '23514' } });
      await expect(insert('lock', null)).rejects.toMatchObject({ driverError: { code: '23514' } });
      await expect(insert('unused', null)).rejects.toMatchObject({ driverError: { code: '23514' } });
      await expect(insert('revoked', 3)).rejects.toMatchObject({ driverError: { code: '23514' } });
    });

    it('one lock confirmation per lock number, one unused notice per last-use day', async () => {
      await insert('lock', 1);
      await insert('lock', 2);
      await expect(insert('lock', 1)).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'uq_notifications_threshold' } });
      await insert('unused', 20000);
      await expect(insert('unused', 20000)).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'uq_notifications_threshold' } });
    });
  });
});
