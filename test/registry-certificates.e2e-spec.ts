/**
 * The registry's certificates and accounts over the real Redis transport, on
 * real Postgres and Redis, with a stand-in verifier: conflicts and races,
 * adding a certificate, isolation between accounts, account settings,
 * replacement rules, deletion.
 */
import { randomUUID } from 'node:crypto';
import { SessionRevocations, verifyAccessToken } from '@jointcert/common';
import { Api, type Caller, type RegisterResult } from '@jointcert/contracts';
import { CLIENT, DAY, person, signedChallenge, startHarness, type Harness, type Person } from './support/registry';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('reg-certs');
});
afterAll(async () => {
  await h.close();
});

async function signUp(p: Person, extra: Record<string, unknown> = {}): Promise<RegisterResult & { caller: Caller }> {
  const result = await h.call(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, p)), ...extra });
  return { ...result, caller: verifyAccessToken(h.config, result.session!.accessToken, h.clock.now()) };
}

async function tableCounts(): Promise<{ accounts: number; certificates: number; sessions: number }> {
  return { accounts: await h.count('accounts'), certificates: await h.count('certificates'), sessions: await h.count('sessions') };
}

const KICA_PERSONAL = '1.2.410.200004.5.2.1.2';
const HONG = '홍길동()0011048202601150000001';

describe('registration conflicts', () => {
  it('registering an active certificate again → 409 CERT_ALREADY_REGISTERED, nothing written, a failure audit row', async () => {
    const p = person('dup');
    const first = await signUp(p);
    const before = await tableCounts();
    const err = await h.failure(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, p)), email: 'second@example.kr' });
    expect(err).toMatchObject({ code: 'CERT_ALREADY_REGISTERED', status: 409 });
    expect(await tableCounts()).toEqual(before);
    expect(await h.count('accounts', `email = 'second@example.kr'`)).toBe(0);
    // also when adding it to another, authenticated account
    const other = await signUp(person('dup-other', { cn: '김철수()0011048202601150000002' }));
    const before2 = await tableCounts();
    const err2 = await h.failure(Api.registry.register, { client: CLIENT, caller: other.caller, ...(await signedChallenge(h, p)) });
    expect(err2.code).toBe('CERT_ALREADY_REGISTERED');
    expect(await tableCounts()).toEqual(before2);
    const audit = await h.sql.query(`SELECT outcome, reason, account_id FROM audit_events WHERE action = 'register' AND details->>'fingerprint' = $1 ORDER BY id`, [p.fingerprint]);
    expect(audit.rows).toEqual([
      { outcome: 'success', reason: null, account_id: first.account!.id },
      { outcome: 'failure', reason: 'CERT_ALREADY_REGISTERED', account_id: null },
      { outcome: 'failure', reason: 'CERT_ALREADY_REGISTERED', account_id: other.account!.id },
    ]);
  });

  it('of five concurrent sign-ups with one certificate exactly one wins, and the losers leave no account behind', async () => {
    const p = person('race');
    const attempts = await Promise.all(Array.from({ length: 5 }, () => signedChallenge(h, p)));
    const before = await tableCounts();
    const results = await Promise.allSettled(attempts.map((a) => h.call(Api.registry.register, { client: CLIENT, ...a })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CERT_ALREADY_REGISTERED' });
    expect(await tableCounts()).toEqual({ accounts: before.accounts + 1, certificates: before.certificates + 1, sessions: before.sessions + 1 });
    expect(await h.count('certificates', 'fingerprint_sha256 = $1', [p.fingerprint])).toBe(1);
  });
});

