/**
 * The login's database work alone, on the machine's Postgres (a throwaway
 * database, analysed after seeding, as a live one is): LoginRepository's one
 * statement, without and with an idempotency record (LOGIN_SQL,
 * LOGIN_RECORDED_SQL), for ONE certificate logging in 16 at a time (the
 * system bench's single holder: concurrent share locks on one row, a
 * MultiXact each) and for logins spread over many certificates (real
 * traffic), interleaved. Figures: logins/s and CPU µs per login of this
 * process (pg driver) and of the database's backends (from /proc). Read the
 * ratios: the machine is shared.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AccountEntity, CertificateRepository, createDataSource, LoginRepository, pgPool, runMigrations, type LoginWrite } from '../libs/registry-db/src';
import { createTestDatabase } from '../libs/registry-db/test-support/database';
import { cpuUs } from './system.bench';
import { fmt } from './util';

const LOGINS = 3000;
const CONCURRENCY = 16;
const CERTIFICATES = 500;
const ROUNDS = 3;

export async function run(): Promise<void> {
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize: CONCURRENCY });
  await ds.initialize();
  try {
    await runMigrations(ds);
    const logins = new LoginRepository(ds);
    const certificates = new CertificateRepository(ds);
    const fingerprints: string[] = [];
    for (let i = 0; i < CERTIFICATES; i++) {
      const account = await ds.getRepository(AccountEntity).save({ email: `bench${i}@example.kr`, reminderDays: [30, 7] });
      const der = randomBytes(64);
      const fingerprint = createHash('sha256').update(der).digest('hex');
      await certificates.registerActive({
        accountId: account.id, der, fingerprintSha256: fingerprint, issuerDn: 'CN=ca', issuerKey: 'cn=ca', serialHex: i.toString(16), subjectDn: 'CN=user',
        notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'),
      });
      fingerprints.push(fingerprint);
    }
    await pgPool(ds).query('ANALYZE');
    // a sealed record of a login's size ({ iv, tag, data } of the draft)
    const sealed = JSON.stringify({ iv: randomBytes(12).toString('base64'), tag: randomBytes(16).toString('base64'), data: randomBytes(120).toString('base64') });
    const write = (fingerprint: string, keyed: boolean): LoginWrite => ({
      fingerprintSha256: fingerprint, sessionId: randomUUID(), familyId: randomUUID(), refreshTokenHash: randomBytes(32).toString('hex'),
      expiresAt: new Date(Date.now() + 3600_000), ip: '203.0.113.7', userAgent: 'bench', requestId: randomUUID(),
      record: keyed ? { requestId: randomBytes(32).toString('hex'), action: 'login', result: sealed } : null,
    });
    const backends = async (): Promise<number[]> =>
      (await pgPool(ds).query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
    const measure = async (spread: boolean, keyed: boolean): Promise<{ rps: number; node: number; postgres: number }> => {
      const pids = await backends();
      const before = pids.map(cpuUs);
      const self = process.cpuUsage();
      const start = performance.now();
      let started = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (started < LOGINS) {
          const fingerprint = fingerprints[spread ? started % CERTIFICATES : 0]!;
          started++;
          const outcome = await logins.openSession(write(fingerprint, keyed));
          if (outcome.kind !== 'opened') throw new Error(`login: ${outcome.kind}`);
        }
      }));
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(self);
      const postgres = pids.reduce((t, pid, i) => t + cpuUs(pid) - before[i]!, 0);
      return { rps: LOGINS / seconds, node: (used.user + used.system) / LOGINS, postgres: postgres / LOGINS };
    };
    const rows = [
      ['one certificate, no key', false, false],
      [`${CERTIFICATES} certificates, no key`, true, false],
      ['one certificate, with a key', false, true],
      [`${CERTIFICATES} certificates, with a key`, true, true],
    ] as const;
    for (const [, spread, keyed] of rows) await measure(spread, keyed); // every pooled connection prepares both statements
    console.log(`${LOGINS} logins per row, ${CONCURRENCY} at a time, interleaved; CPU µs per login (node: this process; postgres: the database's backends)`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, spread, keyed] of rows) {
        const r = await measure(spread, keyed);
        console.log(`${`${name} #${round}`.padEnd(36)} ${fmt(r.rps).padStart(6)}/s  node ${fmt(r.node).padStart(5)}  postgres ${fmt(r.postgres).padStart(5)}  total ${fmt(r.node + r.postgres).padStart(5)}`);
      }
    }
  } finally {
    await ds.destroy();
    await db.drop();
  }
}
