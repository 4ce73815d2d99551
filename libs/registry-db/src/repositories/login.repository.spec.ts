import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test-support/database';
import { createDataSource, runMigrations } from '../data-source';
import { AccountEntity } from '../entities/account.entity';
import { CertificateRepository } from './certificate.repository';
import { LoginRepository, type LoginWrite } from './login.repository';

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
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query('SELECT id FROM certificates WHERE id = $1 FOR UPDATE', [certificateId]);
      const w = write(fingerprint);
      const pending = logins.openSession(w);
      let waiting = 0;
      for (let i = 0; i < 2000 && waiting === 0; i++) {
        waiting = await count("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", []);
      }
      expect(waiting).toBe(1);
      await runner.query("UPDATE certificates SET status = 'deleted' WHERE id = $1", [certificateId]);
      await runner.commitTransaction();
      expect(await pending).toEqual({ kind: 'not-registered' });
      expect(await count('SELECT count(*)::int AS n FROM sessions WHERE certificate_id = $1', [certificateId])).toBe(0);
    } finally {
      await runner.release();
    }
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
});