describe('a second certificate and isolation between accounts', () => {
  let a: RegisterResult & { caller: Caller };
  let b: RegisterResult & { caller: Caller };
  let a2: RegisterResult;

  beforeAll(async () => {
    a = await signUp(person('iso-a', { cn: '가나다()0011048202601150000010' }));
    b = await signUp(person('iso-b', { cn: '라마바()0011048202601150000020' }));
    a2 = await h.call(Api.registry.register, { client: CLIENT, caller: a.caller, ...(await signedChallenge(h, person('iso-a2', { cn: '가나다()0011048202601150000011' }))) });
  });

  it('with a caller, the certificate joins the caller’s account and no session or account is made', () => {
    expect(a2.account).toBeUndefined();
    expect(a2.session).toBeUndefined();
    expect(a2.certificate.status).toBe('active');
  });

  it('list shows the caller’s certificates only, newest first, with daysLeft from the clock', async () => {
    const list = await h.call(Api.registry.listCertificates, { client: CLIENT, caller: a.caller });
    expect(list.map((c) => c.id)).toEqual([a2.certificate.id, a.certificate.id]);
    const days = list[0]!.daysLeft;
    expect(days).toBe(Math.floor((Date.parse(list[0]!.notAfter) - h.clock.now()) / DAY));
    h.clock.advance(10 * DAY);
    try {
      expect((await h.call(Api.registry.listCertificates, { client: CLIENT, caller: a.caller }))[0]!.daysLeft).toBe(days - 10);
    } finally {
      h.clock.advance(-10 * DAY);
    }
    expect((await h.call(Api.registry.listCertificates, { client: CLIENT, caller: b.caller })).map((c) => c.id)).toEqual([b.certificate.id]);
  });

  it('get: own certificate yes; another account’s and an unknown id are the same NOT_FOUND', async () => {
    expect(await h.call(Api.registry.getCertificate, { client: CLIENT, caller: a.caller, certificateId: a.certificate.id })).toEqual(
      (await h.call(Api.registry.listCertificates, { client: CLIENT, caller: a.caller }))[1],
    );
    const foreign = await h.failure(Api.registry.getCertificate, { client: CLIENT, caller: a.caller, certificateId: b.certificate.id });
    const unknown = await h.failure(Api.registry.getCertificate, { client: CLIENT, caller: a.caller, certificateId: randomUUID() });
    expect(foreign).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect({ code: unknown.code, detail: unknown.detail }).toEqual({ code: foreign.code, detail: foreign.detail });
    expect((await h.failure(Api.registry.deleteCertificate, { client: CLIENT, caller: a.caller, certificateId: b.certificate.id })).code).toBe('NOT_FOUND');
    expect(await h.count('certificates', `id = $1 AND status = 'active'`, [b.certificate.id])).toBe(1);
  });

  it('a verified identity that is not the account holder’s cannot be added (FORBIDDEN, IDENTITY_MISMATCH)', async () => {
    const holder = person('id-holder', { cn: '사아자()0011048202601150000030', identity: { idn: '7001011234567' } });
    const acct = await signUp(holder, { identity: holder.identity });
    const stranger = person('id-stranger', { cn: '차카타()0011048202601150000031', identity: { idn: '6001011234567' } });
    const err = await h.failure(Api.registry.register, { client: CLIENT, caller: acct.caller, ...(await signedChallenge(h, stranger)), identity: stranger.identity });
    expect(err).toMatchObject({ code: 'FORBIDDEN', extra: { reason: 'IDENTITY_MISMATCH' } });
    expect(await h.count('certificates', 'fingerprint_sha256 = $1', [stranger.fingerprint])).toBe(0);
  });
});

describe('account settings', () => {
  let caller: Caller;
  beforeAll(async () => {
    caller = (await signUp(person('settings', { cn: '파하가()0011048202601150000040' }), { email: 'me@example.kr' })).caller;
  });

  it('get and update', async () => {
    expect(await h.call(Api.registry.getAccount, { client: CLIENT, caller })).toMatchObject({ email: 'me@example.kr', locale: 'ko', reminders: { enabled: true, daysBefore: [30, 7, 1] } });
    const updated = await h.call(Api.registry.updateAccount, { client: CLIENT, caller, email: 'new@example.kr', locale: 'en', reminders: { enabled: false, daysBefore: [1, 14, 60] } });
    expect(updated).toMatchObject({ email: 'new@example.kr', locale: 'en', reminders: { enabled: false, daysBefore: [60, 14, 1] } });
    expect(await h.call(Api.registry.updateAccount, { client: CLIENT, caller, email: null })).toMatchObject({ email: null, locale: 'en' });
    expect(await h.count('audit_events', `action = 'account.update' AND account_id = $1`, [caller.accountId])).toBe(2);
  });

  it.each([
    ['a malformed email', { email: 'nope@' }],
    ['an unknown locale', { locale: 'fr' }],
    ['duplicate days', { reminders: { daysBefore: [7, 7] } }],
    ['a day above 366', { reminders: { daysBefore: [400] } }],
    ['a negative day', { reminders: { daysBefore: [-1] } }],
    ['a fractional day', { reminders: { daysBefore: [1.5] } }],
    ['no days', { reminders: { daysBefore: [] } }],
    ['eleven days', { reminders: { daysBefore: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } }],
    ['enabled not a boolean', { reminders: { enabled: 'yes' } }],
  ])('%s → MALFORMED_INPUT, nothing written', async (_label, patch) => {
    const before = await h.sql.query(`SELECT * FROM accounts WHERE id = $1`, [caller.accountId]);
    const err = await h.failure(Api.registry.updateAccount, { client: CLIENT, caller, email: 'changed@example.kr', ...(patch as object) });
    expect(err).toMatchObject({ code: 'MALFORMED_INPUT', status: 400 });
    expect((await h.sql.query(`SELECT * FROM accounts WHERE id = $1`, [caller.accountId])).rows).toEqual(before.rows);
  });
});

