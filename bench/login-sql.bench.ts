/**
 * The login's database work alone, on the machine's Postgres (a throwaway
 * database, analysed after seeding, as a live one is): LoginRepository's one
 * statement, without and with an idempotency record (LOGIN_SQL,
 * LOGIN_RECORDED_SQL), for ONE certificate logging in 16 at a time (the
 * system bench's single holder: concurrent share locks on one row, a
 * MultiXact each) and for logins spread over many certificates (real
 * traffic), interleaved, each login its own statement (grouping off).
 * Then group commit: GROUP_CONCURRENCY logins in flight (the system bench's
 * connections), each with a key (as logins through the gateway), over the
 * 500 certificates and on one, each login its own statement (at most the
 * pool's connections in flight, as before grouping) against LoginRepository's
 * grouping with 1, 2 (its default) and 4 statements in flight, interleaved.
 * Figures: logins/s, statements/s and logins per statement, CPU µs per login
 * of this process (pg driver) and of the database's backends (from /proc).
 * Read the ratios: the machine is shared.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AccountEntity, CertificateRepository, createDataSource, LoginRepository, pgPool, runMigrations, type LoginGrouping, type LoginWrite } from '../libs/registry-db/src';
import { createTestDatabase } from '../libs/registry-db/test-support/database';
import { cpuUs } from './system.bench';
import { fmt } from './util';

const LOGINS = 3000;
const CONCURRENCY = 16;
const CERTIFICATES = 500;
const ROUNDS = 3;
/** Logins in flight in the group commit rows. */
const GROUP_CONCURRENCY = 32;
/** Each login its own statement, sent at once (the pool queues what it cannot take). */
const ALONE: LoginGrouping = { maxInFlight: Infinity, maxBatch: 1 };

export async function run(): Promise<void> {
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize: CONCURRENCY });
  await ds.initialize();
  try {
    await runMigrations(ds);
    const alone = new LoginRepository(ds, ALONE);
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
    interface Figures { rps: number; statements: number; node: number; postgres: number }
    const measure = async (logins: LoginRepository, concurrency: number, spread: boolean, keyed: boolean): Promise<Figures> => {
      const pids = await backends();
      const before = pids.map(cpuUs);
      const sentBefore = logins.statements.sent;
      const self = process.cpuUsage();
      const start = performance.now();
      let started = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
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
      return { rps: LOGINS / seconds, statements: logins.statements.sent - sentBefore, node: (used.user + used.system) / LOGINS, postgres: postgres / LOGINS };
    };
    const line = (name: string, r: Figures, seconds = LOGINS / r.rps): string =>
      `${name.padEnd(40)} ${fmt(r.rps).padStart(6)}/s  ${fmt(r.statements / seconds).padStart(6)} statements/s  ${(LOGINS / r.statements).toFixed(1).padStart(4)}/statement  node ${fmt(r.node).padStart(5)}  postgres ${fmt(r.postgres).padStart(5)}  total ${fmt(r.node + r.postgres).padStart(5)}`;
    const rows = [
      ['one certificate, no key', false, false],
      [`${CERTIFICATES} certificates, no key`, true, false],
      ['one certificate, with a key', false, true],
      [`${CERTIFICATES} certificates, with a key`, true, true],
    ] as const;
    for (const [, spread, keyed] of rows) await measure(alone, CONCURRENCY, spread, keyed); // every pooled connection prepares both statements
    console.log(`${LOGINS} logins per row, ${CONCURRENCY} at a time, each its own statement, interleaved; CPU µs per login (node: this process; postgres: the database's backends)`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, spread, keyed] of rows) console.log(line(`${name} #${round}`, await measure(alone, CONCURRENCY, spread, keyed)));
    }

    const modes: Array<[string, LoginRepository]> = [
      ['alone', new LoginRepository(ds, ALONE)],
      ['grouped, 1 in flight', new LoginRepository(ds, { maxInFlight: 1 })],
      ['grouped, 2 in flight', new LoginRepository(ds)],
      ['grouped, 4 in flight', new LoginRepository(ds, { maxInFlight: 4 })],
    ];
    const groupRows = modes.flatMap(([mode, logins]) => [
      [`${CERTIFICATES} certificates, ${mode}`, logins, true],
      [`one certificate, ${mode}`, logins, false],
    ] as const);
    for (const [, logins, spread] of groupRows) await measure(logins, GROUP_CONCURRENCY, spread, true); // prepares the group statement
    console.log(`\ngroup commit: ${LOGINS} logins per row, ${GROUP_CONCURRENCY} in flight, each with a key, interleaved (alone: each login its own statement, up to the pool's ${CONCURRENCY} connections)`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, logins, spread] of groupRows) console.log(line(`${name} #${round}`, await measure(logins, GROUP_CONCURRENCY, spread, true)));
    }
  } finally {
    await ds.destroy();
    await db.drop();
  }
}
