import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { createMicroservice, DAY_MS, linkSecret } from '@jointcert/common';
import { createGateway } from '../apps/gateway/src/bootstrap';
import type { TestDatabase } from '../libs/registry-db/test-support/database';
import { UnsubscribeTokens } from '../apps/notifier/src/mail/unsubscribe-token';
import { Notifier } from '../apps/notifier/src/notifier';
import { NotifierModule } from '../apps/notifier/src/notifier.module';
import { createAccount, createCertificate, notificationRows, notifierConfig, openStack, type NotifierStack } from './support/notifier';
import type { SmtpSink } from './support/smtp-sink';

// The unsubscribe link end to end: gateway route → Redis transport → notifier → Postgres.
describe('unsubscribe link (gateway route, notifier handler)', () => {
  let stack: NotifierStack;
  let db: TestDatabase;
  let ds: DataSource;
  let smtp: SmtpSink;
  let service: INestMicroservice;
  let gateway: NestFastifyApplication;
  let scanner: Notifier;
  let config: ReturnType<typeof notifierConfig>;
  let tokens: UnsubscribeTokens;
  const now = Date.UTC(2026, 5, 1, 0, 0, 0);
  const clock = { now: () => now };

  beforeAll(async () => {
    stack = await openStack(8);
    ({ db, ds, smtp } = stack);
    config = notifierConfig(db.url, smtp.url, { SERVICE_TIMEOUT_MS: '3000' });
    stack.prefixes.push(config.REDIS_PREFIX);
    service = await createMicroservice(NotifierModule.forRoot(config, { clock, dataSource: ds }), config);
    await service.listen();
    gateway = await createGateway(config);
    await gateway.init();
    await gateway.getHttpAdapter().getInstance().ready();
    scanner = await Notifier.open(config, { clock, dataSource: ds });
    tokens = new UnsubscribeTokens(linkSecret(config), config.UNSUBSCRIBE_TTL_S * 1000);
  });

  afterAll(async () => {
    await gateway.close();
    await service.close();
    await scanner.close();
    await stack.close();
  });

  const inject = (method: 'GET' | 'POST', token: string, opts: { accept?: string; form?: boolean } = {}) =>
    gateway
      .getHttpAdapter()
      .getInstance()
      .inject({
        method,
        url: `/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`,
        headers: { ...(opts.accept ? { accept: opts.accept } : {}), ...(opts.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(opts.form ? { payload: 'List-Unsubscribe=One-Click' } : {}),
      });
  const remindersOn = async (id: string) => (await ds.query<Array<{ r: boolean }>>(`SELECT reminders_enabled AS r FROM accounts WHERE id = $1`, [id]))[0]!.r;

  it('GET shows what the link does and changes nothing; POST (RFC 8058 one-click) turns reminders off; then nothing is sent', async () => {
    const account = await createAccount(ds, { email: 'user@example.kr', locale: 'ko' });
    const cert = await createCertificate(ds, { accountId: account, notAfter: now + 6 * DAY_MS });
    const token = tokens.issue(account, now);

    const shown = await inject('GET', token);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({ emailHint: 'u***@example.kr', locale: 'ko', remindersEnabled: true });
    const html = await inject('GET', token, { accept: 'text/html' });
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toContain("form-action 'self'");
    expect(html.body).toContain('<form method="post" action="/v1/notifications/unsubscribe?token=');
    expect(await remindersOn(account)).toBe(true);

    const done = await inject('POST', token, { form: true });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ emailHint: 'u***@example.kr', locale: 'ko', remindersEnabled: false });
    expect(await remindersOn(account)).toBe(false);
    const audit = await ds.query<Array<{ action: string }>>(`SELECT action FROM audit_events WHERE account_id = $1`, [account]);
    expect(audit).toEqual([{ action: 'account.reminders-unsubscribed' }]);
    // idempotent
    expect((await inject('POST', token)).statusCode).toBe(200);

    await scanner.scan();
    expect(await notificationRows(ds, cert)).toEqual([]);
    expect(smtp.count).toBe(0);
  });

  it("the password reminder's link: its page names that reminder; POST turns it off and leaves the expiry reminders on", async () => {
    const account = await createAccount(ds, { email: 'pw@example.kr', locale: 'ko' });
    await ds.query(`UPDATE accounts SET password_reminder_enabled = true WHERE id = $1`, [account]);
    const token = tokens.issue(account, now, 'password');
    const html = await inject('GET', token, { accept: 'text/html' });
    expect(html.body).toContain('p***@example.kr 주소로 보내는 인증서 비밀번호 변경 알림을 그만 받으시겠습니까?');
    const done = await inject('POST', token, { form: true });
    expect(done.json()).toEqual({ emailHint: 'p***@example.kr', locale: 'ko', remindersEnabled: true, list: 'password', passwordReminderEnabled: false });
    expect(await ds.query(`SELECT reminders_enabled, password_reminder_enabled FROM accounts WHERE id = $1`, [account])).toEqual([{ reminders_enabled: true, password_reminder_enabled: false }]);
    expect(await ds.query(`SELECT action FROM audit_events WHERE account_id = $1`, [account])).toEqual([{ action: 'account.password-reminder-unsubscribed' }]);
    // a reminders token made into a password one (the MAC covers the list): refused
    const forged = tokens.issue(account, now).replace(/\.([A-Za-z0-9_-]{43})$/, '.pw.$1');
    expect((await inject('GET', forged)).json()).toMatchObject({ code: 'UNSUBSCRIBE_TOKEN_INVALID' });
  });

  it.each([
    ['malformed', () => 'not-a-token', 'UNSUBSCRIBE_TOKEN_INVALID'],
    ['forged', (id: string) => `${tokens.issue(id, now).slice(0, -3)}AAA`, 'UNSUBSCRIBE_TOKEN_INVALID'],
    ['signed with another key', (id: string) => new UnsubscribeTokens('x'.repeat(40), DAY_MS).issue(id, now), 'UNSUBSCRIBE_TOKEN_INVALID'],
    ['expired', (id: string) => tokens.issue(id, now - config.UNSUBSCRIBE_TTL_S * 1000 - 1000), 'UNSUBSCRIBE_TOKEN_EXPIRED'],
    ['for no account', () => tokens.issue('00000000-0000-4000-8000-000000000000', now), 'UNSUBSCRIBE_TOKEN_INVALID'],
  ])('%s token → 400 problem+json and nothing changes', async (_name, make, code) => {
    const account = await createAccount(ds, { email: 'keep@example.kr' });
    const token = make(account);
    for (const method of ['GET', 'POST'] as const) {
      const res = await inject(method, token, { form: method === 'POST' });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, code });
    }
    expect(await remindersOn(account)).toBe(true);
    expect(await ds.query(`SELECT 1 FROM audit_events WHERE account_id = $1`, [account])).toEqual([]);
  });

  it('no token → 400', async () => {
    const res = await gateway.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/v1/notifications/unsubscribe' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'UNSUBSCRIBE_TOKEN_INVALID' });
  });
});
