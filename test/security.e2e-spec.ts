/**
 * Account security through the REST API only (test/support/system.ts: real dev
 * CA, verifier, registry and gateway on the real Postgres and Redis): lost
 * certificates locked and unlocked, last use of each certificate.
 */
import { createHash } from 'node:crypto';
import type { AccountView, CertificateView, ReplaceResult, SessionTokens } from '@jointcert/contracts';
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
