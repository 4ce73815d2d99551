/**
 * Faults under load, on a Redis and a Postgres of this test's own (restarted
 * by the test; the machine's shared servers are never touched): the whole
 * system in-process, a few clients logging in and reading their account in a
 * bounded loop while Redis, then Postgres, restarts.
 *
 * Each time: no 500, no request hangs (every answer within the service
 * timeout plus a margin), every refusal is problem+json, /health/ready is
 * ready again by itself within seconds, and every login that got a 201 is in
 * Postgres exactly once. Logout holds across a Redis restart that loses
 * every key.
 */
import { createHash } from 'node:crypto';
import type { SessionTokens } from '@jointcert/contracts';
import { startPrivatePostgres, startPrivateRedis, type PrivateServer } from './support/private-servers';
import { signWithNode, startSystem, until, type Holder, type System } from './support/system';

const SERVICE_TIMEOUT_MS = 2000;
/** A request that takes longer than this has hung. */
const HANG_MS = SERVICE_TIMEOUT_MS * 2 + 1000;
const WORKERS = 4;

let redis: PrivateServer;
let pg: PrivateServer;
let sys: System;
const holders: Holder[] = [];

interface Outcome {
  what: 'login' | 'me';
  status: number | 'hang' | 'network';
  ms: number;
  code?: string;
  contentType?: string;
  refreshToken?: string;
  accessToken?: string;
}

