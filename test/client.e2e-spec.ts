/**
 * @jointcert/client in Node against the whole running system (dev CA,
 * verifier, registry, gateway on real Postgres/Redis): a dev-CA-issued NPKI
 * folder is opened, unlocked through WebCrypto and used to sign up (with the
 * VID identity check), log in, refresh, list, replace, delete, verify a
 * document and log out; problem+json answers surface as ApiErrors with their
 * code; the client's operations match the gateway's /docs-json.
 */
import { ApiError, changeKeyPassword, ClientError, fromBase64, JointcertApi, API_OPERATIONS, NpkiCertificate, type NpkiSigner } from '@jointcert/client';
import type { IssueInput, IssueResult } from '../apps/dev-ca/src/dev-ca';
import { startSystem, type System } from './support/system';

let sys: System;
beforeAll(async () => {
  sys = await startSystem({ name: 'client' });
});
afterAll(async () => {
  await sys?.close();
});

const PASSWORD = 'client-pass-1';
const IDN = '8501011234567';

async function issueFolder(input: Partial<IssueInput> = {}): Promise<{ issued: IssueResult; npki: NpkiCertificate }> {
  const res = await fetch(`${sys.devCa.url}/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD, ...input }) });
  expect(res.status).toBe(201);
  const issued = (await res.json()) as IssueResult;
  const npki = await NpkiCertificate.open({ signCert: fromBase64(issued.certificate), signPri: fromBase64(issued.signPriKey), chain: [issued.chainPem] });
  return { issued, npki };
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('@jointcert/client against the running system', () => {
  let first: NpkiSigner;

  it('every operation of the client is an operation of the gateway’s /docs-json, with the same method', async () => {
    const doc = (await (await fetch(`${sys.url}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [name, op] of Object.entries(API_OPERATIONS)) {
      expect({ name, methods: Object.keys(doc.paths[op.path] ?? {}) }).toEqual({ name, methods: expect.arrayContaining([op.method.toLowerCase()]) });
    }
    // and every /v1 operation of the gateway is one of the client's, except those named here with their reason
    const notInClient = new Set([
      'GET /v1/notifications/unsubscribe', // the link in reminder emails, followed by a mail reader, not by the frontend
      'POST /v1/notifications/unsubscribe', // RFC 8058 one-click, sent by the mail provider
      'GET /v1/notifications/delete-certificate', // the deletion link of an unused-certificate notice, followed by a mail reader
      'POST /v1/notifications/delete-certificate', // its confirmation page's form
    ]);
    const ours = new Set(Object.values(API_OPERATIONS).map((o) => `${o.method} ${o.path}`));
    const theirs = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(theirs.filter((o) => !ours.has(o) && !notInClient.has(o))).toEqual([]);
  });

  it('a dev-CA NPKI folder: described, unlocked, signs up with the VID check, logs in, refreshes, lists with days left', async () => {
    const { issued, npki } = await issueFolder({ name: '이몽룡', idn: IDN, validityDays: 200, email: 'lee@example.test' });
    const info = npki.describe();
    expect(info).toMatchObject({ holder: expect.stringContaining('이몽룡'), ca: 'yessign', expired: false, serialHex: issued.serialHex.toLowerCase() });
    expect(info.typeLabel).toContain('범용');
    expect(info.daysLeft).toBeGreaterThanOrEqual(199);
    await expect(npki.unlock('not-the-password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    first = await npki.unlock(PASSWORD);
    expect(Buffer.from(first.randomNum!).toString('base64')).toBe(issued.randomNum);

    const api = new JointcertApi({ baseUrl: sys.url });
    const up = await api.signUp(first, { email: 'lee@example.test', idn: IDN });
    expect(up.account).toMatchObject({ email: 'lee@example.test' });
    expect(up.certificate).toMatchObject({ status: 'active', ca: 'yessign', type: 'personal/general' });
    expect(api.tokens?.accessToken).toEqual(expect.any(String));

    const fresh = new JointcertApi({ baseUrl: sys.url });
    const session = await fresh.logIn(first);
    expect(session.account.id).toBe(up.account!.id);
    const before = session.refreshToken;
    const rotated = await fresh.refresh();
    expect(rotated.refreshToken).not.toBe(before);
    const reuse = await apiError(fresh.refresh(before));
    expect(reuse).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('a lost certificate locked from a session: logins refused with CERT_LOCKED, sessions listed and all ended', async () => {
    const { npki } = await issueFolder({ name: '변학도', idn: '7003031234567' });
    const signer = await npki.unlock(PASSWORD);
    const api = new JointcertApi({ baseUrl: sys.url });
    const up = await api.signUp(signer);
    const other = new JointcertApi({ baseUrl: sys.url });
    await other.logIn(signer);
    const sessions = await api.listSessions();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);

    const second = new JointcertApi({ baseUrl: sys.url });
    await second.logIn(signer);
    const locked = await second.lockCertificate(up.certificate.id);
    expect(locked).toMatchObject({ id: up.certificate.id, locked: true, lockedAt: expect.any(String) });
    expect(await apiError(new JointcertApi({ baseUrl: sys.url }).logIn(signer))).toMatchObject({ code: 'CERT_LOCKED', status: 401 });
    // the sessions it opened are over: unlocking needs another certificate's session or a second factor
    expect(await apiError(api.listSessions())).toMatchObject({ status: 401 });
    expect(await apiError(api.unlockCertificate(up.certificate.id))).toMatchObject({ status: 401 });
    // the site's KM certificate, for clients that encrypt the VID random value (the dev CA issued one)
    expect(await api.serverCertificate()).toMatchObject({ certificate: expect.any(String), serialHex: expect.any(String) });
  });

  it('replace with a successor, delete, verify a document, log out; errors carry their codes', async () => {
    const api = new JointcertApi({ baseUrl: sys.url });
    await api.logIn(first);
    const [registered] = await api.listCertificates();
    expect(registered).toMatchObject({ status: 'active', daysLeft: expect.any(Number) });

    // successor: same person, later expiry
    const next = await (await issueFolder({ name: '이몽룡', idn: IDN, validityDays: 400 })).npki.unlock(PASSWORD);
    const replaced = await api.replaceWith(registered!.id, next, { idn: IDN });
    expect(replaced.previous).toMatchObject({ id: registered!.id, status: 'replaced' });
    expect(replaced.certificate.status).toBe('active');
    expect(await apiError(new JointcertApi({ baseUrl: sys.url }).logIn(first))).toMatchObject({ code: 'CERT_NOT_REGISTERED', status: 401 });

    // a second certificate added to the account, then deleted
    const other = await (await issueFolder({ name: '성춘향', idn: '9002022345678' })).npki.unlock(PASSWORD);
    const added = await api.signUp(other);
    expect(added.account).toBeUndefined();
    await api.deleteCertificate(added.certificate.id);
    expect(await apiError(api.getCertificate(added.certificate.id))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect((await api.listCertificates()).map((c) => c.status).sort()).toEqual(['active', 'replaced']);

    // a document signed in the client, verified by the server
    const report = await api.verifyDocument(await next.sign(Buffer.from('계약서 본문 / contract text')));
    expect(report.verdict).toBe('valid');
    expect(report.signers[0]!.path.length).toBeGreaterThanOrEqual(2);
    expect(report.signers[0]!.checks.every((c) => c.ok)).toBe(true);

    await api.logout();
    expect(api.tokens).toBeUndefined();
    await expect(api.listCertificates()).rejects.toBeInstanceOf(ClientError);
  });

  it('account settings and the password hint: updateAccount (password reminder opt-in), changeKeyPassword reports the change (the time only), reportPasswordChanged', async () => {
    const { npki } = await issueFolder({ name: '월매', idn: '7505051234567' });
    const api = new JointcertApi({ baseUrl: sys.url });
    const up = await api.signUp(await npki.unlock(PASSWORD), { email: 'wolmae@example.test' });
    expect(up.account?.passwordReminder).toEqual({ enabled: false, intervalDays: 90 });
    expect(up.certificate.passwordChangedAt).toBeNull();

    const updated = await api.updateAccount({ passwordReminder: { enabled: true, intervalDays: 60 }, locale: 'en' });
    expect(updated).toMatchObject({ locale: 'en', passwordReminder: { enabled: true, intervalDays: 60 }, reminders: { enabled: true } });
    expect((await api.account()).passwordReminder).toEqual({ enabled: true, intervalDays: 60 });
    expect(await apiError(api.updateAccount({ passwordReminder: { intervalDays: 3 } }))).toMatchObject({ code: 'MALFORMED_INPUT', status: 400 });

    // the key file re-encrypted on this device; the server only hears when
    const before = Date.now();
    const changed = await changeKeyPassword(npki.keyFileBytes, PASSWORD, 'New-pass-2026!', { report: { api, certificateId: up.certificate.id } });
    expect(changed.reportError).toBeUndefined();
    expect(changed.reported).toMatchObject({ id: up.certificate.id, passwordChangedAt: expect.any(String) });
    expect(Date.parse(changed.reported!.passwordChangedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect((await api.getCertificate(up.certificate.id)).passwordChangedAt).toBe(changed.reported!.passwordChangedAt);

    // an earlier report does not move it back; a future one is refused; another account's certificate is NOT_FOUND
    const kept = await api.reportPasswordChanged(up.certificate.id, new Date('2026-01-01T00:00:00Z'));
    expect(kept.passwordChangedAt).toBe(changed.reported!.passwordChangedAt);
    expect(await apiError(api.reportPasswordChanged(up.certificate.id, new Date(Date.now() + 3_600_000)))).toMatchObject({ code: 'MALFORMED_INPUT' });
    const stranger = new JointcertApi({ baseUrl: sys.url });
    await stranger.signUp(await (await issueFolder({ name: '향단', idn: '7606061234567' })).npki.unlock(PASSWORD));
    expect(await apiError(stranger.reportPasswordChanged(up.certificate.id))).toMatchObject({ code: 'NOT_FOUND', status: 404 });

    // a failed report does not fail the change
    const offline = new JointcertApi({ baseUrl: 'http://127.0.0.1:1', tokens: api.tokens! });
    const still = await changeKeyPassword(changed.file, 'New-pass-2026!', 'Newer-pass-2026!', { report: { api: offline, certificateId: up.certificate.id } });
    expect(still.reported).toBeNull();
    expect(still.reportError).toMatchObject({ code: 'NETWORK' });
    expect(still.file.length).toBeGreaterThan(0);
  });

  it('a revoked certificate → ApiError CERT_REVOKED; an expired one → CERT_EXPIRED; an unreachable API → ClientError NETWORK', async () => {
    const { issued, npki } = await issueFolder({ name: '변학도', idn: '7001011234567' });
    const signer = await npki.unlock(PASSWORD);
    await sys.revoke(issued.serialHex, 'keyCompromise');
    const api = new JointcertApi({ baseUrl: sys.url });
    const revoked = await apiError(api.signUp(signer));
    expect(revoked).toMatchObject({ code: 'CERT_REVOKED', status: 422 });
    expect(revoked.problem.detail).toEqual(expect.any(String));

    const old = await (await issueFolder({ name: '방자', validityDays: -1 })).npki.unlock(PASSWORD);
    expect(await apiError(api.signUp(old))).toMatchObject({ code: 'CERT_EXPIRED' });

    const down = new JointcertApi({ baseUrl: 'http://127.0.0.1:1' });
    await expect(down.challenge()).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
