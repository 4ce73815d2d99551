import type { Certificate } from '@jointcert/pki';
import { ocspPki, startOpensslResponder, type OcspPki, type RunningResponder } from '../../../libs/pki/src/revocation/ocsp/openssl-responder.testkit';
import { Notifier } from '../src/notifier';
import { IssuerDirectory } from '../src/revocation/issuers';
import { createAccount, notificationRows, notifierConfig, openStack, registerCertificate, type NotifierStack } from '../../../test/support/notifier';

// Certificates without a CRL distribution point are re-checked over OCSP, against a real `openssl ocsp` responder.
describe('notifier: revocation re-check over OCSP (no usable CRL)', () => {
  let stack: NotifierStack;
  let pki: OcspPki;
  let responder: RunningResponder;
  let notifier: Notifier;
  const at = Date.now();

  const register = async (accountId: string, c: Certificate): Promise<string> => (await registerCertificate(stack.ds, accountId, c.der)).id;

  beforeAll(async () => {
    stack = await openStack();
    pki = ocspPki(at);
    responder = await startOpensslResponder(pki, 'delegated');
    const config = notifierConfig(stack.db.url, stack.smtp.url, { FETCH_ALLOW_PRIVATE: 'true' });
    stack.prefixes.push(config.REDIS_PREFIX);
    notifier = await Notifier.open(config, {
      clock: { now: () => at },
      dataSource: stack.ds,
      issuers: new IssuerDirectory([pki.caCert]),
      ocspOverrides: [{ issuerName: pki.caCert.subject.text, url: responder.url }],
    });
    await notifier.start({ schedule: false, metrics: false });
  });

  afterAll(async () => {
    await notifier?.close();
    await responder?.stop();
    pki?.cleanup();
    await stack.close();
  });

  it('revoked at the responder → revoked (time, reason), audited, told once; good stays active', async () => {
    const acc = await createAccount(stack.ds, { email: 'ocsp@example.kr' });
    const revoked = await register(acc, pki.revoked);
    const good = await register(acc, pki.good);
    const report = await notifier.recheck();
    expect(report).toMatchObject({ certificates: 2, crlFetches: 0, ocspChecked: 2, revoked: 1, unknown: 0 });
    const rows = await stack.ds.query<Array<{ id: string; status: string; revocation_reason: string | null; revoked_at: Date | null }>>(`SELECT id, status, revocation_reason, revoked_at FROM certificates`);
    expect(rows.find((r) => r.id === revoked)).toMatchObject({ status: 'revoked', revocation_reason: 'keyCompromise', revoked_at: new Date(Math.floor(pki.revokedAt / 1000) * 1000) });
    expect(rows.find((r) => r.id === good)!.status).toBe('active');
    expect(await stack.ds.query(`SELECT action FROM audit_events WHERE certificate_id = $1`, [revoked])).toEqual([{ action: 'certificate.revoked' }]);
    await stack.smtp.waitFor(1);
    await notifier.queues.drained(10_000);
    expect(stack.smtp.received.map((m) => m.headers.get('x-jointcert-notification'))).toEqual(['revoked']);
    expect(await notificationRows(stack.ds, revoked)).toMatchObject([{ kind: 'revoked', status: 'sent' }]);
  });
});
