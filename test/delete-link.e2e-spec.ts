/**
 * The one-click deletion link of the unused-certificate notice, end to end:
 * the notifier (real SMTP sink, its clock two days ahead, UNUSED_NOTICE_DAYS=1)
 * mails the notice with the signed link; the link is followed through the
 * gateway to the registry (real Postgres and Redis). GET changes nothing; POST
 * deletes once; a used, expired, tampered or outdated link is refused; an
 * account with a second factor needs a code; the only certificate of an
 * account is not deleted by link.
 */
import { Redis } from 'ioredis';
import type { SessionTokens } from '@jointcert/contracts';
import { Notifier } from '../apps/notifier/src/notifier';
import { DAY_MS } from '@jointcert/common';
import { notifierConfig } from './support/notifier';
import { SmtpSink } from './support/smtp-sink';
import { signWithNode, startSystem, type Holder, type System } from './support/system';
import { enrolTotp, type EnrolledTotp } from './support/totp';

let sys: System;
let smtp: SmtpSink;
let notifier: Notifier;
let prefix: string;

/** Sign up with `holder` (an email for the notices) → the session; or add it to the account of `token`. */
async function register(holder: Holder, opts: { email?: string; token?: string } = {}): Promise<{ certificateId: string; token: string }> {
  const c = await sys.challenge();
  const res = await sys.api<{ certificate: { id: string }; session?: SessionTokens }>('POST', '/v1/certificates', {
    body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')), ...(opts.email ? { email: opts.email } : {}) },
    ...(opts.token ? { token: opts.token } : {}),
  });
  expect(res.status).toBe(201);
  return { certificateId: res.body.certificate.id, token: opts.token ?? res.body.session!.accessToken };
}

