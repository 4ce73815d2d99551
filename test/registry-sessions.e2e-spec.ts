/**
 * The registry over the real Redis transport, on real Postgres and Redis,
 * with a stand-in verifier: challenges, sign-up, log in, refresh rotation and
 * reuse detection, log out, rate limiting, and a verifier that is down.
 */
import { SessionRevocations, verifyAccessToken } from '@jointcert/common';
import { Api, type SessionTokens } from '@jointcert/contracts';
import { CHALLENGE_GRACE_S } from '../apps/registry/src/challenges/challenge.store';
import { CLIENT, person, signedChallenge, signNonce, startHarness, type Harness, type Person } from './support/registry';

let h: Harness;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  h = await startHarness('reg-sessions', { RATE_LIMIT_PER_CERT: '5', SERVICE_TIMEOUT_MS: '500' });
  alice = person('alice');
  bob = person('bob', { cn: '김철수()0011048202601150009999' });
});
afterAll(async () => {
  await h.close();
});
// every test in its own rate-limit window (the limit has its own test below)
beforeEach(() => h.clock.advance(60_000));

async function signUp(p: Person, extra: { email?: string } = {}): Promise<SessionTokens & { certificateId: string }> {
  const result = await h.call(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, p)), ...extra });
  return { ...result.session!, certificateId: result.certificate.id };
}

async function auditRows(where: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
  const r = await h.sql.query(`SELECT action, outcome, reason, account_id, certificate_id, request_id, host(ip) AS ip, user_agent, details FROM audit_events WHERE ${where} ORDER BY id`, params);
  return r.rows as Array<Record<string, unknown>>;
}

describe('challenges', () => {
  it('are 32 random bytes under a UUID, expiring after CHALLENGE_TTL_S, with a Redis TTL that includes the grace period', async () => {
    const c = await h.call(Api.registry.createChallenge, { client: CLIENT });
    expect(c.challengeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(c.nonce, 'base64')).toHaveLength(32);
    expect(Date.parse(c.expiresAt)).toBe(h.clock.now() + h.config.CHALLENGE_TTL_S * 1000);
    const ttl = await h.redis.ttl(`${h.config.REDIS_PREFIX}challenge:${c.challengeId}`);
    expect(ttl).toBeGreaterThan(h.config.CHALLENGE_TTL_S);
    expect(ttl).toBeLessThanOrEqual(h.config.CHALLENGE_TTL_S + CHALLENGE_GRACE_S);
  });

  it('are single use: a replayed signature gets CHALLENGE_UNKNOWN and the verifier is not asked again', async () => {
    const { certificateId } = await signUp(alice);
    expect(certificateId).toBeDefined();
    const attempt = await signedChallenge(h, alice);
    await h.call(Api.registry.login, { client: CLIENT, ...attempt });
    const calls = h.verifier.calls.length;
    const replay = await h.failure(Api.registry.login, { client: CLIENT, ...attempt });
    expect(replay).toMatchObject({ code: 'CHALLENGE_UNKNOWN', status: 400 });
    expect(h.verifier.calls.length).toBe(calls);
  });

  it('of ten concurrent uses of one challenge exactly one gets through', async () => {
    const attempt = await signedChallenge(h, alice);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => h.call(Api.registry.login, { client: CLIENT, ...attempt })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
  });

  it('used after expiresAt → CHALLENGE_EXPIRED (and gone afterwards); an unknown id → CHALLENGE_UNKNOWN', async () => {
    const attempt = await signedChallenge(h, alice);
    h.clock.advance(h.config.CHALLENGE_TTL_S * 1000);
    try {
      const late = await h.failure(Api.registry.login, { client: CLIENT, ...attempt });
      expect(late).toMatchObject({ code: 'CHALLENGE_EXPIRED', status: 400 });
      expect(await h.failure(Api.registry.login, { client: CLIENT, ...attempt })).toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
    } finally {
      h.clock.advance(-h.config.CHALLENGE_TTL_S * 1000);
    }
    const unknown = await h.failure(Api.registry.login, { client: CLIENT, challengeId: '6f1f7d0e-0000-4000-8000-000000000000', signedData: attempt.signedData });
    expect(unknown.code).toBe('CHALLENGE_UNKNOWN');
    expect((await h.failure(Api.registry.login, { client: CLIENT, challengeId: 'not-a-uuid', signedData: attempt.signedData })).code).toBe('CHALLENGE_UNKNOWN');
  });

  it('a signature over another nonce fails (SIGNATURE_INVALID) and burns the challenge', async () => {
    const mine = await h.call(Api.registry.createChallenge, { client: CLIENT });
    const other = await h.call(Api.registry.createChallenge, { client: CLIENT });
    const bad = await h.failure(Api.registry.login, { client: CLIENT, challengeId: mine.challengeId, signedData: signNonce(alice, other.nonce) });
    expect(bad.code).toBe('SIGNATURE_INVALID');
    const retry = await h.failure(Api.registry.login, { client: CLIENT, challengeId: mine.challengeId, signedData: signNonce(alice, mine.nonce) });
    expect(retry.code).toBe('CHALLENGE_UNKNOWN');
  });
});