async function call(method: string, path: string, init: { body?: unknown; token?: string } = {}): Promise<{ status: number | 'hang' | 'network'; ms: number; body: Record<string, unknown> | null; contentType?: string }> {
  const t0 = performance.now();
  try {
    const res = await fetch(sys.url + path, {
      method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - t0, body: text ? (JSON.parse(text) as Record<string, unknown>) : null, contentType: res.headers.get('content-type') ?? '' };
  } catch (err) {
    return { status: err instanceof Error && err.name === 'TimeoutError' ? 'hang' : 'network', ms: performance.now() - t0, body: null };
  }
}

async function loginOnce(h: Holder): Promise<Outcome> {
  const c = await call('POST', '/v1/challenges');
  if (c.status !== 201) return { what: 'login', status: c.status, ms: c.ms, code: String(c.body?.code), ...(c.contentType ? { contentType: c.contentType } : {}) };
  const nonce = Buffer.from(String(c.body!.nonce), 'base64');
  const r = await call('POST', '/v1/sessions', { body: { challengeId: c.body!.challengeId, signedData: signWithNode(h, nonce) } });
  const out: Outcome = { what: 'login', status: r.status, ms: r.ms, code: String(r.body?.code), ...(r.contentType ? { contentType: r.contentType } : {}) };
  if (r.status === 201) {
    out.refreshToken = (r.body as unknown as SessionTokens).refreshToken;
    out.accessToken = (r.body as unknown as SessionTokens).accessToken;
  }
  return out;
}

/** WORKERS clients in a bounded loop until `stop` resolves: log in, read the account. */
async function load(stop: Promise<void>, outcomes: Outcome[]): Promise<Outcome[]> {
  let done = false;
  void stop.then(() => (done = true));
  await Promise.all(
    holders.slice(0, WORKERS).map(async (h) => {
      let token: string | undefined;
      for (let i = 0; !done && i < 10_000; i++) {
        const l = await loginOnce(h);
        outcomes.push(l);
        if (l.status === 201) token = l.accessToken;
        if (token) {
          const me = await call('GET', '/v1/accounts/me', { token });
          outcomes.push({ what: 'me', status: me.status, ms: me.ms, code: String(me.body?.code), ...(me.contentType ? { contentType: me.contentType } : {}) });
        }
      }
    }),
  );
  return outcomes;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

function summary(outcomes: Outcome[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const o of outcomes) {
    const k = `${o.what} ${o.status}${typeof o.status === 'number' && o.status >= 400 ? ` ${o.code}` : ''}`;
    by[k] = (by[k] ?? 0) + 1;
  }
  return by;
}

async function expectSound(outcomes: Outcome[]): Promise<void> {
  // no 500, no hang, no dropped connection; every refusal a problem document with an expected code
  const bad = outcomes.filter((o) => typeof o.status !== 'number' || o.status >= 500 && o.status !== 503);
  expect(bad).toEqual([]);
  const refusals = outcomes.filter((o) => typeof o.status === 'number' && o.status >= 400);
  for (const r of refusals) {
    expect(r.contentType).toMatch(/^application\/problem\+json/);
    // a challenge made before Redis lost it is unknown afterwards: the client fetches a new one
    expect(['SERVICE_UNAVAILABLE', 'CHALLENGE_UNKNOWN']).toContain(r.code);
  }
  expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(HANG_MS);
  // every 201 login is one sessions row, exactly once
  const created = outcomes.filter((o) => o.refreshToken !== undefined).map((o) => sha256(o.refreshToken!));
  expect(created.length).toBeGreaterThan(0);
  const rows = await sys.sql.query<{ h: string; n: number }>('SELECT refresh_token_hash AS h, count(*)::int AS n FROM sessions WHERE refresh_token_hash = ANY($1) GROUP BY 1', [created]);
  expect(rows.rows.length).toBe(created.length);
  expect(rows.rows.every((r) => r.n === 1)).toBe(true);
}

/** Restart `server` mid-load; returns the outcomes and how long /health/ready took to be 200 again. */
async function restartUnderLoad(server: PrivateServer, kill: boolean): Promise<{ outcomes: Outcome[]; recoveredMs: number }> {
  let stop!: () => void;
  const stopped = new Promise<void>((done) => (stop = done));
  const outcomes: Outcome[] = [];
  const running = load(stopped, outcomes);
  const failing = async (e: Error): Promise<never> => {
    stop();
    const ready = await call('GET', '/health/ready');
    throw new Error(`${e.message}; so far: ${JSON.stringify(summary(outcomes))}; ready: ${JSON.stringify(ready.body)}`);
  };
  // let the load run, then restart
  await until('some logins under load', async () => (await sys.count('sessions')) > 8, 20_000);
  // down until the load has seen it (a 503), so the outage is exercised however fast the restart would be
  await server.stop(kill);
  await until('a request refused while it is down', () => Promise.resolve(outcomes.some((o) => o.status === 503)), 20_000).catch(failing);
  await server.start();
  const t0 = Date.now();
  await until('/health/ready after the restart', async () => (await call('GET', '/health/ready')).status === 200, 20_000).catch(failing);
  const recoveredMs = Date.now() - t0;
  // and the load succeeds again
  const before = await sys.count('sessions');
  await until('logins after the restart', async () => (await sys.count('sessions')) > before + 4, 20_000).catch(failing);
  stop();
  await running;
  return { outcomes, recoveredMs };
}

beforeAll(async () => {
  [redis, pg] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  sys = await startSystem({ name: 'faults', adminDatabaseUrl: pg.url, env: { REDIS_URL: redis.url, SERVICE_TIMEOUT_MS: String(SERVICE_TIMEOUT_MS) } });
  for (let i = 0; i < WORKERS; i++) {
    const h = await sys.issue({ name: `장애${i}`, idn: `90010${i}1234567`.slice(0, 13) });
    const c = await sys.challenge();
    const up = await sys.api('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(h, Buffer.from(c.nonce, 'base64')), email: `fault${i}@example.test` } });
    expect(up.status).toBe(201);
    holders.push(h);
  }
}, 120_000);

afterAll(async () => {
  await sys?.close();
  await Promise.all([redis?.close(), pg?.close()]);
});

describe('faults under load (private Redis and Postgres)', () => {
  it('Redis restarts (empty) under load: 503s only, no hang, ready again by itself, every 201 login stored once; logout holds', async () => {
    // a session logged out before the restart
    const ended = await loginOnce(holders[0]!);
    expect(ended.status).toBe(201);
    const endedTokens = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: ended.refreshToken } });
    expect(endedTokens.status).toBe(200);
    const endedAccess = String(endedTokens.body!.accessToken);
    expect((await call('DELETE', '/v1/sessions/current', { token: endedAccess })).status).toBeLessThan(300);
    expect((await call('GET', '/v1/accounts/me', { token: endedAccess })).status).toBe(401);

    const { outcomes, recoveredMs } = await restartUnderLoad(redis, true);
    console.log(`redis SIGKILL+restart under load: ready again after ${recoveredMs} ms; ${JSON.stringify(summary(outcomes))}`);
    await expectSound(outcomes);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);
    expect(recoveredMs).toBeLessThan(10_000);

    // Redis lost the revocation entry; the registry reloaded it from Postgres: still logged out
    const after = await call('GET', '/v1/accounts/me', { token: endedAccess });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  }, 120_000);

  it('Postgres restarts (fast shutdown: 57P01) under load: 503s, never 500, no hang, ready again by itself, every 201 login stored once', async () => {
    const { outcomes, recoveredMs } = await restartUnderLoad(pg, false);
    console.log(`postgres restart under load: ready again after ${recoveredMs} ms; ${JSON.stringify(summary(outcomes))}`);
    await expectSound(outcomes);
    expect(recoveredMs).toBeLessThan(10_000);
  }, 120_000);

  it('Postgres killed (SIGKILL: connections just drop) under load: the same', async () => {
    const { outcomes, recoveredMs } = await restartUnderLoad(pg, true);
    console.log(`postgres SIGKILL+restart under load: ready again after ${recoveredMs} ms; ${JSON.stringify(summary(outcomes))}`);
    await expectSound(outcomes);
    expect(recoveredMs).toBeLessThan(15_000);
  }, 120_000);
});
