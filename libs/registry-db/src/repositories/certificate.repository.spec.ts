import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test-support/database';
import { createDataSource, runMigrations } from '../data-source';
import { AccountEntity } from '../entities/account.entity';
import { CertificateEntity } from '../entities/certificate.entity';
import { CertificateAlreadyRegistered, CertificateRepository } from './certificate.repository';
import type { NewCertificate } from './certificate.types';

describe('CertificateRepository.registerActive (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: CertificateRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 12 });
    await ds.initialize();
    await runMigrations(ds);
    repo = new CertificateRepository(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  async function newAccount(): Promise<string> {
    return (await ds.getRepository(AccountEntity).save({ email: null })).id;
  }

  async function waitForLockWaiter(): Promise<boolean> {
    for (let i = 0; i < 2000; i++) {
      const rows = await ds.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n > 0) return true;
    }
    return false;
  }

  function certificate(accountId: string, der: Uint8Array = randomBytes(64)): NewCertificate {
    return {
      accountId,
      der,
      fingerprintSha256: createHash('sha256').update(der).digest('hex'),
      issuerDn: 'CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr',
      issuerKey: 'c=kr/o=yessign/ou=accreditedca/cn=yessignca class 2',
      serialHex: '1a2b3c',
      subjectDn: 'CN=홍길동()0001234567890123,OU=personal4IB,OU=NH,OU=personal4IB,O=yessign,C=kr',
      policyOid: '1.2.410.200005.1.1.4',
      certType: 'personal-banking',
      ca: 'yessign',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    };
  }

  it('stores a registration and returns a plain domain object', async () => {
    const accountId = await newAccount();
    const input = certificate(accountId);
    const saved = await repo.registerActive(input);
    expect(saved).not.toBeInstanceOf(CertificateEntity);
    expect(Object.getPrototypeOf(saved)).toBe(Object.prototype);
    expect(saved).toMatchObject({ accountId, status: 'active', fingerprintSha256: input.fingerprintSha256, serialHex: '1a2b3c', replacedBy: null });
    expect(saved.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(saved.der).equals(Buffer.from(input.der))).toBe(true);
    expect(saved.createdAt).toBeInstanceOf(Date);
    expect(await repo.findActiveByFingerprint(input.fingerprintSha256)).toEqual(saved);
  });

  it('refuses a second active registration of one certificate with CertificateAlreadyRegistered (409)', async () => {
    const input = certificate(await newAccount());
    await repo.registerActive(input);
    const err = await repo.registerActive({ ...input, accountId: await newAccount() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertificateAlreadyRegistered);
    expect(err).toMatchObject({ code: 'CERT_ALREADY_REGISTERED', status: 409, fingerprintSha256: input.fingerprintSha256 });
  });

  it('of 10 concurrent registrations of one certificate exactly one wins', async () => {
    const der = randomBytes(64);
    const accounts = await Promise.all(Array.from({ length: 10 }, () => newAccount()));
    const results = await Promise.allSettled(accounts.map((a) => repo.registerActive(certificate(a, der))));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const r of lost) expect(r.reason).toBeInstanceOf(CertificateAlreadyRegistered);
    const fingerprint = createHash('sha256').update(der).digest('hex');
    expect(await ds.getRepository(CertificateEntity).countBy({ fingerprintSha256: fingerprint })).toBe(1);
  });

  it('a registration waiting on an uncommitted one loses when that one commits', async () => {
    const der = randomBytes(64);
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const firstInserted = new Promise<void>((resolve) => (inserted = resolve));

    const first = ds.transaction(async (manager) => {
      const saved = await repo.registerActive(certificate(a, der), manager);
      inserted();
      await held; // keep the transaction open while the second one starts
      return saved;
    });
    await firstInserted;
    let secondSettled = false;
    // Settle into a value at once, so its rejection is never unhandled while we wait for the first.
    const second = repo.registerActive(certificate(b, der)).then(
      (saved) => saved,
      (err: unknown) => err,
    ).finally(() => (secondSettled = true));
    // The second insert blocks on the unique index until the first decides: wait until Postgres shows it waiting on a lock.
    expect(await waitForLockWaiter()).toBe(true);
    expect(secondSettled).toBe(false);
    release();
    await expect(first).resolves.toMatchObject({ accountId: a });
    expect(await second).toBeInstanceOf(CertificateAlreadyRegistered);
  });

  it('the index covers active rows only: once deleted, the certificate can be registered anew', async () => {
    const input = certificate(await newAccount());
    const first = await repo.registerActive(input);
    await ds.getRepository(CertificateEntity).update({ id: first.id }, { status: 'deleted' });
    const again = await repo.registerActive({ ...input, accountId: await newAccount() });
    expect(again.id).not.toBe(first.id);
    expect(await repo.findActiveByFingerprint(input.fingerprintSha256)).toMatchObject({ id: again.id });
  });

  it('other failures are not disguised as a conflict', async () => {
    const input = certificate('00000000-0000-4000-8000-000000000000');
    await expect(repo.registerActive(input)).rejects.toMatchObject({ driverError: { code: '23503' } });
  });
});
