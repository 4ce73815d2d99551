import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { QueryConfig } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { isDependencyOutage } from '@jointcert/common';
import { createTestDatabase, type TestDatabase } from '../../test-support/database';
import { createDataSource, runMigrations } from '../data-source';
import { AccountEntity } from '../entities/account.entity';
import { CertificateRepository } from './certificate.repository';
import { LoginRepository, pgPool, type LoginOutcome, type LoginWrite } from './login.repository';

describe('LoginRepository.openSession: the login transaction as one statement (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let logins: LoginRepository;
  let certificates: CertificateRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await runMigrations(ds);
    logins = new LoginRepository(ds);
    certificates = new CertificateRepository(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  async function registered(): Promise<{ accountId: string; certificateId: string; fingerprint: string }> {
    const account = await ds.getRepository(AccountEntity).save({ email: 'a@example.kr', reminderDays: [30, 7] });
    const der = randomBytes(64);
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const cert = await certificates.registerActive({
      accountId: account.id,
      der,
      fingerprintSha256: fingerprint,
      issuerDn: 'CN=ca',
      issuerKey: 'cn=ca',
      serialHex: '01',
      subjectDn: 'CN=user',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    });
    return { accountId: account.id, certificateId: cert.id, fingerprint };
  }

  function write(fingerprint: string, ip = '203.0.113.7'): LoginWrite {
    return {
      fingerprintSha256: fingerprint,
      sessionId: randomUUID(),
      familyId: randomUUID(),
      refreshTokenHash: randomBytes(32).toString('hex'),
      expiresAt: new Date(Date.now() + 3600_000),
      ip,
      userAgent: 'jest',
      requestId: `req-${randomUUID()}`,
    };
  }

  const count = async (sql: string, params: unknown[]): Promise<number> => (await ds.query<Array<{ n: number }>>(sql, params))[0]!.n;

  /** Run fn while another transaction holds the certificate's row FOR UPDATE (as a delete or replace does); rolled back unless fn committed. */
  async function whileRowLocked(certificateId: string, fn: (runner: QueryRunner) => Promise<void>): Promise<void> {
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query('SELECT id FROM certificates WHERE id = $1 FOR UPDATE', [certificateId]);
      await fn(runner);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }

  async function lockWaits(): Promise<number> {
    let waiting = 0;
    for (let i = 0; i < 2000 && waiting === 0; i++) {
      waiting = await count("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", []);
    }
    return waiting;
  }

  it('opens the session and its success audit row together, and returns the account', async () => {
    const { accountId, certificateId, fingerprint } = await registered();
    const w = write(fingerprint);
    const out = await logins.openSession(w);
    expect(out).toEqual({
      kind: 'opened',
      certificateId,
      account: { id: accountId, email: 'a@example.kr', locale: 'ko', remindersEnabled: true, reminderDays: [30, 7], passwordReminderEnabled: false, passwordReminderDays: 90, createdAt: expect.any(Date) as Date },
    });
    const [session] = await ds.query<Array<Record<string, unknown>>>('SELECT account_id, certificate_id, family_id, refresh_token_hash, ip::text AS ip, user_agent FROM sessions WHERE id = $1', [w.sessionId]);
    expect(session).toEqual({ account_id: accountId, certificate_id: certificateId, family_id: w.familyId, refresh_token_hash: w.refreshTokenHash, ip: '203.0.113.7/32', user_agent: 'jest' });
    const audit = await ds.query<Array<Record<string, unknown>>>("SELECT action, outcome, reason, account_id, certificate_id, request_id, host(ip) AS ip, user_agent, details FROM audit_events WHERE request_id = $1", [w.requestId]);
    expect(audit).toEqual([
      { action: 'login', outcome: 'success', reason: null, account_id: accountId, certificate_id: certificateId, request_id: w.requestId, ip: '203.0.113.7', user_agent: 'jest', details: { fingerprint, sessionId: w.sessionId } },
    ]);
  });

  it('an unknown, replaced or deleted certificate: not-registered, nothing written', async () => {
    const unknown = write(randomBytes(32).toString('hex'));
    expect(await logins.openSession(unknown)).toEqual({ kind: 'not-registered' });
    const { certificateId, fingerprint } = await registered();
    await ds.query("UPDATE certificates SET status = 'deleted' WHERE id = $1", [certificateId]);
    const w = write(fingerprint);
    expect(await logins.openSession(w)).toEqual({ kind: 'not-registered' });
    expect(await count('SELECT count(*)::int AS n FROM sessions WHERE id = ANY($1)', [[unknown.sessionId, w.sessionId]])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM audit_events WHERE request_id = ANY($1)', [[unknown.requestId, w.requestId]])).toBe(0);
  });

  it('waits for a concurrent delete holding the row (FOR UPDATE) and then refuses, writing nothing', async () => {
    const { certificateId, fingerprint } = await registered();
    await whileRowLocked(certificateId, async (runner) => {
      const w = write(fingerprint);
      const pending = logins.openSession(w);
      expect(await lockWaits()).toBe(1);
      await runner.query("UPDATE certificates SET status = 'deleted' WHERE id = $1", [certificateId]);
      await runner.commitTransaction();
      expect(await pending).toEqual({ kind: 'not-registered' });
      expect(await count('SELECT count(*)::int AS n FROM sessions WHERE certificate_id = $1', [certificateId])).toBe(0);
    });
  });

  it('without a client address neither row has one', async () => {
    const { fingerprint } = await registered();
    const w = { ...write(fingerprint), ip: null };
    expect((await logins.openSession(w)).kind).toBe('opened');
    expect(await count('SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1 AND ip IS NULL', [w.requestId])).toBe(1);
  });

  it('with an idempotency record: the request_results row commits with the session, the account id bound in clear', async () => {
    const { accountId, fingerprint } = await registered();
    const record = { requestId: randomBytes(32).toString('hex'), action: 'login', result: JSON.stringify({ iv: 'i', tag: 't', data: 'd' }) };
    const w = { ...write(fingerprint), record };
    expect((await logins.openSession(w)).kind).toBe('opened');
    const rows = await ds.query<Array<{ action: string; result: unknown }>>('SELECT action, result FROM request_results WHERE request_id = $1', [record.requestId]);
    expect(rows).toEqual([{ action: 'login', result: { iv: 'i', tag: 't', data: 'd', accountId } }]);
  });

  it('a record already there for the request: the whole statement fails (pk_request_results), no session or audit row', async () => {
    const { fingerprint } = await registered();
    const record = { requestId: randomBytes(32).toString('hex'), action: 'login', result: JSON.stringify({ iv: 'i', tag: 't', data: 'd' }) };
    await logins.openSession({ ...write(fingerprint), record });
    const second = { ...write(fingerprint), record };
    await expect(logins.openSession(second)).rejects.toMatchObject({ code: '23505', constraint: 'pk_request_results' });
    expect(await count('SELECT count(*)::int AS n FROM sessions WHERE id = $1', [second.sessionId])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1', [second.requestId])).toBe(0);
  });

  it('an unknown certificate with a record: nothing recorded', async () => {
    const record = { requestId: randomBytes(32).toString('hex'), action: 'login', result: JSON.stringify({ iv: 'i', tag: 't', data: 'd' }) };
    expect(await logins.openSession({ ...write(randomBytes(32).toString('hex')), record })).toEqual({ kind: 'not-registered' });
    expect(await count('SELECT count(*)::int AS n FROM request_results WHERE request_id = $1', [record.requestId])).toBe(0);
  });

  describe('concurrent logins share statements (group commit)', () => {
    const sealed = (): { requestId: string; action: string; result: string } => ({ requestId: randomBytes(32).toString('hex'), action: 'login', result: JSON.stringify({ iv: 'i', tag: 't', data: 'd' }) });

    /**
     * `writes` sent while a lone login holds the repository's only statement
     * slot: they wait, then go out together when it frees.
     */
    async function inOneGroup(writes: LoginWrite[], whileWaiting?: () => Promise<void>): Promise<{ repo: LoginRepository; settled: Array<PromiseSettledResult<LoginOutcome>> }> {
      const repo = new LoginRepository(ds, { maxInFlight: 1 });
      const lone = repo.openSession(write((await registered()).fingerprint));
      const settled = Promise.allSettled(writes.map((w) => repo.openSession(w)));
      expect((await lone).kind).toBe('opened');
      if (whileWaiting) await whileWaiting();
      return { repo, settled: await settled };
    }

    it('a lone login goes out at once, alone', async () => {
      const repo = new LoginRepository(ds);
      expect((await repo.openSession(write((await registered()).fingerprint))).kind).toBe('opened');
      expect(repo.statements).toEqual({ sent: 1, groups: 0, groupedLogins: 0, rerun: 0 });
    });

    it('logins that arrive while the slots are taken go out as one statement, each with its session, audit row and record', async () => {
      const users = await Promise.all(Array.from({ length: 6 }, () => registered()));
      const writes = users.map((u, i) => ({ ...write(u.fingerprint, `198.51.100.${i + 1}`), record: i % 2 === 0 ? sealed() : null }));
      const { repo, settled } = await inOneGroup(writes);
      expect(repo.statements).toEqual({ sent: 2, groups: 1, groupedLogins: 6, rerun: 0 });
      settled.forEach((s, i) => expect(s).toEqual({ status: 'fulfilled', value: expect.objectContaining({ kind: 'opened', certificateId: users[i]!.certificateId, account: expect.objectContaining({ id: users[i]!.accountId }) }) }));
      for (const [i, w] of writes.entries()) {
        const [session] = await ds.query<Array<Record<string, unknown>>>('SELECT account_id, certificate_id, family_id, refresh_token_hash, expires_at, host(ip) AS ip, user_agent FROM sessions WHERE id = $1', [w.sessionId]);
        expect(session).toEqual({ account_id: users[i]!.accountId, certificate_id: users[i]!.certificateId, family_id: w.familyId, refresh_token_hash: w.refreshTokenHash, expires_at: w.expiresAt, ip: w.ip, user_agent: 'jest' });
        const audit = await ds.query<Array<Record<string, unknown>>>('SELECT action, outcome, account_id, host(ip) AS ip, user_agent, details FROM audit_events WHERE request_id = $1', [w.requestId]);
        expect(audit).toEqual([{ action: 'login', outcome: 'success', account_id: users[i]!.accountId, ip: w.ip, user_agent: 'jest', details: { fingerprint: users[i]!.fingerprint, sessionId: w.sessionId } }]);
        if (w.record) {
          const rows = await ds.query<Array<{ result: unknown }>>('SELECT result FROM request_results WHERE request_id = $1', [w.record.requestId]);
          expect(rows).toEqual([{ result: { iv: 'i', tag: 't', data: 'd', accountId: users[i]!.accountId } }]);
        }
      }
    });

    it('mixed outcomes in one statement: registered, unknown, deleted, locked, account missing', async () => {
      const ok = await registered();
      const deleted = await registered();
      await ds.query("UPDATE certificates SET status = 'deleted' WHERE id = $1", [deleted.certificateId]);
      const locked = await registered();
      await ds.query('UPDATE certificates SET locked_at = now() WHERE id = $1', [locked.certificateId]);
      const orphan = await registered();
      await ds.transaction(async (m) => {
        // an account gone under its certificate (the foreign key bypassed): the statement's account-missing branch
        await m.query('SET LOCAL session_replication_role = replica');
        await m.query('DELETE FROM accounts WHERE id = $1', [orphan.accountId]);
      });
      const writes = [write(ok.fingerprint), write(randomBytes(32).toString('hex')), write(deleted.fingerprint), write(locked.fingerprint), write(orphan.fingerprint)].map((w) => ({ ...w, record: sealed() }));
      const { repo, settled } = await inOneGroup(writes);
      expect(repo.statements.groups).toBe(1);
      expect(repo.statements.rerun).toBe(0);
      expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.kind : 'rejected'))).toEqual(['opened', 'not-registered', 'not-registered', 'not-registered', 'account-missing']);
      expect(settled[4]).toEqual({ status: 'fulfilled', value: { kind: 'account-missing', accountId: orphan.accountId, certificateId: orphan.certificateId } });
      const ids = writes.map((w) => w.sessionId);
      expect(await count('SELECT count(*)::int AS n FROM sessions WHERE id = ANY($1)', [ids])).toBe(1);
      expect(await count('SELECT count(*)::int AS n FROM audit_events WHERE request_id = ANY($1)', [writes.map((w) => w.requestId)])).toBe(1);
      expect(await count('SELECT count(*)::int AS n FROM request_results WHERE request_id = ANY($1)', [writes.map((w) => w.record.requestId)])).toBe(1);
    });

    it('the same certificate twice in one statement: two logins, two sessions', async () => {
      const { certificateId, fingerprint } = await registered();
      const writes = [write(fingerprint), write(fingerprint)];
      const { repo, settled } = await inOneGroup(writes);
      expect(repo.statements.groups).toBe(1);
      expect(settled.map((s) => s.status === 'fulfilled' && s.value.kind)).toEqual(['opened', 'opened']);
      expect(await count('SELECT count(*)::int AS n FROM sessions WHERE id = ANY($1) AND certificate_id = $2', [writes.map((w) => w.sessionId), certificateId])).toBe(2);
    });

    it("one login's request is already recorded: the statement fails whole, each login runs again alone — that one gets 23505, the others open", async () => {
      const users = await Promise.all(Array.from({ length: 3 }, () => registered()));
      const taken = sealed();
      await logins.openSession({ ...write(users[0]!.fingerprint), record: taken });
      const writes = [{ ...write(users[0]!.fingerprint), record: sealed() }, { ...write(users[1]!.fingerprint), record: taken }, write(users[2]!.fingerprint)];
      const { repo, settled } = await inOneGroup(writes);
      expect(repo.statements).toEqual({ sent: 5, groups: 1, groupedLogins: 3, rerun: 1 });
      expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { kind: 'opened' } });
      expect(settled[1]).toMatchObject({ status: 'rejected', reason: { code: '23505', constraint: 'pk_request_results' } });
      expect(settled[2]).toMatchObject({ status: 'fulfilled', value: { kind: 'opened' } });
      expect(await count('SELECT count(*)::int AS n FROM sessions WHERE id = ANY($1)', [writes.map((w) => w.sessionId)])).toBe(2);
      expect(await count('SELECT count(*)::int AS n FROM sessions WHERE id = $1', [writes[1]!.sessionId])).toBe(0);
      expect(await count('SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1', [writes[1]!.requestId])).toBe(0);
      expect(await count('SELECT count(*)::int AS n FROM request_results WHERE request_id = $1', [writes[0]!.record!.requestId])).toBe(1);
    });

    it('two copies of one keyed login in one statement: one opens, the other gets 23505', async () => {
      const { fingerprint } = await registered();
      const record = sealed();
      const { repo, settled } = await inOneGroup([{ ...write(fingerprint), record }, { ...write(fingerprint), record }]);
      expect(repo.statements.rerun).toBe(1);
      expect(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.kind)).toEqual(['opened']);
      expect(settled.filter((s) => s.status === 'rejected').map((s) => (s.reason as { code: string }).code)).toEqual(['23505']);
    });

    it('a value Postgres refuses in one login (a malformed address): only that login fails, as it would alone', async () => {
      const [a, b] = await Promise.all([registered(), registered()]);
      const { repo, settled } = await inOneGroup([write(a.fingerprint), write(b.fingerprint, 'not-an-address')]);
      expect(repo.statements.rerun).toBe(1);
      expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { kind: 'opened' } });
      expect(settled[1]).toMatchObject({ status: 'rejected', reason: { code: '22P02' } });
    });

    it('a concurrent delete holding a row: the statement waits, then refuses that certificate only (no session after the delete)', async () => {
      const victim = await registered();
      const others = await Promise.all([registered(), registered()]);
      const writes = [write(victim.fingerprint), write(others[0].fingerprint), write(victim.fingerprint), write(others[1].fingerprint)];
      await whileRowLocked(victim.certificateId, async (runner) => {
        const { repo, settled } = await inOneGroup(writes, async () => {
          expect(await lockWaits()).toBe(1);
          await runner.query("UPDATE certificates SET status = 'deleted' WHERE id = $1", [victim.certificateId]);
          await runner.commitTransaction();
        });
        expect(repo.statements).toMatchObject({ groups: 1, rerun: 0 });
        expect(settled.map((s) => s.status === 'fulfilled' && s.value.kind)).toEqual(['not-registered', 'opened', 'not-registered', 'opened']);
        expect(await count('SELECT count(*)::int AS n FROM sessions WHERE certificate_id = $1', [victim.certificateId])).toBe(0);
      });
    });

    it('the connection fails under a statement: every login of it rejects with the outage (no re-run), and the next login works', async () => {
      const victim = await registered();
      const others = await Promise.all([registered(), registered()]);
      const writes = [write(others[0].fingerprint), write(victim.fingerprint), write(others[1].fingerprint)];
      await whileRowLocked(victim.certificateId, async () => {
        const { repo, settled } = await inOneGroup(writes, async () => {
          expect(await lockWaits()).toBe(1);
          await ds.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        });
        expect(repo.statements).toMatchObject({ groups: 1, rerun: 0 });
        const reasons = settled.map((s) => (s.status === 'rejected' ? (s.reason as Error) : null));
        for (const reason of reasons) {
          expect(isDependencyOutage(reason)).toBe(true);
          expect(reason).toMatchObject({ constructor: reasons[0]!.constructor, message: reasons[0]!.message });
        }
        // one object each: a caller marks the error it gets with its own facts (audit-log's withFacts)
        expect(new Set(reasons).size).toBe(reasons.length);
        expect(await count('SELECT count(*)::int AS n FROM sessions WHERE id = ANY($1)', [writes.map((w) => w.sessionId)])).toBe(0);
        expect((await repo.openSession(write(others[0].fingerprint))).kind).toBe('opened');
      });
    });

    it('statements in flight stay within maxInFlight, groups within maxBatch, and every login is answered', async () => {
      const users = await Promise.all(Array.from({ length: 8 }, () => registered()));
      const repo = new LoginRepository(ds, { maxInFlight: 2, maxBatch: 8 });
      const pool = pgPool(ds);
      const query = pool.query.bind(pool) as (config: QueryConfig) => Promise<unknown>;
      let inFlight = 0;
      let most = 0;
      const sizes: number[] = [];
      const spy = jest.spyOn(pool, 'query').mockImplementation(((config: QueryConfig) => {
        most = Math.max(most, ++inFlight);
        sizes.push(config.name === 'jointcert_login_group_v1' ? (config.values![0] as unknown[]).length : 1);
        return query(config).finally(() => inFlight--);
      }) as never);
      try {
        const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => repo.openSession(write(users[i % users.length]!.fingerprint))));
        expect(outcomes.every((o) => o.kind === 'opened')).toBe(true);
      } finally {
        spy.mockRestore();
      }
      expect(most).toBeLessThanOrEqual(2);
      expect(Math.max(...sizes)).toBe(8);
      expect(sizes.reduce((t, n) => t + n, 0)).toBe(60);
      expect(repo.statements.sent).toBe(sizes.length);
      expect(repo.statements.sent).toBeLessThan(60);
    });
  });
});