describe('replace', () => {
  const later = (days: number) => ({ user: { notAfter: Date.now() + days * DAY } });

  it('a successor (same CA, same CN base, later notAfter) replaces the old certificate; the old one no longer logs in', async () => {
    const old = person('rep-old', { cn: HONG, ...later(100) });
    const acct = await signUp(old);
    const next = person('rep-new', { cn: '홍길동()0011048202701150000099', ...later(465) });
    const result = await h.call(Api.registry.replaceCertificate, { client: CLIENT, caller: acct.caller, certificateId: acct.certificate.id, ...(await signedChallenge(h, next)) });
    expect(result.previous).toMatchObject({ id: acct.certificate.id, status: 'replaced', replacedBy: result.certificate.id });
    expect(result.certificate).toMatchObject({ status: 'active', fingerprintSha256: next.fingerprint });
    expect((await h.call(Api.registry.listCertificates, { client: CLIENT, caller: acct.caller })).map((c) => [c.id, c.status])).toEqual([
      [result.certificate.id, 'active'],
      [acct.certificate.id, 'replaced'],
    ]);
    expect((await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, old)) })).code).toBe('CERT_NOT_REGISTERED');
    expect((await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, next)) })).account.id).toBe(acct.account!.id);
    const audit = await h.sql.query(`SELECT outcome, certificate_id, details FROM audit_events WHERE action = 'replace' AND account_id = $1`, [acct.account!.id]);
    expect(audit.rows).toEqual([
      { outcome: 'success', certificate_id: acct.certificate.id, details: expect.objectContaining({ newCertificateId: result.certificate.id, sameBy: 'ca-and-cn' }) },
    ]);
    // the replaced one cannot be replaced again
    const again = await h.failure(Api.registry.replaceCertificate, { client: CLIENT, caller: acct.caller, certificateId: acct.certificate.id, ...(await signedChallenge(h, person('rep-new2', { cn: HONG, ...later(700) }))) });
    expect(again).toMatchObject({ code: 'CERT_NOT_SUCCESSOR', extra: { reason: 'PREVIOUS_NOT_ACTIVE' } });
  });

  it.each([
    ['an earlier notAfter', () => person('rep-earlier', { cn: HONG, ...later(50) }), 'NOT_LATER'],
    ['another person', () => person('rep-other', { cn: '김철수()0011048202701150000099', ...later(465) }), 'DIFFERENT_SUBJECT'],
    ['another CA without an identity', () => person('rep-kica', { cn: HONG, policyOid: KICA_PERSONAL, ...later(465) }), 'DIFFERENT_CA'],
  ])('%s → 422 CERT_NOT_SUCCESSOR, nothing changed, audited', async (_label, make, reason) => {
    const acct = await signUp(person(`rep-base-${reason}`, { cn: HONG, ...later(100) }));
    const next = make();
    const before = await tableCounts();
    const err = await h.failure(Api.registry.replaceCertificate, { client: CLIENT, caller: acct.caller, certificateId: acct.certificate.id, ...(await signedChallenge(h, next)) });
    expect(err).toMatchObject({ code: 'CERT_NOT_SUCCESSOR', status: 422, extra: { reason } });
    expect(await tableCounts()).toEqual(before);
    expect(await h.count('certificates', `id = $1 AND status = 'active'`, [acct.certificate.id])).toBe(1);
    expect(await h.count('audit_events', `action = 'replace' AND outcome = 'failure' AND reason = 'CERT_NOT_SUCCESSOR' AND account_id = $1 AND details->>'detailReason' = $2`, [acct.account!.id, reason])).toBe(1);
  });

  it('an account with a verified identity needs the same identity for a successor, and may then change CA', async () => {
    const old = person('rep-id-old', { cn: HONG, identity: { idn: '8501011234567' }, ...later(100) });
    const acct = await signUp(old, { identity: old.identity });
    const certificateId = acct.certificate.id;
    const next = person('rep-id-new', { cn: HONG, policyOid: KICA_PERSONAL, identity: { idn: '8501011234567' }, ...later(465) });
    const without = await h.failure(Api.registry.replaceCertificate, { client: CLIENT, caller: acct.caller, certificateId, ...(await signedChallenge(h, next)) });
    expect(without.extra).toMatchObject({ reason: 'IDENTITY_REQUIRED' });
    const someoneElse = person('rep-id-else', { cn: HONG, identity: { idn: '8601011234567' }, ...later(465) });
    const mismatch = await h.failure(Api.registry.replaceCertificate, { client: CLIENT, caller: acct.caller, certificateId, ...(await signedChallenge(h, someoneElse)), identity: someoneElse.identity });
    expect(mismatch.extra).toMatchObject({ reason: 'IDENTITY_MISMATCH' });
    const ok = await h.call(Api.registry.replaceCertificate, { client: CLIENT, caller: acct.caller, certificateId, ...(await signedChallenge(h, next)), identity: next.identity });
    expect(ok.certificate).toMatchObject({ ca: 'KICA', status: 'active' });
  });

  it('another account’s certificate → NOT_FOUND', async () => {
    const mine = await signUp(person('rep-mine', { cn: '나다라()0011048202601150000050' }));
    const theirs = await signUp(person('rep-theirs', { cn: HONG, ...later(100) }));
    const err = await h.failure(Api.registry.replaceCertificate, { client: CLIENT, caller: mine.caller, certificateId: theirs.certificate.id, ...(await signedChallenge(h, person('rep-x', { cn: HONG, ...later(465) }))) });
    expect(err.code).toBe('NOT_FOUND');
  });
});

