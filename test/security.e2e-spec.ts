/**
 * Account security through the REST API only (test/support/system.ts: real dev
 * CA, verifier, registry and gateway on the real Postgres and Redis): lost
 * certificates locked and unlocked, last use of each certificate.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { AccountView, CertificateView, ReplaceResult, SessionTokens, SessionView, TotpEnrolment, TotpRecoveryCodes, TransferCreated } from '@jointcert/contracts';
import { totpCode } from '../apps/registry/src/security/otp';
import { signWithNode, startSystem, type ApiResponse, type Holder, type System } from './support/system';

interface SignUp {
  account: AccountView;
  certificate: CertificateView;
  session: SessionTokens;
}
type Problem = { status: number; code: string; detail: string } & Record<string, unknown>;

let sys: System;

beforeAll(async () => {
  sys = await startSystem({ name: 'security' });
});
afterAll(async () => {
  await sys?.close();
});

const sha256 = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

async function signed(h: Pick<Holder, 'der' | 'key'>): Promise<{ challengeId: string; signedData: string }> {
  const c = await sys.challenge();
  return { challengeId: c.challengeId, signedData: signWithNode(h, Buffer.from(c.nonce, 'base64')) };
}

function problem(res: ApiResponse<unknown>, status: number, code: string): Problem {
  expect({ status: res.status, code: (res.body as Problem | null)?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return res.body as Problem;
}

async function login(h: Holder): Promise<ApiResponse<SessionTokens>> {
  return sys.api<SessionTokens>('POST', '/v1/sessions', { body: await signed(h) });
}

async function rows(): Promise<Record<string, number>> {
  return { accounts: await sys.count('accounts'), certificates: await sys.count('certificates'), sessions: await sys.count('sessions'), locked: await sys.count('certificates', 'locked_at IS NOT NULL') };
}

/** An account with two certificates: A (signed up) and B (added). */
async function accountWithTwo(tag: string, idn: string): Promise<{ a: Holder; b: Holder; up: SignUp; bId: string }> {
  const a = await sys.issue({ name: `보안${tag}`, idn, validityDays: 300 });
  const up = await sys.api<SignUp>('POST', '/v1/certificates', { body: await signed(a) });
  expect(up.status).toBe(201);
  const b = await sys.issue({ name: `보조${tag}`, idn: '9001011234567' });
  const added = await sys.api<{ certificate: CertificateView }>('POST', '/v1/certificates', { token: up.body.session.accessToken, body: await signed(b) });
  expect(added.status).toBe(201);
  return { a, b, up: up.body, bId: added.body.certificate.id };
}

