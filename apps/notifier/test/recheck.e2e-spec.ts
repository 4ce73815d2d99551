import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { defaultLdapFetcher, parseCertificate, type Certificate, type LdapFetcher } from '@jointcert/pki';
import { buildCrl, DAY, issueKoreanChain } from '@jointcert/pki/issuing';
import { CertificateRepository } from '@jointcert/registry-db';
import { opensslCa, type OpensslCa } from '../../../libs/pki/src/revocation/crl/openssl-ca.testkit';
import { crlLdif, startSlapd, type Slapd } from '../../../libs/pki/src/revocation/crl/slapd.testkit';
import type { TestDatabase } from '../../../libs/registry-db/test-support/database';
import { Notifier } from '../src/notifier';
import { IssuerDirectory } from '../src/revocation/issuers';
import { createAccount, notificationRows, notifierConfig, registerCertificate, openStack, type NotifierStack } from '../../../test/support/notifier';
import type { SmtpSink } from '../../../test/support/smtp-sink';

// The revocation re-check on real CRLs: one made with the libs/pki testing
// toolkit (the dev CA's way) served over HTTP, one made by `openssl ca` served
// by a real slapd over LDAP; real Postgres, Redis and SMTP.
describe('notifier: revocation re-check', () => {
  let stack: NotifierStack;
  let db: TestDatabase;
  let ds: DataSource;
  let smtp: SmtpSink;
  let notifier: Notifier;
  let http: Server;
  let httpFetches = 0;
  let ldapFetches = 0;
  let slapd: Slapd;
  let ossl: OpensslCa;
  const at = Date.now();
  const clock = { now: () => at };
  const ids: Record<string, string> = {};
  let fingerprints: Record<string, string> = {};

  const register = async (accountId: string, der: Uint8Array): Promise<string> => {
    const { id, fingerprint } = await registerCertificate(ds, accountId, der);
    fingerprints = { ...fingerprints, [id]: fingerprint };
    return id;
  };

  beforeAll(async () => {
    stack = await openStack(8);
    ({ db, ds, smtp } = stack);

    // 1. toolkit CA, CRL over HTTP
    http = createServer((req, res) => {
      httpFetches++;
      if (req.url === '/ca.crl') res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(toolkitCrl);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const crlUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/ca.crl`;
    const revokedChain = issueKoreanChain({ at, crlUrls: [crlUrl], ocspUrl: false, user: { serial: 0x7001 } });
    const goodChain = issueKoreanChain({ at, crlUrls: [crlUrl], ocspUrl: false, user: { serial: 0x7002 } });
    const caCert: Certificate = parseCertificate(revokedChain.ca.der);
    toolkitCrl = buildCrl({
      issuer: caCert.subject.der,
      issuerKey: revokedChain.keys.ca.privateKey,
      thisUpdate: at - 3600_000,
      nextUpdate: at + DAY,
      entries: [{ serial: 0x7001, revokedAt: at - 7200_000, reason: 'keyCompromise' }],
    });

    // 2. OpenSSL CA, CRL in slapd (the certificates name ldap://127.0.0.1:389/…; the test directory listens elsewhere)
    ossl = opensslCa();
    const osslRevoked = ossl.issue('revoked-user', 'leaf_ext');
    const osslGood = ossl.issue('good-user', 'leaf_ext');
    ossl.revoke(osslRevoked, ['-crl_reason', 'superseded']);
    slapd = await startSlapd(crlLdif([{ dp: 'dp5p22874', crl: ossl.gencrl({ section: 'crl_plain' }) }]));
    const ldap: LdapFetcher = (req) => {
      ldapFetches++;
      return defaultLdapFetcher({ ...req, port: req.port === 389 ? slapd.port : req.port });
    };

    const ko = await createAccount(ds, { email: 'revoked@example.kr', locale: 'ko' });
    const en = await createAccount(ds, { email: 'other@example.com', locale: 'en' });
    ids.toolkitRevoked = await register(ko, revokedChain.user.der);
    ids.toolkitGood = await register(ko, goodChain.user.der);
    ids.osslRevoked = await register(en, osslRevoked.cert.der);
    ids.osslGood = await register(en, osslGood.cert.der);
    ids.noCdp = await register(en, ossl.issue('no-cdp', 'leaf_nocdp_ext').cert.der);

    const config = notifierConfig(db.url, smtp.url, { FETCH_ALLOW_PRIVATE: 'true' });
    stack.prefixes.push(config.REDIS_PREFIX);
    notifier = await Notifier.open(config, { clock, dataSource: ds, ldap, issuers: new IssuerDirectory([caCert, ossl.cert]) });
    await notifier.start({ schedule: false, metrics: false });
  });
  let toolkitCrl: Buffer;

  afterAll(async () => {
    await notifier?.close();
    await new Promise<void>((r) => http.close(() => r()));
    await slapd?.stop();
    ossl?.cleanup();
    await stack.close();
  });

  it('fetches each CRL once, marks the revoked ones revoked (time, reason, audit), tells each once; login is refused', async () => {
    const report = await notifier.recheck();
    expect(report).toMatchObject({ certificates: 5, crlFetches: 2, crlUnusable: 0, revoked: 2 });
    expect(httpFetches).toBe(1);
    expect(ldapFetches).toBe(1);
    expect(report.unknown).toBe(1); // no CRL DP and no OCSP URL

    const rows = await ds.query<Array<{ id: string; status: string; revoked_at: Date | null; revocation_reason: string | null }>>(
      `SELECT id, status, revoked_at, revocation_reason FROM certificates ORDER BY serial_hex`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids.toolkitRevoked!)).toMatchObject({ status: 'revoked', revocation_reason: 'keyCompromise', revoked_at: new Date(Math.floor((at - 7200_000) / 1000) * 1000) });
    expect(byId.get(ids.osslRevoked!)).toMatchObject({ status: 'revoked', revocation_reason: 'superseded' });
    for (const k of ['toolkitGood', 'osslGood', 'noCdp']) expect(byId.get(ids[k]!)!.status).toBe('active');

    const audit = await ds.query<Array<{ certificate_id: string; action: string }>>(`SELECT certificate_id, action FROM audit_events WHERE action = 'certificate.revoked' ORDER BY id`);
    expect(audit.map((a) => a.certificate_id).sort()).toEqual([ids.toolkitRevoked, ids.osslRevoked].sort());

    await smtp.waitFor(2);
    await notifier.queues.drained(10_000);
    const ko = smtp.received.find((m) => m.to.includes('revoked@example.kr'))!;
    expect(ko.subject).toContain('폐지되었습니다');
    expect(ko.text).toContain('폐지 사유: 개인키 손상');
    const en = smtp.received.find((m) => m.to.includes('other@example.com'))!;
    expect(en.subject).toContain('was revoked');
    expect(en.text).toContain('Reason: superseded');
    expect(await notificationRows(ds, ids.toolkitRevoked!)).toMatchObject([{ kind: 'revoked', status: 'sent', attempts: 1 }]);

    // login takes only the ACTIVE registration of the signer's certificate (registry LogIn → lockActiveByFingerprint): refused now
    const certificates = new CertificateRepository(ds);
    expect(await certificates.findActiveByFingerprint(fingerprints[ids.toolkitRevoked!]!)).toBeNull();
    expect(await certificates.findActiveByFingerprint(fingerprints[ids.toolkitGood!]!)).not.toBeNull();
  });

  it('a second re-check finds nothing new and tells no one twice', async () => {
    const before = smtp.count;
    const report = await notifier.recheck();
    expect(report).toMatchObject({ certificates: 3, revoked: 0 });
    await notifier.scan();
    await notifier.queues.drained(5000);
    expect(smtp.count).toBe(before);
  });

  it('an unusable CRL (bad signature) is not trusted: nothing is marked', async () => {
    const acc = await createAccount(ds, { email: 'forged@example.kr' });
    const chain = issueKoreanChain({ at, crlUrls: [`http://127.0.0.1:${(http.address() as AddressInfo).port}/ca.crl`], ocspUrl: false, user: { serial: 0x7003 } });
    const id = await register(acc, chain.user.der);
    const good = toolkitCrl;
    toolkitCrl = buildCrl({
      issuer: parseCertificate(chain.ca.der).subject.der,
      issuerKey: chain.keys.root.privateKey, // signed by the wrong key
      thisUpdate: at - 3600_000,
      nextUpdate: at + DAY,
      entries: [{ serial: 0x7003, revokedAt: at - 3600_000 }],
    });
    try {
      const report = await notifier.recheck();
      expect(report.crlUnusable).toBe(1);
      const [row] = await ds.query<Array<{ status: string }>>(`SELECT status FROM certificates WHERE id = $1`, [id]);
      expect(row!.status).toBe('active');
    } finally {
      toolkitCrl = good;
    }
  });
});

