/**
 * The device-transfer relay (인증서 복사) through the REST API only, on the whole
 * system (test/support/system.ts: dev CA, verifier, registry, gateway on real
 * Postgres and Redis). The envelopes here are opaque random bytes: what the
 * relay stores, hands out once, forgets and refuses; the client halves that
 * make and open real envelopes are tested in libs/client/src/transfer.
 * The registry's clock moves (expiry and budget windows without sleeping);
 * TRUST_PROXY lets a test speak from many client addresses.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { SessionTokens, TransferCreated, TransferEnvelope } from '@jointcert/contracts';
import { signWithNode, startSystem, type ApiResponse, type Holder, type System } from './support/system';

const TTL_S = 180;
const WINDOW_S = 60;
const PER_IP = 5;
const GLOBAL = 12;

let sys: System;

interface Account {
  id: string;
  token: string;
}
let alice: Account;
let bob: Account;

type Problem = { status: number; code: string; detail: string; retryAfter?: number } & Record<string, unknown>;

function problem(res: ApiResponse<unknown>, status: number, code: string): Problem {
  expect({ status: res.status, code: (res.body as Problem | null)?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return res.body as Problem;
}

async function signUp(name: string, idn: string): Promise<Account> {
  const holder: Holder = await sys.issue({ name, idn });
  const c = await sys.challenge();
  const res = await sys.api<{ account: { id: string }; session: SessionTokens }>('POST', '/v1/certificates', {
    body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) },
  });
  expect(res.status).toBe(201);
  return { id: res.body.account.id, token: res.body.session.accessToken };
}

/** A fresh 16-digit code, its address half, and an opaque envelope to relay. */
function newTransfer(): { code: string; address: string; envelope: TransferEnvelope; addressHash: string } {
  const code = Array.from({ length: 16 }, () => randomInt(10)).join('');
  const address = code.slice(0, 8);
  return {
    code,
    address,
    addressHash: createHash('sha256').update(address).digest('hex'),
    envelope: { ciphertext: randomBytes(3000).toString('base64'), salt: randomBytes(16).toString('base64'), nonce: randomBytes(12).toString('base64') },
  };
}

function send(account: Account, t: ReturnType<typeof newTransfer>): Promise<ApiResponse<TransferCreated>> {
  return sys.api<TransferCreated>('POST', '/v1/transfers', { token: account.token, body: { addressHash: t.addressHash, ...t.envelope } });
}

function claim(address: string, ip = '198.51.100.1'): Promise<ApiResponse<TransferEnvelope>> {
  return sys.api<TransferEnvelope>('POST', '/v1/transfers/claim', { body: { address }, headers: { 'x-forwarded-for': ip } });
}

/** Any address but this one. */
function otherAddress(address: string): string {
  return ((Number(address) + 1 + randomInt(1000)) % 100_000_000).toString().padStart(8, '0');
}

async function auditRows(action: string): Promise<Array<{ outcome: string; reason: string | null; account_id: string | null; ip: string; details: Record<string, unknown> }>> {
  const r = await sys.sql.query(`SELECT outcome, reason, account_id, host(ip) AS ip, details FROM audit_events WHERE action = $1 ORDER BY id`, [action]);
  return r.rows as Array<{ outcome: string; reason: string | null; account_id: string | null; ip: string; details: Record<string, unknown> }>;
}

