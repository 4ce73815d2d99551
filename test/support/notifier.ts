import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { DAY_MS, loadConfig, type AppConfig } from '@jointcert/common';
import { parseCertificate } from '@jointcert/pki';
import { createDataSource, runMigrations } from '@jointcert/registry-db';
import { createTestDatabase, type TestDatabase } from '../../libs/registry-db/test-support/database';
import { deleteKeys } from './redis';
import { SmtpSink } from './smtp-sink';

/** A configuration for one test file: its own Redis prefix (BullMQ keys too), database and SMTP sink. */
export function notifierConfig(databaseUrl: string, smtpUrl: string, extra: Record<string, string> = {}): AppConfig {
  return loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: `jc-notifier-${process.pid}-${randomBytes(3).toString('hex')}:`,
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'jointcert <no-reply@jointcert.test>',
    NOTIFIER_PUBLIC_URL: 'https://jointcert.test',
    NOTIFIER_BACKOFF_MS: '40',
    NOTIFIER_SEND_ATTEMPTS: '8',
    NOTIFIER_METRICS_PORT: '0',
    NOTIFIER_CLAIM_LEASE_S: '5',
    ...extra,
  });
}

export async function createAccount(ds: DataSource, a: { email: string | null; locale?: string; remindersEnabled?: boolean; reminderDays?: number[] }): Promise<string> {
  const rows = await ds.query<Array<{ id: string }>>(
    `INSERT INTO accounts (email, locale, reminders_enabled, reminder_days) VALUES ($1, $2, $3, $4) RETURNING id`,
    [a.email, a.locale ?? 'ko', a.remindersEnabled ?? true, a.reminderDays ?? [30, 7, 1]],
  );
  return rows[0]!.id;
}

export interface CertRow {
  accountId: string;
  notAfter: number;
  status?: string;
  policyOid?: string;
  subjectDn?: string;
  issuerDn?: string;
  issuerKey?: string;
  serialHex?: string;
  der?: Buffer;
  ca?: string;
}

export async function createCertificate(ds: DataSource, c: CertRow): Promise<string> {
  const rows = await ds.query<Array<{ id: string }>>(
    `INSERT INTO certificates (account_id, status, der, fingerprint_sha256, issuer_dn, issuer_key, serial_hex, subject_dn, policy_oid, ca, not_before, not_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      c.accountId,
      c.status ?? 'active',
      c.der ?? Buffer.from([0x30, 0x00]),
      randomBytes(32).toString('hex'),
      c.issuerDn ?? 'CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr',
      c.issuerKey ?? 'c=kr/o=yessign/ou=accreditedca/cn=yessignca class 2',
      c.serialHex ?? randomBytes(4).toString('hex'),
      c.subjectDn ?? 'CN=홍길동()0011234200401011234567,OU=personal4IB,OU=KFB,O=yessign,C=kr',
      c.policyOid ?? '1.2.410.200005.1.1.1',
      c.ca ?? 'yessign',
      new Date(c.notAfter - 365 * DAY_MS),
      new Date(c.notAfter),
    ],
  );
  return rows[0]!.id;
}

export async function notificationRows(ds: DataSource, certificateId: string): Promise<Array<{ kind: string; threshold_days: number | null; status: string; attempts: number; last_error: string | null }>> {
  return ds.query(`SELECT kind, threshold_days, status, attempts, last_error FROM notifications WHERE certificate_id = $1 ORDER BY threshold_days`, [certificateId]);
}

/** What every notifier test stands on: its own migrated database and a running SMTP sink. */
export interface NotifierStack {
  db: TestDatabase;
  ds: DataSource;
  smtp: SmtpSink;
  /** Redis key prefixes to delete on close (the test's BullMQ queues). */
  prefixes: string[];
  close(): Promise<void>;
}

export async function openStack(poolSize = 8): Promise<NotifierStack> {
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize });
  await ds.initialize();
  await runMigrations(ds);
  const smtp = new SmtpSink();
  await smtp.start();
  const stack: NotifierStack = {
    db,
    ds,
    smtp,
    prefixes: [],
    async close() {
      await smtp.stop();
      const redis = new Redis('redis://127.0.0.1:6379/0');
      for (const prefix of stack.prefixes) await deleteKeys(redis, prefix);
      await redis.quit();
      await ds.destroy();
      await db.drop();
    },
  };
  return stack;
}

/** Register a real certificate (as the registry stores it) to an account, active; returns its id and fingerprint. */
export async function registerCertificate(ds: DataSource, accountId: string, der: Uint8Array): Promise<{ id: string; fingerprint: string }> {
  const c = parseCertificate(der);
  const fingerprint = createHash('sha256').update(der).digest('hex');
  const rows = await ds.query<Array<{ id: string }>>(
    `INSERT INTO certificates (account_id, der, fingerprint_sha256, issuer_dn, issuer_key, serial_hex, subject_dn, not_before, not_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [accountId, Buffer.from(der), fingerprint, c.issuer.text, c.issuer.key, c.serialHex, c.subject.text, new Date(c.notBefore), new Date(c.notAfter)],
  );
  return { id: rows[0]!.id, fingerprint };
}
