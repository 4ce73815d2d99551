import type { DataSource } from 'typeorm';
import type { TestDatabase } from '../../../libs/registry-db/test-support/database';
import { Notifier } from '../src/notifier';
import { DAY_MS } from '@jointcert/common';
import { createAccount, createCertificate, notificationRows, notifierConfig, openStack, type NotifierStack } from '../../../test/support/notifier';
import type { SmtpSink } from '../../../test/support/smtp-sink';

// Real Postgres (a database of its own), real Redis (a key prefix of its own, BullMQ's too)
// and a real SMTP server; an injected clock.
describe('notifier: expiry reminders', () => {
  let stack: NotifierStack;
  let db: TestDatabase;
  let ds: DataSource;
  let smtp: SmtpSink;
  let notifier: Notifier;
  let now = Date.UTC(2026, 5, 1, 0, 0, 0); // 09:00 KST
  const clock = { now: () => now };
  const notifiers: Notifier[] = [];

  let prefix = '';
  // replicas of one deployment: the same Redis prefix (BullMQ queues), database and SMTP server
  const open = async (extra: Record<string, string> = {}) => {
    const config = notifierConfig(db.url, smtp.url, extra);
    if (!prefix) stack.prefixes.push((prefix = config.REDIS_PREFIX));
    const n = await Notifier.open({ ...config, REDIS_PREFIX: extra.REDIS_PREFIX ?? prefix }, { clock, dataSource: ds });
    await n.start({ schedule: false, metrics: false });
    notifiers.push(n);
    return n;
  };
  const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));

  beforeAll(async () => {
    stack = await openStack(12);
    ({ db, ds, smtp } = stack);
    notifier = await open();
  });

  afterAll(async () => {
    for (const n of notifiers) await n.close();
    await stack.close();
  });

  describe('thresholds', () => {
    const certs: Record<string, string> = {};
    beforeAll(async () => {
      const ko = await createAccount(ds, { email: 'hong@example.kr', locale: 'ko' });
      const en = await createAccount(ds, { email: 'kim@example.com', locale: 'en' });
      certs.d31 = await createCertificate(ds, { accountId: ko, notAfter: now + 31 * DAY_MS });
      certs.d30 = await createCertificate(ds, { accountId: ko, notAfter: now + 30 * DAY_MS, policyOid: '1.2.410.200004.5.2.1.7.1', issuerDn: 'CN=signGATE CA5,OU=AccreditedCA,O=KICA,C=KR', ca: 'KICA' });
      certs.d8 = await createCertificate(ds, { accountId: ko, notAfter: now + 8 * DAY_MS });
      certs.d7 = await createCertificate(ds, { accountId: en, notAfter: now + 7 * DAY_MS });
      certs.d1 = await createCertificate(ds, { accountId: en, notAfter: now + 1 * DAY_MS });
      certs.d0 = await createCertificate(ds, { accountId: en, notAfter: now + 2 * 3600_000 });
      certs.expired = await createCertificate(ds, { accountId: en, notAfter: now - 3600_000 });
    });

    it('sends the right reminder to the right address in the right language, each once', async () => {
      const report = await notifier.scan();
      expect(report).toMatchObject({ due: 5, enqueued: 5, expired: 1 });
      await smtp.waitFor(5);
      await notifier.queues.drained(10_000);
      expect(smtp.received).toHaveLength(5);

      const ko = mailsTo('hong@example.kr');
      expect(ko.map((m) => m.headers.get('x-jointcert-notification')).sort()).toEqual(['expiry/30', 'expiry/30']);
      const ko30 = ko.find((m) => m.subject.includes('30일'))!;
      expect(ko30.subject).toBe('[jointcert] 공동인증서가 30일 후 만료됩니다 (홍길동()0011234200401011234567)');
      expect(ko30.text).toContain('인증기관: 한국정보인증 (signGATE)');
      expect(ko30.text).toContain('인증서 종류: 개인 은행·보험용');
      expect(ko30.text).toContain('2026년 7월 1일 (수) 09:00 KST');
      expect(ko30.text).toContain('남은 기간: 30일');
      expect(ko30.text).toContain('은행 또는 인증기관에서 갱신');
      expect(ko30.html).toContain('<th align="left" style="padding:2px 12px 2px 0">인증서 종류</th><td>개인 은행·보험용</td>');
      const ko8 = ko.find((m) => m.subject.includes('8일'))!;
      expect(ko8.text).toContain('인증서 종류: 개인 범용');
      expect(ko8.text).toContain('인증기관: 금융결제원 (yessign)');

      const en = mailsTo('kim@example.com');
      expect(en.map((m) => m.headers.get('x-jointcert-notification')).sort()).toEqual(['expiry/1', 'expiry/1', 'expiry/7']);
      const en7 = en.find((m) => m.headers.get('x-jointcert-notification') === 'expiry/7')!;
      expect(en7.subject).toBe('[jointcert] Your joint certificate expires in 7 days (홍길동()0011234200401011234567)');
      expect(en7.text).toContain('Certificate type: personal, general-purpose');
      expect(en7.text).toContain('Expires: Mon, 8 Jun 2026, 09:00 KST');
      expect(en7.text).toContain('Renew it at the bank or certificate authority');
      expect(en.find((m) => m.subject.includes('expires in 1 day ('))).toBeDefined();

      // RFC 8058 one-click unsubscribe
      const lu = en7.headers.get('list-unsubscribe')!;
      expect(lu).toMatch(/^<https:\/\/jointcert\.test\/v1\/notifications\/unsubscribe\?token=[0-9a-f-]{36}\.\d+\.[A-Za-z0-9_-]{43}>$/);
      expect(en7.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(en7.text).toContain(lu.slice(1, -1));

      for (const id of [certs.d30!, certs.d8!]) expect(await notificationRows(ds, id)).toEqual([{ kind: 'expiry', threshold_days: 30, status: 'sent', attempts: 1, last_error: null }]);
      expect(await notificationRows(ds, certs.d0!)).toMatchObject([{ threshold_days: 1, status: 'sent' }]);
      expect(await notificationRows(ds, certs.d31!)).toEqual([]);
    });

    it('marks an expired certificate expired, with an audit row, and sends it nothing', async () => {
      const [row] = await ds.query<Array<{ status: string }>>(`SELECT status FROM certificates WHERE id = $1`, [certs.expired]);
      expect(row!.status).toBe('expired');
      const audit = await ds.query<Array<{ action: string; outcome: string }>>(`SELECT action, outcome FROM audit_events WHERE certificate_id = $1`, [certs.expired]);
      expect(audit).toEqual([{ action: 'certificate.expired', outcome: 'success' }]);
      expect(await notificationRows(ds, certs.expired!)).toEqual([]);
    });

    it('a second scan sends nothing new', async () => {
      const before = smtp.count;
      const report = await notifier.scan();
      expect(report).toMatchObject({ due: 0, enqueued: 0, expired: 0 });
      await notifier.queues.drained(5000);
      expect(smtp.count).toBe(before);
    });

    it('the next threshold is sent once when its day comes (look-back after a missed run)', async () => {
      const before = smtp.count;
      now += 2 * DAY_MS; // the notifier was down for two days: the 8-day certificate crossed 7 meanwhile
      try {
        const report = await notifier.scan();
        expect(report.enqueued).toBe(2); // d8 → 7 (6 days left), d7 → ... 5 days left: still 7 (sent) → nothing; d31 → 30
        await smtp.waitFor(before + 2);
        await notifier.queues.drained(5000);
        expect(await notificationRows(ds, certs.d8!)).toMatchObject([{ threshold_days: 7, status: 'sent' }, { threshold_days: 30, status: 'sent' }]);
        expect(await notificationRows(ds, certs.d31!)).toMatchObject([{ threshold_days: 30, status: 'sent' }]);
        expect(await notifier.scan()).toMatchObject({ enqueued: 0 });
      } finally {
        now -= 2 * DAY_MS;
      }
    });
  });

  it('two notifiers scanning at once send nothing twice', async () => {
    const second = await open();
    const account = await createAccount(ds, { email: 'twice@example.kr' });
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await createCertificate(ds, { accountId: account, notAfter: now + (1 + (i % 7)) * 3600_000 + i * DAY_MS }));
    const before = smtp.count;
    const [a, b] = await Promise.all([notifier.scan(), second.scan(), notifier.scan()]);
    expect(a.due + b.due).toBeGreaterThanOrEqual(20);
    await smtp.waitFor(before + 20);
    await Promise.all([notifier.queues.drained(10_000), second.queues.drained(10_000)]);
    const got = mailsTo('twice@example.kr');
    expect(got).toHaveLength(20);
    expect(new Set(got.map((m) => m.headers.get('message-id'))).size).toBe(20);
    const sent = await ds.query<Array<{ n: string }>>(
      `SELECT count(*)::text AS n FROM notifications WHERE certificate_id = ANY($1) AND status = 'sent' AND attempts = 1`,
      [ids],
    );
    expect(sent[0]!.n).toBe('20');
    // later tests count on one worker (metrics per process)
    notifiers.splice(notifiers.indexOf(second), 1);
    await second.close();
  });

  it('reminders off, or an account without an address: nothing', async () => {
    const off = await createAccount(ds, { email: 'off@example.kr', remindersEnabled: false });
    const none = await createAccount(ds, { email: null });
    const c1 = await createCertificate(ds, { accountId: off, notAfter: now + 3 * DAY_MS });
    const c2 = await createCertificate(ds, { accountId: none, notAfter: now + 3 * DAY_MS });
    await notifier.scan();
    await notifier.queues.drained(5000);
    expect(mailsTo('off@example.kr')).toEqual([]);
    expect(await notificationRows(ds, c1)).toEqual([]);
    expect(await notificationRows(ds, c2)).toEqual([]);
  });

  it('deleted and replaced certificates get nothing, also when they change between scan and send', async () => {
    const acc = await createAccount(ds, { email: 'gone@example.kr' });
    await createCertificate(ds, { accountId: acc, notAfter: now + 3 * DAY_MS, status: 'deleted' });
    await createCertificate(ds, { accountId: acc, notAfter: now + 3 * DAY_MS, status: 'replaced' });
    const late = await createCertificate(ds, { accountId: acc, notAfter: now + 3 * DAY_MS });
    // claim rows exist (as if a scan had enqueued them), then the certificate is deleted before the worker runs
    const queued = await notifier.repo.claimReminders([{ certificateId: late, thresholdDays: 7 }]);
    await ds.query(`UPDATE certificates SET status = 'deleted' WHERE id = $1`, [late]);
    await notifier.queues.enqueue(queued);
    await notifier.scan();
    await notifier.queues.drained(5000);
    expect(mailsTo('gone@example.kr')).toEqual([]);
    expect(await notificationRows(ds, late)).toMatchObject([{ status: 'skipped', last_error: 'certificate deleted' }]);
  });

  it('SMTP down, then up: sent once after recovery', async () => {
    const acc = await createAccount(ds, { email: 'outage@example.kr' });
    const cert = await createCertificate(ds, { accountId: acc, notAfter: now + 5 * DAY_MS });
    const port = smtp.port;
    await smtp.stop();
    await notifier.scan();
    // bounded wait for the first failed attempt to be recorded
    const deadline = Date.now() + 10_000;
    let rows = await notificationRows(ds, cert);
    while (!(rows[0]?.last_error ?? '').includes('ECONNREFUSED') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      rows = await notificationRows(ds, cert);
    }
    expect(rows[0]).toMatchObject({ status: expect.stringMatching(/pending|sending/), last_error: expect.stringContaining('ECONNREFUSED') });
    await smtp.start(port);
    await notifier.queues.drained(15_000);
    expect(mailsTo('outage@example.kr')).toHaveLength(1);
    rows = await notificationRows(ds, cert);
    expect(rows[0]!.status).toBe('sent');
    expect(rows[0]!.attempts).toBeGreaterThan(1);
  });

  it('a permanent 5xx for one address does not block others; the row is failed with attempts and error; the next scan retries it', async () => {
    const bad = await createAccount(ds, { email: 'refused@example.kr' });
    const good = await createAccount(ds, { email: 'fine@example.kr' });
    const c1 = await createCertificate(ds, { accountId: bad, notAfter: now + 6 * DAY_MS });
    const c2 = await createCertificate(ds, { accountId: good, notAfter: now + 6 * DAY_MS });
    smtp.refuse.add('refused@example.kr');
    await notifier.scan();
    await notifier.queues.drained(10_000);
    expect(mailsTo('fine@example.kr')).toHaveLength(1);
    expect(await notificationRows(ds, c2)).toMatchObject([{ status: 'sent' }]);
    expect(await notificationRows(ds, c1)).toMatchObject([{ status: 'failed', attempts: 1, last_error: expect.stringMatching(/^550 /) }]);

    smtp.refuse.delete('refused@example.kr');
    const report = await notifier.scan();
    expect(report.enqueued).toBe(1);
    await notifier.queues.drained(10_000);
    expect(mailsTo('refused@example.kr')).toHaveLength(1);
    expect(await notificationRows(ds, c1)).toMatchObject([{ status: 'sent', attempts: 2 }]);
  });

  it('after the last attempt the row is failed; the next scan sends it once', async () => {
    // a notifier of its own (own queues) with two attempts per scan
    const n = await open({ NOTIFIER_SEND_ATTEMPTS: '2', NOTIFIER_BACKOFF_MS: '10', REDIS_PREFIX: `${prefix}two:` });
    const acc = await createAccount(ds, { email: 'later@example.kr' });
    const cert = await createCertificate(ds, { accountId: acc, notAfter: now + 4 * DAY_MS });
    const port = smtp.port;
    await smtp.stop();
    try {
      await n.scan();
      await n.queues.drained(10_000);
      expect(await notificationRows(ds, cert)).toMatchObject([{ status: 'failed', attempts: 2, last_error: expect.stringContaining('ECONNREFUSED') }]);
    } finally {
      await smtp.start(port);
    }
    await n.scan();
    await n.queues.drained(10_000);
    expect(mailsTo('later@example.kr')).toHaveLength(1);
    expect(await notificationRows(ds, cert)).toMatchObject([{ status: 'sent', attempts: 3 }]);
  });
  it('the row update failing after the SMTP accept: the retry records it, the email is not sent again', async () => {
    const acc = await createAccount(ds, { email: 'dbdown@example.kr' });
    const cert = await createCertificate(ds, { accountId: acc, notAfter: now + 2 * DAY_MS });
    const repo = notifier.repo;
    const markSent = repo.markSent.bind(repo);
    let failures = 0;
    repo.markSent = async (...args) => {
      if (failures++ === 0) throw new Error('connection to Postgres lost');
      return markSent(...args);
    };
    try {
      await notifier.scan();
      await notifier.queues.drained(10_000);
    } finally {
      repo.markSent = markSent;
    }
    expect(failures).toBe(2);
    expect(mailsTo('dbdown@example.kr')).toHaveLength(1);
    expect(await notificationRows(ds, cert)).toMatchObject([{ status: 'sent', attempts: 1, last_error: null }]);
  });

  it('Prometheus metrics: sent/failed/skipped by kind, due, scan duration, expired, queue depth', async () => {
    const { server, port } = await notifier.metrics.serve(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^jointcert_notifier_notifications_total\{kind="expiry",outcome="sent"\} [1-9]\d*$/m);
      expect(text).toMatch(/^jointcert_notifier_notifications_total\{kind="expiry",outcome="skipped"\} [1-9]\d*$/m);
      expect(text).toMatch(/^jointcert_notifier_notifications_total\{kind="expiry",outcome="failed"\} [1-9]\d*$/m);
      expect(text).toMatch(/^jointcert_notifier_due_total\{kind="expiry"\} [1-9]\d*$/m);
      expect(text).toMatch(/^jointcert_notifier_scan_duration_seconds_count\{scan="expiry"\} [1-9]\d*$/m);
      expect(text).toMatch(/^jointcert_notifier_certificates_expired_total [1-9]\d*$/m);
      expect(text).toMatch(/^jointcert_notifier_queue_depth\{state="waiting"\} 0$/m);
      expect(text).toContain('jointcert_notifier_revocations_found_total');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