describe('a lost certificate', () => {
  it('lock: refused at login with CERT_LOCKED at once, its sessions (access and refresh) ended, the others live; audited', async () => {
    const { a, b, up, bId } = await accountWithTwo('가', '8001011000001');
    const viaA = await login(a);
    const viaB = await login(b);
    expect([viaA.status, viaB.status]).toEqual([201, 201]);

    // locked from a session A itself opened: that session ends too
    const locked = await sys.api<CertificateView>('POST', `/v1/certificates/${up.certificate.id}/lock`, { token: viaA.body.accessToken });
    expect(locked.status).toBe(200);
    expect(locked.body).toMatchObject({ id: up.certificate.id, status: 'active', locked: true, lockedAt: expect.any(String) });

    problem(await sys.api('GET', '/v1/accounts/me', { token: viaA.body.accessToken }), 401, 'UNAUTHENTICATED');
    problem(await sys.api('GET', '/v1/accounts/me', { token: up.session.accessToken }), 401, 'UNAUTHENTICATED');
    problem(await sys.api('POST', '/v1/sessions/refresh', { body: { refreshToken: viaA.body.refreshToken } }), 401, 'UNAUTHENTICATED');
    expect((await sys.api('GET', '/v1/accounts/me', { token: viaB.body.accessToken })).status).toBe(200);
    expect(await sys.count('sessions', 'certificate_id = $1 AND revoked_at IS NULL', [up.certificate.id])).toBe(0);

    // login with the lost certificate: a clear problem, nothing written but the failure audit
    const before = await rows();
    const refused = problem(await login(a), 401, 'CERT_LOCKED');
    expect(refused.detail).toMatch(/locked/);
    expect(await rows()).toEqual(before);
    expect(await sys.count('audit_events', `action = 'login' AND outcome = 'failure' AND reason = 'CERT_LOCKED' AND details->>'fingerprint' = $1`, [sha256(a.der)])).toBe(1);

    // locking again changes nothing (same time), B still logs in
    const again = await sys.api<CertificateView>('POST', `/v1/certificates/${up.certificate.id}/lock`, { token: viaB.body.accessToken });
    expect(again.body.lockedAt).toBe(locked.body.lockedAt);
    // one pending confirmation email for the notifier, not one per call
    expect(await sys.count('notifications', `kind = 'lock' AND threshold_days = 1 AND status = 'pending' AND certificate_id = $1`, [up.certificate.id])).toBe(1);
    expect(await sys.count('notifications', `kind = 'lock' AND certificate_id = $1`, [up.certificate.id])).toBe(1);
    expect((await login(b)).status).toBe(201);

    // the list shows the lock and the last use
    const list = await sys.api<CertificateView[]>('GET', '/v1/certificates', { token: viaB.body.accessToken });
    const byId = Object.fromEntries(list.body.map((c) => [c.id, c]));
    expect(byId[up.certificate.id]).toMatchObject({ locked: true, lockedAt: locked.body.lockedAt, lastUsedAt: expect.any(String) });
    expect(byId[bId]).toMatchObject({ locked: false, lockedAt: null, lastUsedAt: expect.any(String) });
    expect(Date.parse(byId[bId]!.lastUsedAt!)).toBeGreaterThan(Date.parse(viaB.headers.get('date') ?? '0') - 5000);

    const audit = await sys.sql.query(`SELECT action, outcome, certificate_id FROM audit_events WHERE action LIKE 'certificate.%' AND account_id = $1 ORDER BY id`, [up.account.id]);
    expect(audit.rows).toEqual([
      { action: 'certificate.lock', outcome: 'success', certificate_id: up.certificate.id },
      { action: 'certificate.lock', outcome: 'success', certificate_id: up.certificate.id },
    ]);
  });

  it('unlock from a session of another certificate: login works again; audited', async () => {
    const { a, b, up } = await accountWithTwo('나', '8001011000002');
    const viaB = await login(b);
    expect((await sys.api('POST', `/v1/certificates/${up.certificate.id}/lock`, { token: viaB.body.accessToken })).status).toBe(200);
    problem(await login(a), 401, 'CERT_LOCKED');
    const unlocked = await sys.api<CertificateView>('POST', `/v1/certificates/${up.certificate.id}/unlock`, { token: viaB.body.accessToken });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ locked: false, lockedAt: null });
    expect((await login(a)).status).toBe(201);
    expect(await sys.count('audit_events', `action = 'certificate.unlock' AND outcome = 'success' AND certificate_id = $1`, [up.certificate.id])).toBe(1);
  });

  it('unlock refused (403) from a session whose certificate is no longer active; nothing changed, audited', async () => {
    const idn = '8001011000003';
    const { a, up, bId } = await accountWithTwo('다', idn);
    const viaA = await login(a);
    // A replaced by its successor: the session A opened lives on, but A is no longer an active certificate
    const a2 = await sys.issue({ name: '보안다', idn, validityDays: 400 });
    const replaced = await sys.api<ReplaceResult>('POST', `/v1/certificates/${up.certificate.id}/replace`, {
      token: viaA.body.accessToken,
      body: { ...(await signed(a2)), identity: { idn, randomNum: a2.issued.randomNum } },
    });
    expect(replaced.status).toBe(200);
    expect((await sys.api('POST', `/v1/certificates/${bId}/lock`, { token: viaA.body.accessToken })).status).toBe(200);
    const before = await rows();
    const refused = problem(await sys.api('POST', `/v1/certificates/${bId}/unlock`, { token: viaA.body.accessToken }), 403, 'FORBIDDEN');
    expect(refused.reason).toBe('UNLOCK_NEEDS_OTHER_CERTIFICATE');
    expect(await rows()).toEqual(before);
    expect(await sys.count('certificates', 'id = $1 AND locked_at IS NOT NULL', [bId])).toBe(1);
    expect(await sys.count('audit_events', `action = 'certificate.unlock' AND outcome = 'failure' AND reason = 'FORBIDDEN' AND account_id = $1`, [up.account.id])).toBe(1);
    // the successor's session may unlock it
    const viaA2 = await login(a2);
    expect((await sys.api('POST', `/v1/certificates/${bId}/unlock`, { token: viaA2.body.accessToken })).status).toBe(200);
  });

  it('logins racing a lock: each either is refused or its session is ended — none survives the lock', async () => {
    const { a, b, up } = await accountWithTwo('거', '8001011000015');
    const viaB = (await login(b)).body.accessToken;
    const attempts = await Promise.all(Array.from({ length: 6 }, () => signed(a)));
    const [lock, ...logins] = await Promise.all([
      sys.api('POST', `/v1/certificates/${up.certificate.id}/lock`, { token: viaB }),
      ...attempts.map((body) => sys.api<SessionTokens>('POST', '/v1/sessions', { body })),
    ]);
    expect(lock.status).toBe(200);
    for (const r of logins) {
      expect([201, 401]).toContain(r.status);
      if (r.status === 401) expect((r.body as unknown as Problem).code).toBe('CERT_LOCKED');
      else problem(await sys.api('GET', '/v1/accounts/me', { token: r.body.accessToken }), 401, 'UNAUTHENTICATED');
    }
    expect(await sys.count('sessions', 'certificate_id = $1 AND revoked_at IS NULL', [up.certificate.id])).toBe(0);
  });

  it('refreshes racing a lock: each is refused or its new session is ended — no live session of the locked certificate', async () => {
    const { a, b, up } = await accountWithTwo('너', '8001011000016');
    const viaB = (await login(b)).body.accessToken;
    const viaA = await Promise.all(Array.from({ length: 5 }, () => login(a)));
    const [lock, ...refreshes] = await Promise.all([
      sys.api('POST', `/v1/certificates/${up.certificate.id}/lock`, { token: viaB }),
      ...viaA.map((s) => sys.api<SessionTokens>('POST', '/v1/sessions/refresh', { body: { refreshToken: s.body.refreshToken } })),
    ]);
    expect(lock.status).toBe(200);
    for (const r of refreshes) {
      expect([200, 401]).toContain(r.status);
      if (r.status === 401) expect((r.body as unknown as Problem).code).toBe('UNAUTHENTICATED');
      else {
        problem(await sys.api('GET', '/v1/accounts/me', { token: r.body.accessToken }), 401, 'UNAUTHENTICATED');
        problem(await sys.api('POST', '/v1/sessions/refresh', { body: { refreshToken: r.body.refreshToken } }), 401, 'UNAUTHENTICATED');
      }
    }
    expect(await sys.count('sessions', 'certificate_id = $1 AND revoked_at IS NULL', [up.certificate.id])).toBe(0);
    // after the lock, the old refresh tokens are refused too, nothing written
    const before = await rows();
    for (const s of viaA) problem(await sys.api('POST', '/v1/sessions/refresh', { body: { refreshToken: s.body.refreshToken } }), 401, 'UNAUTHENTICATED');
    expect(await rows()).toEqual(before);
  });

  it("another account's certificate or an unknown id → 404, nothing changed; a malformed id → 400", async () => {
    const one = await accountWithTwo('라', '8001011000004');
    const other = await accountWithTwo('마', '8001011000005');
    const token = (await login(other.b)).body.accessToken;
    const before = await rows();
    problem(await sys.api('POST', `/v1/certificates/${one.up.certificate.id}/lock`, { token }), 404, 'NOT_FOUND');
    problem(await sys.api('POST', `/v1/certificates/00000000-0000-4000-8000-000000000000/unlock`, { token }), 404, 'NOT_FOUND');
    problem(await sys.api('POST', `/v1/certificates/not-a-uuid/lock`, { token }), 400, 'MALFORMED_INPUT');
    problem(await sys.api('POST', `/v1/certificates/${one.up.certificate.id}/lock`), 401, 'UNAUTHENTICATED');
    expect(await rows()).toEqual(before);
    expect((await login(one.a)).status).toBe(201);
  });
});

