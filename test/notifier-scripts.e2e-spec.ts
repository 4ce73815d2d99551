import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import type { TestDatabase } from '../libs/registry-db/test-support/database';
import { createAccount, createCertificate, openStack, type NotifierStack } from './support/notifier';
import type { SmtpSink } from './support/smtp-sink';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const DAY = 86_400_000;

// The operator scripts as operators run them (from source, as `npm run` does).
describe('npm run notifier:scan / notifier:preview', () => {
  let stack: NotifierStack;
  let db: TestDatabase;
  let ds: DataSource;
  let smtp: SmtpSink;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stack = await openStack(2);
    ({ db, ds, smtp } = stack);
    env = {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_PREFIX: `jc-notifier-script-${process.pid}-${randomBytes(3).toString('hex')}:`,
      SMTP_URL: smtp.url,
      LOG_LEVEL: 'silent',
      NOTIFIER_METRICS_PORT: '0',
    };
    stack.prefixes.push(env.REDIS_PREFIX!);
    const acc = await createAccount(ds, { email: 'ops@example.kr', locale: 'ko' });
    await createCertificate(ds, { accountId: acc, notAfter: Date.now() + 5 * DAY });
    await createCertificate(ds, { accountId: acc, notAfter: Date.now() + 90 * DAY });
  });

  afterAll(async () => {
    await stack.close();
  });

  const scan = (...args: string[]) => run(process.execPath, ['-r', './scripts/ts-register.js', 'scripts/notifier-scan.ts', ...args], { cwd: ROOT, env, timeout: 60_000 });

  it('--dry-run lists what would be sent and writes nothing; then a real scan sends it', async () => {
    const dry = await scan('--dry-run');
    expect(dry.stdout).toContain('1 reminder(s) due');
    expect(dry.stdout).toMatch(/ {2}7d {2}ko {2}ops@example\.kr {2}certificate [0-9a-f-]{36}/);
    expect(await ds.query(`SELECT * FROM notifications`)).toEqual([]);
    expect(smtp.count).toBe(0);

    const real = await scan();
    expect(real.stdout).toContain('1 due, 1 enqueued');
    expect(real.stdout).toContain('notifications: sent 1');
    expect(smtp.received.map((m) => m.to)).toEqual([['ops@example.kr']]);
  }, 120_000);

  it('notifier:preview writes ko/en text and HTML of every template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jointcert-preview-'));
    try {
      await run(process.execPath, ['-r', './scripts/ts-register.js', 'scripts/notifier-preview.ts', dir], { cwd: ROOT, timeout: 60_000 });
      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(24);
      for (const kind of ['expiry-7d', 'expiry-30d-bank', 'revoked', 'lock', 'unused', 'password']) for (const l of ['ko', 'en']) for (const e of ['txt', 'html']) expect(files).toContain(`${kind}.${l}.${e}`);
      expect(readFileSync(join(dir, 'expiry-7d.ko.txt'), 'utf8')).toContain('인증서 종류: 개인 범용');
      expect(readFileSync(join(dir, 'expiry-7d.en.html'), 'utf8')).toContain('<html lang="en">');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