/** Every key under the test's prefix with its value (strings as stored; other types as their members). */
async function redisDump(): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  let cursor = '0';
  do {
    const [next, keys] = await sys.redis.scan(cursor, 'MATCH', `${sys.config.REDIS_PREFIX}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await sys.redis.type(key);
      const value =
        type === 'string' ? ((await sys.redis.get(key)) ?? '') : type === 'hash' ? JSON.stringify(await sys.redis.hgetall(key)) : type === 'set' ? (await sys.redis.smembers(key)).join(',') : type;
      out.push([key, value]);
    }
  } while (cursor !== '0');
  return out;
}

beforeAll(async () => {
  sys = await startSystem({
    name: 'transfers',
    env: {
      TRUST_PROXY: 'true',
      TRANSFER_TTL_S: String(TTL_S),
      TRANSFER_CLAIM_WINDOW_S: String(WINDOW_S),
      TRANSFER_CLAIM_FAILURES_PER_IP: String(PER_IP),
      TRANSFER_CLAIM_FAILURES_GLOBAL: String(GLOBAL),
    },
  });
  alice = await signUp('홍길동', '8001011234567');
  bob = await signUp('김철수', '9001011234567');
});

afterAll(async () => {
  await sys?.close();
});

// every test starts in a fresh window of both failure budgets (the budgets have their own tests)
beforeEach(() => {
  sys.clock.offsetMs += WINDOW_S * 1000;
});

describe('device transfer over REST', () => {
  it('round trip: the sender (signed in) leaves the envelope, the receiver (no session) takes it byte for byte — with nothing that names the account', async () => {
    const t = newTransfer();
    const sent = await send(alice, t);
    expect(sent.status).toBe(201);
    expect(Object.keys(sent.body).sort()).toEqual(['expiresAt', 'transferId']);
    expect(Date.parse(sent.body.expiresAt)).toBe(Date.parse(sent.body.expiresAt)); // ISO
    expect(Date.parse(sent.body.expiresAt) - sys.clock.now()).toBeGreaterThan((TTL_S - 5) * 1000);
    expect(Date.parse(sent.body.expiresAt) - sys.clock.now()).toBeLessThanOrEqual(TTL_S * 1000);

    const got = await claim(t.address);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(t.envelope);
    const raw = JSON.stringify(got.body);
    for (const leak of [alice.id, sent.body.transferId, '홍길동']) expect(raw).not.toContain(leak);

    const created = (await auditRows('transfer.create')).find((r) => r.details.transferId === sent.body.transferId);
    expect(created).toMatchObject({ outcome: 'success', account_id: alice.id, details: { bytes: 3000 } });
    const claimed = (await auditRows('transfer.claim')).find((r) => r.details.transferId === sent.body.transferId);
    expect(claimed).toMatchObject({ outcome: 'success', account_id: alice.id, ip: '198.51.100.1' });
  });

  it('a second claim → 404 TRANSFER_NOT_FOUND; of ten concurrent claims exactly one gets the envelope', async () => {
    const t = newTransfer();
    expect((await send(alice, t)).status).toBe(201);
    expect((await claim(t.address)).status).toBe(200);
    const again = problem(await claim(t.address), 404, 'TRANSFER_NOT_FOUND');
    expect(again.detail).toMatch(/no transfer is waiting under this code/);

    const u = newTransfer();
    expect((await send(bob, u)).status).toBe(201);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => claim(u.address, `198.51.100.${20 + i}`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 404)).toHaveLength(9);
  });

  it('after the TTL → 404 (the registry clock moves; Redis forgets it by itself at the same TTL)', async () => {
    const t = newTransfer();
    expect((await send(alice, t)).status).toBe(201);
    const keys = (await redisDump()).map(([k]) => k).filter((k) => k.includes(':transfer:a:'));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      const pttl = await sys.redis.pttl(k);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(TTL_S * 1000);
    }
    sys.clock.offsetMs += TTL_S * 1000;
    problem(await claim(t.address), 404, 'TRANSFER_NOT_FOUND');
    const row = (await auditRows('transfer.claim')).at(-1)!;
    expect(row).toMatchObject({ outcome: 'failure', reason: 'TRANSFER_NOT_FOUND', account_id: null, details: { expired: true } });
  });

  it('a wrong code → 404, audited with the client address and counted against the budgets', async () => {
    const t = newTransfer();
    expect((await send(alice, t)).status).toBe(201);
    const before = (await auditRows('transfer.claim')).length;
    problem(await claim(otherAddress(t.address), '198.51.100.77'), 404, 'TRANSFER_NOT_FOUND');
    problem(await claim(otherAddress(t.address), '198.51.100.77'), 404, 'TRANSFER_NOT_FOUND');
    const rows = (await auditRows('transfer.claim')).slice(before);
    expect(rows).toEqual([
      expect.objectContaining({ outcome: 'failure', reason: 'TRANSFER_NOT_FOUND', account_id: null, ip: '198.51.100.77', details: { failures: { ip: 1, global: 1 } } }),
      expect.objectContaining({ outcome: 'failure', reason: 'TRANSFER_NOT_FOUND', ip: '198.51.100.77', details: { failures: { ip: 2, global: 2 } } }),
    ]);
    // the right code still works
    expect((await claim(t.address, '198.51.100.77')).status).toBe(200);
  });

  it(`brute force from one client: after ${PER_IP} failures → 429 with Retry-After, even for the right address; the transfer stays for its owner`, async () => {
    const t = newTransfer();
    expect((await send(alice, t)).status).toBe(201);
    const attacker = '203.0.113.66';
    for (let i = 0; i < PER_IP; i++) problem(await claim(otherAddress(t.address), attacker), 404, 'TRANSFER_NOT_FOUND');
    const refused = await claim(otherAddress(t.address), attacker);
    const body = problem(refused, 429, 'RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
    expect(body).toMatchObject({ retryAfter, limit: 'ip' });
    // the budget is checked before the lookup: the right address tells the attacker nothing either
    problem(await claim(t.address, attacker), 429, 'RATE_LIMITED');
    // refusals are not audited (an attack cannot flood the table), failures are
    const failures = (await auditRows('transfer.claim')).filter((r) => r.ip === attacker);
    expect(failures).toHaveLength(PER_IP);
    // another client is unaffected, and the next window opens the budget again
    expect((await claim(t.address, '198.51.100.2')).status).toBe(200);
    sys.clock.offsetMs += WINDOW_S * 1000;
    problem(await claim(t.address, attacker), 404, 'TRANSFER_NOT_FOUND');
  });

  it('an IPv6 client is counted by its /64: changing the interface id does not buy more guesses', async () => {
    for (let i = 0; i < PER_IP; i++) problem(await claim('00000000', `2001:db8:7:9::${(i + 1).toString(16)}`), 404, 'TRANSFER_NOT_FOUND');
    problem(await claim('00000000', '2001:db8:7:9:abcd:ef01:2345:6789'), 429, 'RATE_LIMITED');
    problem(await claim('00000000', '2001:db8:7:a::1'), 404, 'TRANSFER_NOT_FOUND');
  });

  it(`a distributed search: after ${GLOBAL} failures from all clients together every claim → 429, from any address`, async () => {
    const t = newTransfer();
    expect((await send(alice, t)).status).toBe(201);
    for (let i = 0; i < GLOBAL; i++) problem(await claim(otherAddress(t.address), `192.0.2.${i + 1}`), 404, 'TRANSFER_NOT_FOUND');
    const refused = problem(await claim(t.address, '192.0.2.200'), 429, 'RATE_LIMITED');
    expect(refused).toMatchObject({ limit: 'global' });
    // sending is paused too (a colliding address would otherwise be a free oracle)
    problem(await send(bob, newTransfer()), 429, 'RATE_LIMITED');
    sys.clock.offsetMs += WINDOW_S * 1000;
    expect((await claim(t.address, '192.0.2.200')).status).toBe(200);
  });

  it('at most one live transfer per account: a new one replaces the previous; another account’s is untouched', async () => {
    const first = newTransfer();
    const second = newTransfer();
    const bobs = newTransfer();
    const a1 = await send(alice, first);
    expect((await send(bob, bobs)).status).toBe(201);
    const a2 = await send(alice, second);
    expect(a2.status).toBe(201);
    expect(a2.body.transferId).not.toBe(a1.body.transferId);
    problem(await claim(first.address), 404, 'TRANSFER_NOT_FOUND');
    expect((await claim(second.address)).body).toEqual(second.envelope);
    expect((await claim(bobs.address)).body).toEqual(bobs.envelope);
    const replaced = (await auditRows('transfer.create')).find((r) => r.details.transferId === a2.body.transferId);
    expect(replaced?.details.replaced).toBe(a1.body.transferId);
  });

  it('the sender polls GET /v1/transfers/current (200 while waiting, 404 once claimed) and may withdraw it with DELETE (204, then the code is dead)', async () => {
    const t = newTransfer();
    const sent = await send(alice, t);
    expect((await sys.api('GET', '/v1/transfers/current', { token: alice.token })).body).toEqual(sent.body);
    problem(await sys.api('GET', '/v1/transfers/current', { token: bob.token }), 404, 'TRANSFER_NOT_FOUND');
    expect((await claim(t.address)).status).toBe(200);
    problem(await sys.api('GET', '/v1/transfers/current', { token: alice.token }), 404, 'TRANSFER_NOT_FOUND');

    const u = newTransfer();
    const again = await send(alice, u);
    expect((await sys.api('DELETE', '/v1/transfers/current', { token: alice.token })).status).toBe(204);
    problem(await claim(u.address), 404, 'TRANSFER_NOT_FOUND');
    expect((await sys.api('DELETE', '/v1/transfers/current', { token: alice.token })).status).toBe(204);
    const cancelled = (await auditRows('transfer.cancel')).filter((r) => r.details.transferId === again.body.transferId);
    expect(cancelled).toEqual([expect.objectContaining({ outcome: 'success', account_id: alice.id })]);
    problem(await sys.api('DELETE', '/v1/transfers/current'), 401, 'UNAUTHENTICATED');
  });

  it('an address already live → 409 TRANSFER_ADDRESS_IN_USE, counted like a failed claim (no free oracle)', async () => {
    const t = newTransfer();
    expect((await send(alice, t)).status).toBe(201);
    const clash = await sys.api('POST', '/v1/transfers', { token: bob.token, body: { addressHash: t.addressHash, ...newTransfer().envelope }, headers: { 'x-forwarded-for': '198.51.100.9' } });
    problem(clash, 409, 'TRANSFER_ADDRESS_IN_USE');
    const row = (await auditRows('transfer.create')).at(-1)!;
    expect(row).toMatchObject({ outcome: 'failure', reason: 'TRANSFER_ADDRESS_IN_USE', account_id: bob.id, details: { failures: { ip: 1, global: 1 } } });
    expect((await claim(t.address)).body).toEqual(t.envelope);
  });

  it('Redis during a live transfer: only a keyed hash of the address, the sealed envelope and counters — no code, no address, no plain hash', async () => {
    const t = newTransfer();
    const sent = await send(alice, t);
    expect(sent.status).toBe(201);
    const dump = await redisDump();
    const text = dump.map(([k, v]) => `${k}\n${v}`).join('\n');
    for (const secret of [t.code, t.address, t.code.slice(8), t.addressHash]) expect(text).not.toContain(secret);
    const stored = dump.filter(([, v]) => v.includes(sent.body.transferId));
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]![1])).toEqual({ transferId: sent.body.transferId, accountId: alice.id, ...t.envelope, expiresAt: Date.parse(sent.body.expiresAt) });
    expect(stored[0]![0]).toMatch(/:transfer:a:[0-9a-f]{64}$/);
    expect((await claim(t.address)).status).toBe(200);
    expect((await redisDump()).some(([, v]) => v.includes(sent.body.transferId))).toBe(false);
  });

  it('bad requests: no session → 401, bad fields → 400 naming them, a bundle over 64 KiB → 413; nothing stored, nothing counted', async () => {
    const t = newTransfer();
    problem(await sys.api('POST', '/v1/transfers', { body: { addressHash: t.addressHash, ...t.envelope } }), 401, 'UNAUTHENTICATED');
    const bad = problem(await sys.api('POST', '/v1/transfers', { token: alice.token, body: { addressHash: t.address, ...t.envelope, salt: 'AAAA', extra: 1 } }), 400, 'MALFORMED_INPUT');
    expect((bad.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['addressHash', 'extra', 'salt']);
    const big = { addressHash: t.addressHash, ...t.envelope, ciphertext: randomBytes(64 * 1024 + 1).toString('base64') };
    expect(problem(await sys.api('POST', '/v1/transfers', { token: alice.token, body: big }), 413, 'PAYLOAD_TOO_LARGE').detail).toMatch(/transfer limit of 65536 bytes/);
    const claimBad = problem(await claim('1234-567'), 400, 'MALFORMED_INPUT');
    expect(claimBad.errors).toEqual([{ field: 'address', message: 'must be the first 8 digits of the code' }]);
    problem(await claim(t.address), 404, 'TRANSFER_NOT_FOUND');
    const row = (await auditRows('transfer.claim')).at(-1)!;
    expect(row.details).toEqual({ failures: { ip: 1, global: 1 } });
  });
});