describe('sign-up', () => {
  it('creates account + certificate + session at once and answers with working tokens', async () => {
    const carol = person('carol', { cn: '이영희()0011048202601150007777' });
    const result = await h.call(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, carol)), email: 'carol@example.kr' });
    expect(result.account).toMatchObject({ email: 'carol@example.kr', locale: 'ko', reminders: { enabled: true, daysBefore: [30, 7, 1] } });
    expect(result.certificate).toMatchObject({ status: 'active', fingerprintSha256: carol.fingerprint, ca: 'yessign', type: 'personal/general', replacedBy: null });
    expect(result.certificate.typeLabel).toContain('개인 범용');
    const session = result.session!;
    expect(session).toMatchObject({ tokenType: 'Bearer', expiresIn: h.config.ACCESS_TOKEN_TTL_S, refreshExpiresIn: h.config.REFRESH_TOKEN_TTL_S });
    const caller = verifyAccessToken(h.config, session.accessToken, h.clock.now());
    expect(caller.accountId).toBe(result.account!.id);
    expect(Buffer.from(session.refreshToken, 'base64url')).toHaveLength(32);

    const accountId = result.account!.id;
    expect(await h.count('accounts', 'id = $1', [accountId])).toBe(1);
    expect(await h.count('certificates', 'account_id = $1 AND status = $2', [accountId, 'active'])).toBe(1);
    expect(await h.count('sessions', 'id = $1 AND account_id = $2', [caller.sessionId, accountId])).toBe(1);
    // only the hash of the refresh token is stored
    expect(await h.count('sessions', 'refresh_token_hash = $1', [session.refreshToken])).toBe(0);
    const audit = await auditRows('account_id = $1', [accountId]);
    expect(audit).toEqual([
      expect.objectContaining({ action: 'register', outcome: 'success', reason: null, certificate_id: result.certificate.id, ip: CLIENT.ip, user_agent: CLIENT.userAgent }),
    ]);
    expect(audit[0]!.request_id).toEqual(expect.any(String));
    expect(audit[0]!.details).toMatchObject({ fingerprint: carol.fingerprint, signUp: true });
  });

  it('a malformed email is MALFORMED_INPUT before the challenge is touched', async () => {
    const carl = person('carl', { cn: '박민수()0011048202601150001111' });
    const attempt = await signedChallenge(h, carl);
    const err = await h.failure(Api.registry.register, { client: CLIENT, ...attempt, email: 'not an email' });
    expect(err).toMatchObject({ code: 'MALFORMED_INPUT' });
    // the challenge is still usable
    await h.call(Api.registry.register, { client: CLIENT, ...attempt, email: 'carl@example.kr' });
  });

  it('an identity proof leaves only a keyed hash on the account, never the number', async () => {
    const dave = person('dave', { cn: '최지우()0011048202601150002222', identity: { idn: '9001011234567' } });
    const result = await h.call(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, dave)), identity: dave.identity });
    const rows = await h.sql.query<{ identity_hash: string }>(`SELECT identity_hash FROM accounts WHERE id = $1`, [result.account!.id]);
    expect(rows.rows[0]!.identity_hash).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify((await h.sql.query(`SELECT a.*, c.subject_dn, e.details FROM accounts a JOIN certificates c ON c.account_id = a.id JOIN audit_events e ON e.account_id = a.id`)).rows);
    expect(dump).not.toContain('9001011234567');
    expect(dump).not.toContain(dave.identity!.randomNum);
  });

  it('a wrong identity is VID_MISMATCH, audited, and nothing is created', async () => {
    const erin = person('erin', { cn: '정수진()0011048202601150003333' });
    const accounts = await h.count('accounts');
    const err = await h.failure(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, erin)), identity: { idn: '8001011234568', randomNum: erin.identity!.randomNum } });
    expect(err.code).toBe('VID_MISMATCH');
    expect(await h.count('accounts')).toBe(accounts);
    const audit = await auditRows(`action = 'register' AND details->>'fingerprint' = $1`, [erin.fingerprint]);
    expect(audit).toEqual([expect.objectContaining({ outcome: 'failure', reason: 'VID_MISMATCH', account_id: null })]);
  });
});