/** A code for the registry's clock, after moving it one 30-second step on (each guarded action needs a step not used before). */
function nextCode(secret: string): string {
  sys.clock.offsetMs += 30_000;
  return totpCode(secret, Math.floor(sys.clock.now() / 1000));
}

/** Enrol and confirm a second factor for the session's account. */
async function enrolTotp(token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await sys.api<TotpEnrolment>('POST', '/v1/accounts/me/totp', { token });
  expect(started.status).toBe(201);
  const confirmed = await sys.api<TotpRecoveryCodes>('POST', '/v1/accounts/me/totp/confirm', { token, body: { code: nextCode(started.body.secret) } });
  expect(confirmed.status).toBe(200);
  return { secret: started.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
}

describe('a TOTP second factor', () => {
  it('enrol, confirm: secret encrypted at rest, ten recovery codes stored hashed; a wrong first code refused', async () => {
    const { up } = await accountWithTwo('바', '8001011000006');
    const token = up.session.accessToken;
    const started = await sys.api<TotpEnrolment>('POST', '/v1/accounts/me/totp', { token });
    expect(started.status).toBe(201);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(started.body.otpauthUri).toBe(`otpauth://totp/jointcert:${up.account.id}?secret=${started.body.secret}&issuer=jointcert`);
    const stored = await sys.sql.query<{ secret_enc: Buffer; confirmed_at: Date | null }>('SELECT secret_enc, confirmed_at FROM second_factors WHERE account_id = $1', [up.account.id]);
    expect(stored.rows[0]!.confirmed_at).toBeNull();
    expect(stored.rows[0]!.secret_enc.toString('latin1')).not.toContain(started.body.secret);

    const wrong = String((Number(nextCode(started.body.secret)) + 1) % 1_000_000).padStart(6, '0');
    problem(await sys.api('POST', '/v1/accounts/me/totp/confirm', { token, body: { code: wrong } }), 403, 'TOTP_INVALID');
    problem(await sys.api('POST', '/v1/accounts/me/totp/confirm', { token, body: { code: '12ab56' } }), 400, 'MALFORMED_INPUT');

    const confirmed = await sys.api<TotpRecoveryCodes>('POST', '/v1/accounts/me/totp/confirm', { token, body: { code: nextCode(started.body.secret) } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    const hashes = await sys.sql.query<{ recovery_hashes: string[] }>('SELECT recovery_hashes FROM second_factors WHERE account_id = $1', [up.account.id]);
    expect(hashes.rows[0]!.recovery_hashes).toHaveLength(10);
    for (const code of confirmed.body.recoveryCodes) expect(hashes.rows[0]!.recovery_hashes.join(',')).not.toContain(code);
    // enrolling again once confirmed → 409, nothing changed
    problem(await sys.api('POST', '/v1/accounts/me/totp', { token }), 409, 'TOTP_ALREADY_ENABLED');
  });

  it('deleting a certificate then needs a fresh code: none → TOTP_REQUIRED, replayed → TOTP_INVALID, both changing nothing', async () => {
    const { up, bId } = await accountWithTwo('사', '8001011000007');
    const token = up.session.accessToken;
    const { secret } = await enrolTotp(token);
    const before = await rows();
    problem(await sys.api('DELETE', `/v1/certificates/${bId}`, { token }), 403, 'TOTP_REQUIRED');
    const code = nextCode(secret);
    problem(await sys.api('DELETE', `/v1/certificates/${bId}`, { token, headers: { 'x-totp-code': 'abc' } }), 400, 'MALFORMED_INPUT');
    expect((await sys.api('GET', `/v1/certificates/${bId}`, { token })).status).toBe(200);
    expect(await sys.count('certificates', `id = $1 AND status = 'active'`, [bId])).toBe(1);
    // the right code deletes; the same code again (same window) is a replay
    expect((await sys.api('DELETE', `/v1/certificates/${bId}`, { token, headers: { 'x-totp-code': code } })).status).toBe(204);
    const replay = problem(await sys.api('DELETE', `/v1/certificates/${up.certificate.id}`, { token, headers: { 'x-totp-code': code } }), 403, 'TOTP_INVALID');
    expect(replay.reason).toBe('CODE_REPLAYED');
    expect(await sys.count('certificates', `id = $1 AND status = 'active'`, [up.certificate.id])).toBe(1);
    expect({ ...(await rows()) }).toEqual({ ...before });
    expect(await sys.count('audit_events', `action = 'totp.verify' AND outcome = 'failure' AND account_id = $1 AND details->>'detailReason' = 'CODE_REPLAYED'`, [up.account.id])).toBe(1);
  });

  it('unlocking then needs a code even from another certificate; a recovery code works once', async () => {
    const { a, b, up } = await accountWithTwo('아', '8001011000008');
    const viaB = (await login(b)).body.accessToken;
    const { recoveryCodes } = await enrolTotp(viaB);
    expect((await sys.api('POST', `/v1/certificates/${up.certificate.id}/lock`, { token: viaB })).status).toBe(200);
    problem(await sys.api('POST', `/v1/certificates/${up.certificate.id}/unlock`, { token: viaB }), 403, 'TOTP_REQUIRED');
    problem(await login(a), 401, 'CERT_LOCKED');
    const unlocked = await sys.api<CertificateView>('POST', `/v1/certificates/${up.certificate.id}/unlock`, { token: viaB, headers: { 'x-totp-code': recoveryCodes[3]! } });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.locked).toBe(false);
    expect(await sys.count('second_factors', 'account_id = $1 AND cardinality(recovery_hashes) = 9', [up.account.id])).toBe(1);
    expect((await sys.api('POST', `/v1/certificates/${up.certificate.id}/lock`, { token: viaB })).status).toBe(200);
    const again = problem(await sys.api('POST', `/v1/certificates/${up.certificate.id}/unlock`, { token: viaB, headers: { 'x-totp-code': recoveryCodes[3]! } }), 403, 'TOTP_INVALID');
    expect(again.reason).toBe('RECOVERY_CODE_UNKNOWN');
  });

  it('changing the email and sending a device transfer then need a fresh code; locale and reminders do not', async () => {
    const { up } = await accountWithTwo('하', '8001011000017');
    const token = up.session.accessToken;
    const transfer = () => {
      const address = String(randomInt(10_000_000, 100_000_000));
      return { addressHash: createHash('sha256').update(address).digest('hex'), ciphertext: randomBytes(300).toString('base64'), salt: randomBytes(16).toString('base64'), nonce: randomBytes(12).toString('base64') };
    };
    // without a second factor: no code asked
    expect((await sys.api('PATCH', '/v1/accounts/me', { token, body: { email: 'before@example.kr' } })).status).toBe(200);
    const first = await sys.api<TransferCreated>('POST', '/v1/transfers', { token, body: transfer() });
    expect(first.status).toBe(201);
    const { secret } = await enrolTotp(token);
    const email = async () => (await sys.sql.query<{ email: string | null }>('SELECT email FROM accounts WHERE id = $1', [up.account.id])).rows[0]!.email;

    problem(await sys.api('PATCH', '/v1/accounts/me', { token, body: { email: 'thief@example.kr' } }), 403, 'TOTP_REQUIRED');
    problem(await sys.api('PATCH', '/v1/accounts/me', { token, body: { email: null } }), 403, 'TOTP_REQUIRED');
    problem(await sys.api('PATCH', '/v1/accounts/me', { token, body: { email: 'thief@example.kr' }, headers: { 'x-totp-code': '000000' } }), 403, 'TOTP_INVALID');
    expect(await email()).toBe('before@example.kr');
    expect((await sys.api('PATCH', '/v1/accounts/me', { token, body: { locale: 'en', reminders: { enabled: false } } })).status).toBe(200);
    const changed = await sys.api<AccountView>('PATCH', '/v1/accounts/me', { token, body: { email: 'after@example.kr' }, headers: { 'x-totp-code': nextCode(secret) } });
    expect(changed.status).toBe(200);
    expect(await email()).toBe('after@example.kr');

    const transfers = () => sys.count('audit_events', `action = 'transfer.create' AND outcome = 'success' AND account_id = $1`, [up.account.id]);
    expect(await transfers()).toBe(1);
    problem(await sys.api('POST', '/v1/transfers', { token, body: transfer() }), 403, 'TOTP_REQUIRED');
    // the waiting transfer is still the first one: the refused send replaced nothing
    expect((await sys.api<TransferCreated>('GET', '/v1/transfers/current', { token })).body.transferId).toBe(first.body.transferId);
    const code = nextCode(secret);
    expect((await sys.api('POST', '/v1/transfers', { token, body: transfer(), headers: { 'x-totp-code': code } })).status).toBe(201);
    const replay = problem(await sys.api('POST', '/v1/transfers', { token, body: transfer(), headers: { 'x-totp-code': code } }), 403, 'TOTP_INVALID');
    expect(replay.reason).toBe('CODE_REPLAYED');
    expect(await transfers()).toBe(2);
  });

  it('wrong codes are rate-limited per account and audited; disabling needs a code', async () => {
    const { up, bId } = await accountWithTwo('자', '8001011000009');
    const token = up.session.accessToken;
    const { secret } = await enrolTotp(token);
    for (let i = 0; i < 5; i++) problem(await sys.api('DELETE', `/v1/certificates/${bId}`, { token, headers: { 'x-totp-code': '000000' } }), 403, 'TOTP_INVALID');
    const limited = problem(await sys.api('DELETE', `/v1/certificates/${bId}`, { token, headers: { 'x-totp-code': nextCode(secret) } }), 429, 'RATE_LIMITED');
    expect(limited.retryAfter).toBeGreaterThan(0);
    expect(await sys.count('certificates', `id = $1 AND status = 'active'`, [bId])).toBe(1);
    expect(await sys.count('audit_events', `action = 'totp.verify' AND outcome = 'failure' AND reason = 'TOTP_INVALID' AND account_id = $1`, [up.account.id])).toBe(5);
    // the limit is per account: another account is not affected
    const other = await accountWithTwo('차', '8001011000010');
    const { secret: otherSecret } = await enrolTotp(other.up.session.accessToken);
    problem(await sys.api('DELETE', '/v1/accounts/me/totp', { token: other.up.session.accessToken }), 403, 'TOTP_REQUIRED');
    expect((await sys.api('DELETE', '/v1/accounts/me/totp', { token: other.up.session.accessToken, headers: { 'x-totp-code': nextCode(otherSecret) } })).status).toBe(204);
    expect(await sys.count('second_factors', 'account_id = $1', [other.up.account.id])).toBe(0);
    expect((await sys.api('DELETE', `/v1/certificates/${other.bId}`, { token: other.up.session.accessToken })).status).toBe(204);
  });
});

describe("the account's sessions", () => {
  it('GET /v1/sessions lists the live ones with login time, last refresh, address and user agent; not another account’s', async () => {
    const { a, b, up } = await accountWithTwo('카', '8001011000011');
    const viaA = await login(a);
    const viaB = await login(b);
    const refreshed = await sys.api<SessionTokens>('POST', '/v1/sessions/refresh', { body: { refreshToken: viaB.body.refreshToken }, headers: { 'user-agent': 'jest-refresh/2.0' } });
    expect(refreshed.status).toBe(200);
    await sys.api('DELETE', '/v1/sessions/current', { token: viaA.body.accessToken });
    const other = await accountWithTwo('타', '8001011000012');

    const res = await sys.api<SessionView[]>('GET', '/v1/sessions', { token: refreshed.body.accessToken });
    expect(res.status).toBe(200);
    // the sign-up session and B's (refreshed) session; A's was logged out
    expect(res.body).toHaveLength(2);
    const bySession = res.body.find((s) => s.current)!;
    expect(bySession).toMatchObject({ userAgent: 'jest-refresh/2.0', ip: expect.any(String), lastRefreshAt: expect.any(String), current: true });
    expect(Date.parse(bySession.createdAt)).toBeLessThanOrEqual(Date.parse(bySession.lastRefreshAt!));
    const signUpSession = res.body.find((s) => !s.current)!;
    expect(signUpSession).toMatchObject({ certificateId: up.certificate.id, lastRefreshAt: null, current: false });
    expect(res.body.map((s) => s.certificateId)).not.toContain(other.up.certificate.id);
    problem(await sys.api('GET', '/v1/sessions'), 401, 'UNAUTHENTICATED');
  });

  it('DELETE /v1/sessions ends them all (this one too) at once, audited; other accounts untouched', async () => {
    const { a, b, up } = await accountWithTwo('파', '8001011000013');
    const viaA = await login(a);
    const viaB = await login(b);
    const other = await accountWithTwo('하', '8001011000014');
    const ended = await sys.api<{ ended: number }>('DELETE', '/v1/sessions', { token: viaA.body.accessToken });
    expect(ended.status).toBe(200);
    expect(ended.body.ended).toBe(3);
    for (const t of [viaA.body.accessToken, viaB.body.accessToken, up.session.accessToken]) problem(await sys.api('GET', '/v1/accounts/me', { token: t }), 401, 'UNAUTHENTICATED');
    problem(await sys.api('POST', '/v1/sessions/refresh', { body: { refreshToken: viaB.body.refreshToken } }), 401, 'UNAUTHENTICATED');
    expect(await sys.count('sessions', 'account_id = $1 AND revoked_at IS NULL', [up.account.id])).toBe(0);
    expect((await sys.api('GET', '/v1/accounts/me', { token: other.up.session.accessToken })).status).toBe(200);
    expect(await sys.count('audit_events', `action = 'sessions.end-all' AND outcome = 'success' AND account_id = $1 AND (details->>'revokedSessions')::int = 3`, [up.account.id])).toBe(1);
    // logging in again works
    expect((await login(a)).status).toBe(201);
  });
});

describe('the OpenAPI document', () => {
  it('documents X-TOTP-Code on the guarded actions and the new problem codes', async () => {
    const res = await sys.api<{ paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; responses: Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }> }>> }>('GET', '/docs-json');
    expect(res.status).toBe(200);
    const op = (path: string, method: string) => res.body.paths[path]![method]!;
    for (const [path, method] of [
      ['/v1/certificates/{id}', 'delete'],
      ['/v1/certificates/{id}/replace', 'post'],
      ['/v1/certificates/{id}/unlock', 'post'],
      ['/v1/accounts/me/totp', 'delete'],
      ['/v1/accounts/me', 'patch'],
      ['/v1/transfers', 'post'],
    ] as const) {
      expect(op(path, method).parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'x-totp-code', in: 'header' })]));
      expect(Object.keys(op(path, method).responses['403']!.content!['application/problem+json']!.examples!)).toEqual(expect.arrayContaining(['TOTP_REQUIRED', 'TOTP_INVALID']));
    }
    expect(Object.keys(op('/v1/sessions', 'post').responses['401']!.content!['application/problem+json']!.examples!)).toEqual(expect.arrayContaining(['CERT_NOT_REGISTERED', 'CERT_LOCKED']));
  });
});
