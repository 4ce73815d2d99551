import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CertificateSecurityRepository } from '@jointcert/registry-db';
import { Notifier } from '../src/notifier';
import { DAY_MS } from '@jointcert/common';
import { createAccount, createCertificate, notificationRows, notifierConfig, openStack, type NotifierStack } from '../../../test/support/notifier';
import type { SmtpSink } from '../../../test/support/smtp-sink';

// Issue #17: the lock confirmation and the unused-certificate notice, on real Postgres (a database of its
// own), real Redis (a key prefix of its own) and a real SMTP server; an injected clock.
describe('notifier: lock confirmations and unused certificates', () => {
  let stack: NotifierStack;
  let ds: DataSource;
  let smtp: SmtpSink;
  let notifier: Notifier;
  // the database stamps rows with its own now(); the injected clock runs from there
  let now = Date.now();
  const clock = { now: () => now };
  const notifiers: Notifier[] = [];

  const open = async (extra: Record<string, string> = {}, schedule = false) => {
    const config = notifierConfig(stack.db.url, smtp.url, extra);
    stack.prefixes.push(config.REDIS_PREFIX);
    const n = await Notifier.open(config, { clock, dataSource: ds });
    await n.start({ schedule, metrics: false });
    notifiers.push(n);
    return n;
  };
  const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
  /** A certificate registered `registeredDaysAgo` days before the clock. */
  const certificate = async (accountId: string, registeredDaysAgo: number) => {
    const id = await createCertificate(ds, { accountId, notAfter: now + 2 * 365 * DAY_MS });
    await ds.query(`UPDATE certificates SET created_at = $2 WHERE id = $1`, [id, new Date(now - registeredDaysAgo * DAY_MS)]);
    return id;
  };
  /** A login with the certificate `daysAgo` days before the clock, and a refresh of it just now (a refresh is no new use). */
  const login = async (accountId: string, certificateId: string, daysAgo: number) => {
    const family = randomUUID();
    for (const at of [now - daysAgo * DAY_MS, now]) {
      await ds.query(`INSERT INTO sessions (account_id, family_id, refresh_token_hash, certificate_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
        accountId,
        family,
        randomBytes(32).toString('hex'),
        certificateId,
        new Date(at),
        new Date(at + DAY_MS),
      ]);
    }
  };
  const settle = async (n: Notifier, mails: number) => {
    await smtp.waitFor(mails);
    await n.queues.drained(10_000);
    expect(smtp.count).toBe(mails);
  };

  beforeAll(async () => {
    stack = await openStack(8);
    ({ ds, smtp } = stack);
    notifier = await open({ UNUSED_NOTICE_DAYS: '180' });
  });

  afterAll(async () => {
    for (const n of notifiers) await n.close();
    await stack?.close();
  });

  it('unused certificates: off with UNUSED_NOTICE_DAYS=0; then one notice each (ko/en, text and HTML, deletion and unsubscribe links), none for one used recently, none on a second scan', async () => {
    const ko = await createAccount(ds, { email: 'unused-ko@example.kr', locale: 'ko' });
    const en = await createAccount(ds, { email: 'unused-en@example.com', locale: 'en' });
    const quiet = await createAccount(ds, { email: 'quiet@example.kr', remindersEnabled: false });
    const neverUsed = await certificate(ko, 200);
    const usedLongAgo = await certificate(en, 400);
    await login(en, usedLongAgo, 190);
    const usedRecently = await certificate(en, 400);
    await login(en, usedRecently, 10);
    const young = await certificate(ko, 100);
    const unsubscribed = await certificate(quiet, 300);

    const off = await open({ UNUSED_NOTICE_DAYS: '0' });
    expect(await off.scan()).toMatchObject({ unusedNotices: 0 });
    await off.queues.drained(5000);
    for (const id of [neverUsed, usedLongAgo]) expect(await notificationRows(ds, id)).toEqual([]);
    expect(smtp.count).toBe(0);

    expect(await notifier.scan()).toMatchObject({ unusedNotices: 2 });
    await settle(notifier, 2);
    const [koMail] = mailsTo('unused-ko@example.kr');
    expect(koMail!.subject).toBe('[jointcert] 200일 동안 사용하지 않은 공동인증서가 있습니다 (홍길동()0011234200401011234567)');
    expect(koMail!.text).toContain('200일 동안 로그인에 사용되지 않았습니다');
    expect(koMail!.text).toContain('「인증서 관리」에서 삭제하세요: https://jointcert.test');
    expect(koMail!.text).toContain('마지막 사용: ');
    expect(koMail!.html).toContain('<th align="left" style="padding:2px 12px 2px 0">마지막 사용</th>');
    expect(koMail!.headers.get('x-jointcert-notification')).toBe(`unused/${Math.floor((now - 200 * DAY_MS) / DAY_MS)}`);
    const lu = koMail!.headers.get('list-unsubscribe')!;
    expect(lu).toMatch(/^<https:\/\/jointcert\.test\/v1\/notifications\/unsubscribe\?token=/);
    expect(koMail!.text).toContain(lu.slice(1, -1));
    // the one-click deletion link (signed, bound to the certificate and this last use; see test/delete-link.e2e-spec.ts)
    expect(koMail!.text).toMatch(new RegExp(`이 인증서를 바로 삭제하려면 \\(확인 화면이 열립니다\\): https://jointcert\\.test/v1/notifications/delete-certificate\\?token=[^\\s]*${neverUsed}`));
    expect(koMail!.html).toContain('/v1/notifications/delete-certificate?token=');
    const [enMail] = mailsTo('unused-en@example.com');
    expect(enMail!.subject).toBe('[jointcert] A joint certificate unused for 190 days (홍길동()0011234200401011234567)');
    expect(enMail!.text).toContain('delete it under "Certificates" on the site: https://jointcert.test');
    for (const id of [usedRecently, young, unsubscribed]) expect(await notificationRows(ds, id)).toEqual([]);
    expect(await notificationRows(ds, neverUsed)).toMatchObject([{ kind: 'unused', status: 'sent', attempts: 1 }]);

    // a second scan, and one a month later: nothing new
    expect(await notifier.scan()).toMatchObject({ unusedNotices: 0 });
    now += 30 * DAY_MS;
    expect(await notifier.scan()).toMatchObject({ unusedNotices: 0 });
    await notifier.queues.drained(5000);
    expect(smtp.count).toBe(2);

    // used again, then unused for another 180 days: one new notice
    await login(ko, neverUsed, 0);
    expect(await notifier.scan()).toMatchObject({ unusedNotices: 0 });
    now += 181 * DAY_MS;
    const report = await notifier.scan();
    // new: the certificate used again (181 days ago now), and the two that have since passed 180 days; the one
    // already told about (not used since) is not told again, the unsubscribed account never
    expect(report.unusedNotices).toBe(3);
    await settle(notifier, 5);
    expect((await notificationRows(ds, neverUsed)).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(await notificationRows(ds, usedLongAgo)).toHaveLength(1);
  });

  it('a lock: one confirmation per lock (even with reminders off), none for locking again', async () => {
    const account = await createAccount(ds, { email: 'lost@example.kr', locale: 'ko', remindersEnabled: false });
    const id = await certificate(account, 400);
    const security = new CertificateSecurityRepository(ds);
    const lock = () =>
      ds.transaction(async (m) => {
        const locked = await security.lock(id, account, new Date(now), m);
        if (locked && !locked.wasLocked) await security.recordLockNotice(id, m);
      });
    const before = smtp.count;
    await lock();
    await lock();
    await notifier.scan();
    await settle(notifier, before + 1);
    const [mail] = mailsTo('lost@example.kr');
    expect(mail!.subject).toBe('[jointcert] 공동인증서가 잠겼습니다 (홍길동()0011234200401011234567)');
    expect(mail!.text).toContain('분실 신고에 따라 등록하신 공동인증서를 잠갔습니다');
    expect(mail!.text).toContain('잠금 일시: ');
    expect(mail!.headers.get('x-jointcert-notification')).toBe('lock/1');
    await notifier.scan();
    await notifier.queues.drained(5000);
    expect(smtp.count).toBe(before + 1);

    // unlocked and locked again: a second confirmation
    await ds.transaction((m) => security.unlock(id, account, m));
    await lock();
    await notifier.scan();
    await settle(notifier, before + 2);
    expect(mailsTo('lost@example.kr').map((m) => m.headers.get('x-jointcert-notification'))).toEqual(['lock/1', 'lock/2']);
    expect((await notificationRows(ds, id)).map((r) => [r.kind, r.status])).toEqual([
      ['lock', 'sent'],
      ['lock', 'sent'],
    ]);
  });

  it('password reminder (opt-in): one per interval to opted-in accounts only, counted from the reported change or the registration; ko/en; its unsubscribe link stops it alone', async () => {
    const pw = await open({ UNUSED_NOTICE_DAYS: '0' });
    const optIn = async (email: string, locale: string, days = 90) => {
      const id = await createAccount(ds, { email, locale });
      await ds.query(`UPDATE accounts SET password_reminder_enabled = true, password_reminder_days = $2 WHERE id = $1`, [id, days]);
      return id;
    };
    const ko = await optIn('pw-ko@example.kr', 'ko');
    const en = await optIn('pw-en@example.com', 'en');
    const changed = await optIn('pw-changed@example.kr', 'ko');
    const optedOut = await createAccount(ds, { email: 'pw-out@example.kr' });
    const neverChanged = await certificate(ko, 100);
    const changedLongAgo = await certificate(en, 170);
    await ds.query(`UPDATE certificates SET password_changed_at = $2 WHERE id = $1`, [changedLongAgo, new Date(now - 95 * DAY_MS)]);
    const changedRecently = await certificate(changed, 150);
    await ds.query(`UPDATE certificates SET password_changed_at = $2 WHERE id = $1`, [changedRecently, new Date(now - 10 * DAY_MS)]);
    const young = await certificate(ko, 30);
    const notOptedIn = await certificate(optedOut, 170);
    const before = smtp.count;

    expect(await pw.scan()).toMatchObject({ passwordReminders: 2 });
    await settle(pw, before + 2);
    const [koMail] = mailsTo('pw-ko@example.kr');
    expect(koMail!.subject).toBe('[jointcert] 공동인증서 비밀번호를 바꿀 때가 되었습니다 (홍길동()0011234200401011234567)');
    expect(koMail!.text).toContain('비밀번호를 바꾼 기록이 등록 후 100일 동안 없습니다');
    expect(koMail!.text).toContain('등록 일시 (비밀번호 변경 기록 없음): ');
    expect(koMail!.text).toContain('비밀번호는 서버로 전송되지 않습니다');
    expect(koMail!.html).toContain('<th align="left" style="padding:2px 12px 2px 0">등록 일시 (비밀번호 변경 기록 없음)</th>');
    expect(koMail!.text).toContain('비밀번호 변경 알림을 그만 받으려면: https://jointcert.test/v1/notifications/unsubscribe?token=');
    expect(koMail!.headers.get('x-jointcert-notification')).toBe(`password/${Math.floor((now - 100 * DAY_MS) / DAY_MS) + 90}`);
    const [enMail] = mailsTo('pw-en@example.com');
    expect(enMail!.subject).toBe('[jointcert] Time to change your joint certificate password (홍길동()0011234200401011234567)');
    expect(enMail!.text).toContain('was last changed 95 days ago');
    expect(enMail!.text).toContain('Password last changed: ');
    expect(enMail!.text).toContain('To stop password reminders: https://jointcert.test/v1/notifications/unsubscribe?token=');
    for (const id of [changedRecently, young, notOptedIn]) expect(await notificationRows(ds, id)).toEqual([]);

    // once per interval: again now and 30 days later nothing; 90 days after the first one, the next
    expect(await pw.scan()).toMatchObject({ passwordReminders: 0 });
    now += 30 * DAY_MS;
    expect(await pw.scan()).toMatchObject({ passwordReminders: 0 });
    await pw.queues.drained(5000);
    expect(smtp.count).toBe(before + 2);
    // the ko holder reports a change meanwhile: that certificate counts anew from it
    await ds.query(`UPDATE certificates SET password_changed_at = $2 WHERE id = $1`, [neverChanged, new Date(now)]);
    now += 60 * DAY_MS;
    // due: changedLongAgo (second interval), changedRecently (first: 100 days since its change), young (120 days since registration)
    expect(await pw.scan()).toMatchObject({ passwordReminders: 3 });
    await settle(pw, before + 5);
    expect((await notificationRows(ds, changedLongAgo)).map((r) => [r.kind, r.status])).toEqual([
      ['password', 'sent'],
      ['password', 'sent'],
    ]);
    expect(await notificationRows(ds, neverChanged)).toHaveLength(1);
    now += 31 * DAY_MS;
    expect(await pw.scan()).toMatchObject({ passwordReminders: 1 });
    await settle(pw, before + 6);
    expect(await notificationRows(ds, neverChanged)).toHaveLength(2);

    // the password reminder's unsubscribe link turns that reminder off, not the expiry reminders
    const link = /unsubscribe\?token=(\S+)/.exec(enMail!.text)![1]!;
    expect(await pw.unsubscribe(decodeURIComponent(link), false)).toEqual({ emailHint: 'p***@example.com', locale: 'en', remindersEnabled: true, list: 'password', passwordReminderEnabled: true });
    expect(await pw.unsubscribe(decodeURIComponent(link), true)).toMatchObject({ list: 'password', passwordReminderEnabled: false, remindersEnabled: true });
    expect(await ds.query(`SELECT reminders_enabled, password_reminder_enabled FROM accounts WHERE id = $1`, [en])).toEqual([{ reminders_enabled: true, password_reminder_enabled: false }]);
    now += 90 * DAY_MS;
    const report = await pw.scan();
    await pw.queues.drained(5000);
    expect(report.passwordReminders).toBe(3); // the ko account's two certificates and the other opted-in one again; the unsubscribed en account no more
    expect(mailsTo('pw-en@example.com')).toHaveLength(2);
  });

  it('the notice sweep (NOTICE_SWEEP_CRON, a real BullMQ job scheduler) sends a lock confirmation without waiting for the daily scan', async () => {
    // scans far away; the sweep every second
    const scheduled = await open({ NOTICE_SWEEP_CRON: '* * * * * *', REMINDER_CRON: '0 0 1 1 *', REVOCATION_RECHECK_CRON: '0 0 1 1 *', UNUSED_NOTICE_DAYS: '0' }, true);
    const account = await createAccount(ds, { email: 'swept@example.com', locale: 'en' });
    const id = await certificate(account, 1);
    const security = new CertificateSecurityRepository(ds);
    const before = smtp.count;
    await ds.transaction(async (m) => {
      await security.lock(id, account, new Date(now), m);
      await security.recordLockNotice(id, m);
    });
    await smtp.waitFor(before + 1, 15_000);
    const [mail] = mailsTo('swept@example.com');
    expect(mail!.subject).toBe('[jointcert] Your joint certificate was locked (홍길동()0011234200401011234567)');
    expect(mail!.text).toContain('log in with another registered certificate');
    await scheduled.queues.drained(5000);
    expect(await notificationRows(ds, id)).toMatchObject([{ kind: 'lock', threshold_days: 1, status: 'sent', attempts: 1 }]);
    expect(mailsTo('swept@example.com')).toHaveLength(1);
  }, 30_000);
});