describe('log in', () => {
  it('issues a session for a registered certificate and audits it under the request id', async () => {
    const requestId = `login-${Date.now()}`;
    const tokens = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) }, { requestId });
    const caller = verifyAccessToken(h.config, tokens.accessToken, h.clock.now());
    expect(tokens.account.id).toBe(caller.accountId);
    const audit = await auditRows(`action = 'login' AND details->>'sessionId' = $1`, [caller.sessionId]);
    expect(audit).toEqual([expect.objectContaining({ outcome: 'success', account_id: caller.accountId, ip: CLIENT.ip, request_id: requestId })]);
  });

  it('an unregistered certificate → CERT_NOT_REGISTERED (401) with a failure audit row', async () => {
    const err = await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, bob)) });
    expect(err).toMatchObject({ code: 'CERT_NOT_REGISTERED', status: 401 });
    const audit = await auditRows(`action = 'login' AND details->>'fingerprint' = $1`, [bob.fingerprint]);
    expect(audit).toEqual([expect.objectContaining({ outcome: 'failure', reason: 'CERT_NOT_REGISTERED', account_id: null, user_agent: CLIENT.userAgent })]);
  });

  it('verifier refusals pass through with their code and are audited', async () => {
    h.verifier.refuse.set(alice.fingerprint, 'CERT_REVOKED');
    try {
      const err = await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
      expect(err).toMatchObject({ code: 'CERT_REVOKED', status: 422 });
    } finally {
      h.verifier.refuse.delete(alice.fingerprint);
    }
    const audit = await auditRows(`action = 'login' AND reason = 'CERT_REVOKED'`, []);
    expect(audit).toHaveLength(1);
  });

  it('garbage signedData → MALFORMED_INPUT (the challenge is burned, the attempt audited)', async () => {
    const c = await h.call(Api.registry.createChallenge, { client: CLIENT });
    const err = await h.failure(Api.registry.login, { client: CLIENT, challengeId: c.challengeId, signedData: Buffer.from('not cms').toString('base64') });
    expect(err.code).toBe('MALFORMED_INPUT');
    expect(await h.count('audit_events', `action = 'login' AND reason = 'MALFORMED_INPUT'`)).toBe(1);
  });
});