describe('delete', () => {
  it('marks deleted (kept), revokes its sessions, refuses login, hides it; it can then be registered anew', async () => {
    const p = person('del', { cn: '마바사()0011048202601150000060' });
    const acct = await signUp(p);
    const login = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, p)) });
    const loginSession = verifyAccessToken(h.config, login.accessToken, h.clock.now()).sessionId;
    expect(await h.call(Api.registry.deleteCertificate, { client: CLIENT, caller: acct.caller, certificateId: acct.certificate.id })).toEqual({ ok: true });

    expect(await h.count('certificates', `id = $1 AND status = 'deleted'`, [acct.certificate.id])).toBe(1);
    expect(await h.count('sessions', `certificate_id = $1 AND revoked_at IS NULL`, [acct.certificate.id])).toBe(0);
    const revocations = new SessionRevocations(h.redis, h.config);
    expect(await revocations.isRevoked(acct.caller.sessionId)).toBe(true);
    expect(await revocations.isRevoked(loginSession)).toBe(true);
    expect((await h.failure(Api.registry.refresh, { client: CLIENT, refreshToken: login.refreshToken })).extra).toMatchObject({ reason: 'REFRESH_TOKEN_REVOKED' });
    expect((await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, p)) })).code).toBe('CERT_NOT_REGISTERED');
    expect(await h.call(Api.registry.listCertificates, { client: CLIENT, caller: acct.caller })).toEqual([]);
    expect((await h.failure(Api.registry.getCertificate, { client: CLIENT, caller: acct.caller, certificateId: acct.certificate.id })).code).toBe('NOT_FOUND');
    // a retried delete succeeds without a second change
    expect(await h.call(Api.registry.deleteCertificate, { client: CLIENT, caller: acct.caller, certificateId: acct.certificate.id })).toEqual({ ok: true });
    const audit = await h.sql.query(`SELECT action, outcome FROM audit_events WHERE account_id = $1 ORDER BY id`, [acct.account!.id]);
    expect(audit.rows).toEqual([
      { action: 'register', outcome: 'success' },
      { action: 'login', outcome: 'success' },
      { action: 'delete', outcome: 'success' },
    ]);
    expect(await h.count('audit_events', `action = 'login' AND reason = 'CERT_NOT_REGISTERED' AND details->>'fingerprint' = $1`, [p.fingerprint])).toBe(1);

    // registered anew: a new row, the deleted one kept
    const again = await h.call(Api.registry.register, { client: CLIENT, caller: acct.caller, ...(await signedChallenge(h, p)) });
    expect(again.certificate.id).not.toBe(acct.certificate.id);
    expect(await h.count('certificates', 'fingerprint_sha256 = $1', [p.fingerprint])).toBe(2);
    expect((await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, p)) })).account.id).toBe(acct.account!.id);
  });
});
