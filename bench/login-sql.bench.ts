/**
 * The login's database work alone, on the machine's Postgres (a throwaway
 * database): LOGIN_SQL with its idempotency record (one statement, one round
 * trip: what a login with an Idempotency-Key does) beside the same statement
 * followed by a separate request_results INSERT (the shape before the record
 * moved into the statement), interleaved, 8 at a time. Figures: logins/s and
 * CPU µs per login of this process (pg driver) and of the database's
 * backends (from /proc). Read the ratio: the machine is shared.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AccountEntity, CertificateRepository, createDataSource, LoginRepository, pgPool, runMigrations, type LoginWrite } from '../libs/registry-db/src';
import { createTestDatabase } from '../libs/registry-db/test-support/database';
import { cpuUs } from './system.bench';
import { fmt } from './util';

const LOGINS = 2000;
const CONCURRENCY = 8;
const ROUNDS = 3;

export async function run(): Promise<void> {
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize: CONCURRENCY });
  await ds.initialize();
  try {
    await runMigrations(ds);
    const logins = new LoginRepository(ds);
    const account = await ds.getRepository(AccountEntity).save({ email: 'bench@example.kr', reminderDays: [30, 7] });
    const der = randomBytes(64);
    const fingerprint = createHash('sha256').update(der).digest('hex');
    await new CertificateRepository(ds).registerActive({
      accountId: account.id, der, fingerprintSha256: fingerprint, issuerDn: 'CN=ca', issuerKey: 'cn=ca', serialHex: '01', subjectDn: 'CN=user',
      notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'),
    });
    // a sealed record of a login's size ({ iv, tag, data } of the draft)
    const sealed = JSON.stringify({ iv: randomBytes(12).toString('base64'), tag: randomBytes(16).toString('base64'), data: randomBytes(120).toString('base64') });
    const write = (): LoginWrite => ({
      fingerprintSha256: fingerprint, sessionId: randomUUID(), familyId: randomUUID(), refreshTokenHash: randomBytes(32).toString('hex'),
      expiresAt: new Date(Date.now() + 3600_000), ip: '203.0.113.7', userAgent: 'bench', requestId: randomUUID(),
    });
    const requestId = (): string => randomBytes(32).toString('hex');
    const separate = async (): Promise<void> => {
      await logins.openSession(write());
      await pgPool(ds).query('INSERT INTO request_results (request_id, action, result) VALUES ($1, $2, $3) ON CONFLICT (request_id) DO NOTHING', [requestId(), 'login', sealed]);
    };
    const oneStatement = async (): Promise<void> => {
      await logins.openSession({ ...write(), record: { requestId: requestId(), action: 'login', result: sealed } });
    };
    const backends = async (): Promise<number[]> =>
      (await pgPool(ds).query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
    const measure = async (f: () => Promise<void>): Promise<{ rps: number; node: number; postgres: number }> => {
      const pids = await backends();
      const before = pids.map(cpuUs);
      const self = process.cpuUsage();
      const start = performance.now();
      let started = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (started++ < LOGINS) await f();
      }));
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(self);
      const postgres = pids.reduce((t, pid, i) => t + cpuUs(pid) - before[i]!, 0);
      return { rps: LOGINS / seconds, node: (used.user + used.system) / LOGINS, postgres: postgres / LOGINS };
    };
    await measure(separate);
    await measure(oneStatement);
    console.log(`${LOGINS} logins per row, ${CONCURRENCY} at a time, interleaved; CPU µs per login (node: this process; postgres: the database's backends)`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, f] of [['statement + separate INSERT (before)', separate], ['one statement with the record', oneStatement]] as const) {
        const r = await measure(f);
        console.log(`${`${name} #${round}`.padEnd(42)} ${fmt(r.rps).padStart(6)}/s  node ${fmt(r.node).padStart(5)}  postgres ${fmt(r.postgres).padStart(5)}  total ${fmt(r.node + r.postgres).padStart(5)}`);
      }
    }
  } finally {
    await ds.destroy();
    await db.drop();
  }
}