async function login(holder: Holder): Promise<string> {
  const c = await sys.challenge();
  const res = await sys.api<SessionTokens>('POST', '/v1/sessions', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
  expect(res.status).toBe(201);
  return res.body.accessToken;
}

/** GET/POST the link through the gateway: JSON, or the page (Accept: text/html), or the page's form. */
async function follow(method: 'GET' | 'POST', token: string, opts: { html?: boolean; form?: Record<string, string>; totp?: string } = {}) {
  const headers: Record<string, string> = { accept: opts.html || opts.form ? 'text/html' : 'application/json' };
  if (opts.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (opts.totp) headers['x-totp-code'] = opts.totp;
  const res = await fetch(`${sys.url}/v1/notifications/delete-certificate?token=${encodeURIComponent(token)}`, {
    method,
    headers,
    ...(opts.form ? { body: new URLSearchParams(opts.form).toString() } : {}),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: <T = Record<string, unknown>>() => JSON.parse(text) as T };
}

const status = async (id: string) => (await sys.sql.query<{ status: string }>(`SELECT status FROM certificates WHERE id = $1`, [id])).rows[0]!.status;
const deletesAudited = async (id: string) =>
  (await sys.sql.query<{ outcome: string; details: Record<string, unknown> }>(`SELECT outcome, details FROM audit_events WHERE certificate_id = $1 AND action = 'delete'`, [id])).rows;

/** The deletion link of each certificate, from the notices in the sink. */
const links = new Map<string, string>();

beforeAll(async () => {
  sys = await startSystem({ name: 'delete-link' });
  smtp = new SmtpSink();
  await smtp.start();
  const config = notifierConfig(sys.db.url, smtp.url, { UNUSED_NOTICE_DAYS: '1' });
  prefix = config.REDIS_PREFIX;
  // two days ahead: every certificate registered below has been unused for a day
  notifier = await Notifier.open(config, { clock: { now: () => Date.now() + 2 * DAY_MS } });
  await notifier.start({ schedule: false, metrics: false });
}, 60_000);

afterAll(async () => {
  await notifier?.close();
  await smtp?.stop();
  if (prefix) {
    const redis = new Redis('redis://127.0.0.1:6379/0');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  await sys?.close();
});

describe('the deletion link of the unused-certificate notice', () => {
  let hong: Holder;
  let hongOld: string;
  let hongSpare: string;
  let hongToken: string;
  let totpAccount: { totp: EnrolledTotp; first: string; second: string };
  let single: string;

  beforeAll(async () => {
    // an account with two certificates; one with two certificates and a second factor; one with a single certificate
    hong = await sys.issue({ name: '홍길동', idn: '8001011234567' });
    const first = await register(hong, { email: 'hong@example.kr' });
    hongOld = first.certificateId;
    hongToken = first.token;
    hongSpare = (await register(await sys.issue({ name: '홍길동', idn: '8001011234567' }), { token: hongToken })).certificateId;

    const lee = await register(await sys.issue({ name: '이순신', idn: '8001011234568' }), { email: 'lee@example.com' });
    const secondLee = await register(await sys.issue({ name: '이순신', idn: '8001011234568' }), { token: lee.token });
    totpAccount = { totp: await enrolTotp(sys, lee.token), first: lee.certificateId, second: secondLee.certificateId };

    single = (await register(await sys.issue({ name: '성춘향', idn: '9002022345678' }), { email: 'chun@example.kr' })).certificateId;

    const report = await notifier.scan();
    expect(report.unusedNotices).toBe(5);
    await smtp.waitFor(5);
    await notifier.queues.drained(10_000);
    for (const mail of smtp.received) {
      const token = decodeURIComponent(/\/v1\/notifications\/delete-certificate\?token=(\S+)/.exec(mail.text)![1]!);
      links.set(token.split('.')[1]!, token);
    }
    expect([...links.keys()].sort()).toEqual([hongOld, hongSpare, totpAccount.first, totpAccount.second, single].sort());
  }, 60_000);

  it('GET shows the certificate and a button, as JSON or as a page, and changes nothing', async () => {
    const shown = await follow('GET', links.get(hongSpare)!);
    expect(shown.status).toBe(200);
    expect(shown.json()).toMatchObject({ certificate: { id: hongSpare, subject: expect.stringContaining('홍길동') }, locale: 'ko', totpRequired: false, lastCertificate: false, deleted: false });
    const page = await follow('GET', links.get(hongSpare)!, { html: true });
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('사용하지 않는 이 공동인증서를 계정에서 삭제하시겠습니까?');
    expect(page.text).toContain('<form method="post" action="/v1/notifications/delete-certificate?token=');
    expect(page.text).not.toContain('totpCode');
    expect(await status(hongSpare)).toBe('active');
    expect(await deletesAudited(hongSpare)).toEqual([]);
  });

  it('POST (the page form) deletes once, audited as a delete by link; the link then refuses (GET and POST); the other certificate stays', async () => {
    const done = await follow('POST', links.get(hongSpare)!, { form: {} });
    expect(done.status).toBe(200);
    expect(done.text).toContain('인증서를 삭제했습니다');
    expect(await status(hongSpare)).toBe('deleted');
    expect(await deletesAudited(hongSpare)).toEqual([{ outcome: 'success', details: expect.objectContaining({ via: 'email-link', previousStatus: 'active' }) }]);
    for (const method of ['GET', 'POST'] as const) {
      const again = await follow(method, links.get(hongSpare)!);
      expect(again.status).toBe(409);
      expect(again.type).toMatch(/^application\/problem\+json/);
      expect(again.json()).toMatchObject({ code: 'DELETE_LINK_OUTDATED', reason: 'DELETED' });
    }
    const list = await sys.api<Array<{ id: string }>>('GET', '/v1/certificates', { token: hongToken });
    expect(list.body.map((c) => c.id)).toEqual([hongOld]);
  });

  it('a certificate used again since the notice: the link no longer deletes it', async () => {
    // the spare one is gone, so this is hong's only certificate now: first another one, then a login with the old one
    await register(await sys.issue({ name: '홍길동', idn: '8001011234567' }), { token: hongToken });
    await login(hong);
    for (const method of ['GET', 'POST'] as const) {
      const res = await follow(method, links.get(hongOld)!);
      expect(res.status).toBe(409);
      expect(res.json()).toMatchObject({ code: 'DELETE_LINK_OUTDATED', reason: 'USED_AGAIN' });
    }
    expect(await status(hongOld)).toBe('active');
  });

  it.each([
    ['tampered (another certificate under the same MAC)', (t: string) => t.replace(totpAccount.first, hongOld), 'DELETE_LINK_INVALID', 400],
    ['tampered (the MAC)', (t: string) => `${t.slice(0, -3)}AAA`, 'DELETE_LINK_INVALID', 400],
    ['malformed', () => 'not-a-link', 'DELETE_LINK_INVALID', 400],
    ["the same account's unsubscribe token", (t: string) => notifier.tokens.issue(t.split('.')[0]!, Date.now()), 'DELETE_LINK_INVALID', 400],
  ])('%s → refused (GET and POST), nothing deleted', async (_name, make, code, httpStatus) => {
    const token = make(links.get(totpAccount.first)!);
    for (const method of ['GET', 'POST'] as const) {
      const res = await follow(method, token);
      expect(res.status).toBe(httpStatus);
      expect(res.json()).toMatchObject({ code });
    }
    expect(await status(totpAccount.first)).toBe('active');
    expect(await status(hongOld)).toBe('active');
  });

  it('expired (DELETE_LINK_TTL_S, 30 days by default) → DELETE_LINK_EXPIRED', async () => {
    const saved = sys.clock.offsetMs;
    sys.clock.offsetMs += 33 * DAY_MS;
    try {
      const res = await follow('POST', links.get(totpAccount.first)!);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'DELETE_LINK_EXPIRED' });
    } finally {
      sys.clock.offsetMs = saved;
    }
    expect(await status(totpAccount.first)).toBe('active');
  });

  it('an account with a second factor: the page asks for the code; none → TOTP_REQUIRED, a wrong one → TOTP_INVALID, the right one deletes', async () => {
    const token = links.get(totpAccount.first)!;
    expect((await follow('GET', token)).json()).toMatchObject({ totpRequired: true, locale: 'ko' });
    const page = await follow('GET', token, { html: true });
    expect(page.text).toContain('<input name="totpCode"');
    const none = await follow('POST', token);
    expect(none.status).toBe(403);
    expect(none.json()).toMatchObject({ code: 'TOTP_REQUIRED' });
    const wrong = await follow('POST', token, { form: { totpCode: '000000' } });
    expect(wrong.status).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'TOTP_INVALID' });
    expect(await status(totpAccount.first)).toBe('active');
    const done = await follow('POST', token, { form: { totpCode: totpAccount.totp.nextCode() } });
    expect(done.status).toBe(200);
    expect(await status(totpAccount.first)).toBe('deleted');
    // an API client sends the code as X-TOTP-Code — but this one is now the account's last certificate
    const last = await follow('POST', links.get(totpAccount.second)!, { totp: totpAccount.totp.nextCode() });
    expect(last.status).toBe(403);
    expect(last.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'LAST_CERTIFICATE' });
  });

  it("the account's only certificate: the page says to log in; POST refuses with FORBIDDEN (LAST_CERTIFICATE)", async () => {
    const token = links.get(single)!;
    expect((await follow('GET', token)).json()).toMatchObject({ lastCertificate: true });
    const page = await follow('GET', token, { html: true });
    expect(page.text).toContain('계정에 남은 유일한 인증서라서 이 링크로는 삭제할 수 없습니다');
    expect(page.text).not.toContain('<form');
    const res = await follow('POST', token, { form: {} });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'LAST_CERTIFICATE' });
    expect(await status(single)).toBe('active');
  });
});
