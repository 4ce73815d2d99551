import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createLogger, DomainError, issueAccessToken, loadConfig, TOKEN_AUDIENCE, TOKEN_ISSUER, type SessionRevocations } from '@jointcert/common';
import { Authenticator } from './authenticator';

const config = loadConfig({ LOG_LEVEL: 'silent', ACCESS_TOKEN_TTL_S: '60' });
const logger = createLogger(config, { name: 'test' });
const caller = { accountId: '0b7f3c2a-5d41-4e8b-9c6f-2a1d3e4f5a6b', sessionId: '5e1a2b3c-4d5e-4f6a-8b9c-0d1e2f3a4b5c' };
const t0 = Date.UTC(2026, 11, 6, 8, 0, 0);

/** A revocation set answering from `revoked`, counting its checks. */
function revocations(revoked: Set<string> = new Set()): SessionRevocations & { checks: number } {
  const r = { checks: 0, isRevoked: (id: string) => (r.checks++, Promise.resolve(revoked.has(id))) };
  return r as unknown as SessionRevocations & { checks: number };
}

async function reason(p: Promise<unknown>): Promise<unknown> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return (err as DomainError).extra.reason;
}

describe('Authenticator', () => {
  const token = issueAccessToken(config, caller, t0);
  const bearer = `Bearer ${token}`;

  it('accepts a token until its expiry, whether it was seen before or not', async () => {
    const seen = new Authenticator(config, revocations(), logger);
    await expect(seen.authenticate(bearer, t0)).resolves.toEqual(caller);
    await expect(seen.authenticate(bearer, t0 + 59_999)).resolves.toEqual(caller);
    expect(await reason(seen.authenticate(bearer, t0 + 60_000))).toBe('TOKEN_EXPIRED');
    expect(await reason(seen.authenticate(bearer, t0 + 30_000 + 60_000))).toBe('TOKEN_EXPIRED');
    const fresh = new Authenticator(config, revocations(), logger);
    expect(await reason(fresh.authenticate(bearer, t0 + 60_000))).toBe('TOKEN_EXPIRED');
  });

  it('checks the revocation set on every request', async () => {
    const revoked = new Set<string>();
    const r = revocations(revoked);
    const auth = new Authenticator(config, r, logger);
    await auth.authenticate(bearer, t0);
    await auth.authenticate(bearer, t0 + 1000);
    revoked.add(caller.sessionId);
    expect(await reason(auth.authenticate(bearer, t0 + 2000))).toBe('SESSION_REVOKED');
    expect(r.checks).toBe(3);
  });

  it('refuses a token that differs from a remembered one in any byte, and one signed with another secret', async () => {
    const auth = new Authenticator(config, revocations(), logger);
    await auth.authenticate(bearer, t0);
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    for (const t of [`${h}.${p}.${flipped}`, `${h}.${p}.${s.slice(0, -2)}`, `${h}.${p}.`]) expect(await reason(auth.authenticate(`Bearer ${t}`, t0))).toBe('TOKEN_INVALID');
    const other = issueAccessToken({ ...config, ACCESS_TOKEN_SECRET: 'x'.repeat(40) }, caller, t0);
    expect(await reason(auth.authenticate(`Bearer ${other}`, t0))).toBe('TOKEN_INVALID');
  });

  it('a token with nbf is verified each time (its acceptance depends on the time at both ends)', async () => {
    const key = createSecretKey(Buffer.from(config.ACCESS_TOKEN_SECRET, 'utf8'));
    const iat = Math.floor(t0 / 1000);
    const nbf = jwt.sign({ sid: caller.sessionId, iat, nbf: iat + 10, exp: iat + 60 }, key, { algorithm: 'HS256', subject: caller.accountId, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, noTimestamp: true });
    const auth = new Authenticator(config, revocations(), logger);
    await expect(auth.authenticate(`Bearer ${nbf}`, t0 + 20_000)).resolves.toEqual(caller);
    expect(await reason(auth.authenticate(`Bearer ${nbf}`, t0 + 5_000))).toBe('TOKEN_INVALID');
  });

  it('gives each request its own Caller object', async () => {
    const auth = new Authenticator(config, revocations(), logger);
    const a = await auth.authenticate(bearer, t0);
    const b = await auth.authenticate(bearer, t0);
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
  });
});
