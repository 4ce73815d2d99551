/**
 * Idempotency where a reply can be lost: the registry keeps the first result
 * of sign-up, add, replace, delete and login (request_results, written in the
 * transaction of the effect). A client retry with the same Idempotency-Key
 * and body, or the transport delivering one message twice (even at the same
 * time), gets that first answer; nothing is done twice.
 */
import { randomUUID } from 'node:crypto';
import { createServiceClient, type ServiceClient } from '@jointcert/common';
import { Api, type SessionTokens } from '@jointcert/contracts';
import { signWithNode, startSystem, type Holder, type System } from './support/system';

let sys: System;
let client: ServiceClient;

beforeAll(async () => {
  sys = await startSystem({ name: 'idempotency' });
  client = createServiceClient(sys.config);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await sys?.close();
});

async function signed(h: Holder): Promise<{ challengeId: string; signedData: string }> {
  const c = await sys.challenge();
  return { challengeId: c.challengeId, signedData: signWithNode(h, Buffer.from(c.nonce, 'base64')) };
}

const counts = async (): Promise<Record<string, number>> => ({
  accounts: await sys.count('accounts'),
  certificates: await sys.count('certificates'),
  sessions: await sys.count('sessions'),
  results: await sys.count('request_results'),
});

describe('Idempotency-Key through the gateway', () => {
  let holder: Holder;
  let token: string;

  it('sign-up retried with the same key and body → the same 201 answer; one account, one certificate, one session', async () => {
    holder = await sys.issue({ name: '멱등성', idn: '8801011234567' });
    const body = { ...(await signed(holder)), email: 'idem@example.test' };
    const key = randomUUID();
    const before = await counts();
    const first = await sys.api('POST', '/v1/certificates', { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const again = await sys.api('POST', '/v1/certificates', { body, headers: { 'idempotency-key': key } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const after = await counts();
    expect(after).toEqual({ accounts: before.accounts! + 1, certificates: before.certificates! + 1, sessions: before.sessions! + 1, results: before.results! + 1 });
    token = (first.body as { session: SessionTokens }).session.accessToken;
    // the stored result is sealed: no token in the table
    const raw = await sys.sql.query<{ result: unknown }>('SELECT result FROM request_results');
    expect(JSON.stringify(raw.rows)).not.toContain(token);
  });

  it('the same request without a key is a new request (here: the challenge is used up)', async () => {
    const body = { ...(await signed(holder)) };
    const first = await sys.api('POST', '/v1/sessions', { body });
    expect(first.status).toBe(201);
    const again = await sys.api('POST', '/v1/sessions', { body });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
  });

  it('login retried with the same key → the same tokens, one session; the same key with another body → another login', async () => {
    const key = randomUUID();
    const body = await signed(holder);
    const before = await sys.count('sessions');
    const first = await sys.api<SessionTokens>('POST', '/v1/sessions', { body, headers: { 'idempotency-key': key } });
    const again = await sys.api<SessionTokens>('POST', '/v1/sessions', { body, headers: { 'idempotency-key': key } });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body); // the same tokens (the access token rebuilt from the recorded draft), the same account
    expect(await sys.count('sessions')).toBe(before + 1);
    const other = await sys.api<SessionTokens>('POST', '/v1/sessions', { body: await signed(holder), headers: { 'idempotency-key': key } });
    expect(other.status).toBe(201);
    expect(other.body.refreshToken).not.toBe(first.body.refreshToken);
    expect(await sys.count('sessions')).toBe(before + 2);
  });

  it('add and delete retried with the same key → the same answers, done once', async () => {
    const second = await sys.issue({ name: '추가', idn: '8901011234567' });
    const body = await signed(second);
    const key = randomUUID();
    const add1 = await sys.api<{ certificate: { id: string } }>('POST', '/v1/certificates', { token, body, headers: { 'idempotency-key': key } });
    const add2 = await sys.api<{ certificate: { id: string } }>('POST', '/v1/certificates', { token, body, headers: { 'idempotency-key': key } });
    expect([add1.status, add2.status]).toEqual([201, 201]);
    expect(add2.body).toEqual(add1.body);
    expect(await sys.count('certificates', 'fingerprint_sha256 = (SELECT fingerprint_sha256 FROM certificates WHERE id = $1)', [add1.body.certificate.id])).toBe(1);
    const audits = await sys.count('audit_events', "action = 'delete'");
    const delKey = randomUUID();
    const del1 = await sys.api('DELETE', `/v1/certificates/${add1.body.certificate.id}`, { token, headers: { 'idempotency-key': delKey } });
    const del2 = await sys.api('DELETE', `/v1/certificates/${add1.body.certificate.id}`, { token, headers: { 'idempotency-key': delKey } });
    expect(del1.status).toBeLessThan(300);
    expect(del2.status).toBe(del1.status);
    expect(await sys.count('audit_events', "action = 'delete'")).toBe(audits + 1);
  });

  it('a malformed Idempotency-Key → 400 MALFORMED_INPUT, nothing done', async () => {
    const before = await counts();
    const res = await sys.api('POST', '/v1/sessions', { body: await signed(holder), headers: { 'idempotency-key': 'has space' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'MALFORMED_INPUT' });
    expect(await counts()).toEqual(before);
  });

  it('is documented on the state-changing routes (OpenAPI)', async () => {
    const doc = (await sys.api<{ paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> }>('GET', '/docs-json')).body;
    for (const [path, method] of [['/v1/certificates', 'post'], ['/v1/sessions', 'post'], ['/v1/certificates/{id}/replace', 'post'], ['/v1/certificates/{id}', 'delete']] as const) {
      expect(doc.paths[path]![method]!.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    }
  });
});

describe('one message delivered twice (the transport redelivering, a lost reply)', () => {
  it('two copies of a login at the same time → one session, both answered with it', async () => {
    const holder = await sys.issue({ name: '중복', idn: '8701011234567' });
    const c0 = await sys.challenge();
    const up = await sys.api('POST', '/v1/certificates', { body: { challengeId: c0.challengeId, signedData: signWithNode(holder, Buffer.from(c0.nonce, 'base64')) } });
    expect(up.status).toBe(201);
    const before = await sys.count('sessions');
    const meta = { requestId: randomUUID(), idempotencyKey: randomUUID() };
    const request = { client: { ip: '127.0.0.1' }, ...(await signed(holder)) };
    const [a, b] = await Promise.allSettled([client.send(Api.registry.login, request, meta), client.send(Api.registry.login, request, meta)]);
    // one copy made the session; the other either replayed its result or (it lost the race for the
    // challenge) was refused before acting — never a second session
    expect(await sys.count('sessions')).toBe(before + 1);
    const ok = [a, b].filter((r) => r.status === 'fulfilled').map((r) => (r).value.refreshToken);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok).size).toBe(1);
    // a later redelivery of the same message: the first answer
    const late = await client.send(Api.registry.login, request, meta);
    expect(late.refreshToken).toBe(ok[0]);
    expect(await sys.count('sessions')).toBe(before + 1);
  });

  it('a key made for the call (callKey): its first delivery runs without a lookup, and the result is still recorded for a redelivery', async () => {
    const holder = await sys.issue({ name: '한번', idn: '8801011234567' });
    const c0 = await sys.challenge();
    const up = await sys.api('POST', '/v1/certificates', { body: { challengeId: c0.challengeId, signedData: signWithNode(holder, Buffer.from(c0.nonce, 'base64')) } });
    expect(up.status).toBe(201);
    const key = randomUUID();
    const request = { client: { ip: '127.0.0.1' }, ...(await signed(holder)) };
    const results = await sys.count('request_results');
    const first = await client.send(Api.registry.login, request, { requestId: randomUUID(), idempotencyKey: key, callKey: true });
    expect(await sys.count('request_results')).toBe(results + 1);
    // sent again as a new message (a caller breaking the callKey promise): a first delivery, so no
    // lookup — it runs, and the used challenge refuses it; nothing is written
    const sessions = await sys.count('sessions');
    await expect(client.send(Api.registry.login, request, { requestId: randomUUID(), idempotencyKey: key, callKey: true })).rejects.toMatchObject({ code: 'CHALLENGE_UNKNOWN' });
    expect(await sys.count('sessions')).toBe(sessions);
    // what a redelivery does (the lookup): the recorded first answer
    const again = await client.send(Api.registry.login, request, { requestId: randomUUID(), idempotencyKey: key });
    expect(again.refreshToken).toBe(first.refreshToken);
    expect(await sys.count('sessions')).toBe(sessions);
  });
});