describe('refresh and log out', () => {
  it('rotate: a new pair in the same family, the old row marked rotated', async () => {
    const first = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
    const second = await h.call(Api.registry.refresh, { client: CLIENT, refreshToken: first.refreshToken });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const a = verifyAccessToken(h.config, first.accessToken, h.clock.now());
    const b = verifyAccessToken(h.config, second.accessToken, h.clock.now());
    expect(b.accountId).toBe(a.accountId);
    expect(b.sessionId).not.toBe(a.sessionId);
    const rows = await h.sql.query<{ id: string; family_id: string; rotated_at: Date | null }>(`SELECT id, family_id, rotated_at FROM sessions WHERE id = ANY($1)`, [[a.sessionId, b.sessionId]]);
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    expect(byId.get(a.sessionId)!.rotated_at).not.toBeNull();
    expect(byId.get(b.sessionId)!.rotated_at).toBeNull();
    expect(byId.get(a.sessionId)!.family_id).toBe(byId.get(b.sessionId)!.family_id);
  });

  it('reuse of a rotated token revokes the whole family (Postgres and SessionRevocations) → REFRESH_TOKEN_REUSED', async () => {
    const first = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
    const second = await h.call(Api.registry.refresh, { client: CLIENT, refreshToken: first.refreshToken });
    const err = await h.failure(Api.registry.refresh, { client: CLIENT, refreshToken: first.refreshToken });
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', extra: { reason: 'REFRESH_TOKEN_REUSED' } });
    // the legitimate holder's newer token is dead too
    const after = await h.failure(Api.registry.refresh, { client: CLIENT, refreshToken: second.refreshToken });
    expect(after).toMatchObject({ code: 'UNAUTHENTICATED', extra: { reason: 'REFRESH_TOKEN_REVOKED' } });
    const revocations = new SessionRevocations(h.redis, h.config);
    for (const t of [first, second]) expect(await revocations.isRevoked(verifyAccessToken(h.config, t.accessToken, h.clock.now()).sessionId)).toBe(true);
    const { accountId, sessionId } = verifyAccessToken(h.config, first.accessToken, h.clock.now());
    expect(await auditRows(`action = 'refresh' AND account_id = $1 AND details->>'sessionId' = $2`, [accountId, sessionId])).toEqual([
      expect.objectContaining({ outcome: 'failure', reason: 'UNAUTHENTICATED', details: expect.objectContaining({ detailReason: 'REFRESH_TOKEN_REUSED', revokedSessions: 2 }) }),
    ]);
  });

  it('two concurrent refreshes with one token: one rotation, then the family is revoked as reuse', async () => {
    const first = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
    const results = await Promise.allSettled([1, 2].map(() => h.call(Api.registry.refresh, { client: CLIENT, refreshToken: first.refreshToken })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(rejected.reason).toMatchObject({ extra: { reason: 'REFRESH_TOKEN_REUSED' } });
    const { sessionId } = verifyAccessToken(h.config, first.accessToken, h.clock.now());
    expect(await h.count('sessions', `family_id = (SELECT family_id FROM sessions WHERE id = $1) AND revoked_at IS NULL`, [sessionId])).toBe(0);
  });

  it('unknown and expired refresh tokens → UNAUTHENTICATED', async () => {
    expect(await h.failure(Api.registry.refresh, { client: CLIENT, refreshToken: 'x'.repeat(43) })).toMatchObject({
      code: 'UNAUTHENTICATED',
      extra: { reason: 'REFRESH_TOKEN_INVALID' },
    });
    const tokens = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
    h.clock.advance(h.config.REFRESH_TOKEN_TTL_S * 1000);
    try {
      expect(await h.failure(Api.registry.refresh, { client: CLIENT, refreshToken: tokens.refreshToken })).toMatchObject({ extra: { reason: 'REFRESH_TOKEN_EXPIRED' } });
    } finally {
      h.clock.advance(-h.config.REFRESH_TOKEN_TTL_S * 1000);
    }
  });

  it('log out revokes the session family and records it for the gateway', async () => {
    const first = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
    const second = await h.call(Api.registry.refresh, { client: CLIENT, refreshToken: first.refreshToken });
    const caller = verifyAccessToken(h.config, second.accessToken, h.clock.now());
    expect(await h.call(Api.registry.logout, { client: CLIENT, caller })).toEqual({ ok: true });
    const revocations = new SessionRevocations(h.redis, h.config);
    expect(await revocations.isRevoked(caller.sessionId)).toBe(true);
    expect(await revocations.isRevoked(verifyAccessToken(h.config, first.accessToken, h.clock.now()).sessionId)).toBe(true);
    expect(await h.failure(Api.registry.refresh, { client: CLIENT, refreshToken: second.refreshToken })).toMatchObject({ extra: { reason: 'REFRESH_TOKEN_REVOKED' } });
    expect(await h.count('audit_events', `action = 'logout' AND account_id = $1`, [caller.accountId])).toBe(1);
    // idempotent
    expect(await h.call(Api.registry.logout, { client: CLIENT, caller })).toEqual({ ok: true });
  });
});

describe('rate limit per certificate', () => {
  it('RATE_LIMIT_PER_CERT attempts per minute, then RATE_LIMITED with retryAfter; the next minute is free again', async () => {
    const frank = person('frank', { cn: '한가람()0011048202601150004444' });
    // align the clock to the start of a minute window so the five attempts share one
    h.clock.t = Math.ceil(h.clock.t / 60_000) * 60_000 + 1000;
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, frank)) })).code);
    expect(codes).toEqual(['CERT_NOT_REGISTERED', 'CERT_NOT_REGISTERED', 'CERT_NOT_REGISTERED', 'CERT_NOT_REGISTERED', 'CERT_NOT_REGISTERED', 'RATE_LIMITED']);
    const limited = await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, frank)) });
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', status: 429, extra: { retryAfter: 59 } });
    h.clock.advance(60_000);
    expect((await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, frank)) })).code).toBe('CERT_NOT_REGISTERED');
  });
});

describe('a verifier that is down', () => {
  it('→ SERVICE_UNAVAILABLE within the timeout; the challenge stays consumed and the attempt is audited', async () => {
    const gina = person('gina', { cn: '윤서연()0011048202601150005555' });
    await signUp(gina);
    const attempt = await signedChallenge(h, gina);
    await h.stopVerifier();
    try {
      const started = Date.now();
      const err = await h.failure(Api.registry.login, { client: CLIENT, ...attempt });
      expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(Date.now() - started).toBeLessThan(h.config.SERVICE_TIMEOUT_MS + 1500);
      expect(await h.redis.exists(`${h.config.REDIS_PREFIX}challenge:${attempt.challengeId}`)).toBe(0);
      expect(await auditRows(`action = 'login' AND reason = 'SERVICE_UNAVAILABLE'`, [])).toEqual([
        expect.objectContaining({ outcome: 'failure', details: expect.objectContaining({ fingerprint: gina.fingerprint }) }),
      ]);
    } finally {
      await h.startVerifier();
    }
    // with the verifier back, a new challenge works
    await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, gina)) });
  });
});
