/**
 * The registry with the REAL verifier (apps/verifier) behind it, over the
 * real Redis transport: a Korean-profile chain from the toolkit (root in a
 * temp trust-anchor dir, the CA in an intermediates dir), revocation from a
 * real HTTP peer (OCSP responses and CRLs built by the toolkit), the VID
 * checked for real. Registry and verifier share one movable clock. Run
 * twice: the verifier as its own service, and in the registry's process.
 */
import { randomBytes } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import { createMicroservice, verifyAccessToken } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { DAY, issueKoreanChain, testKey, type KoreanChain } from '@jointcert/pki/issuing';
import { VerifierModule } from '@jointcert/verification';
import { koreanMaterial, RevocationPeer, type KoreanMaterial } from './support/verifier';
import { CLIENT, signedChallenge, startHarness, type Harness } from './support/registry';

/* The same behaviour with the verifier as a service over the transport (remote) and in the registry's process (VERIFIER_MODE=in-process). */
describe.each(['remote', 'in-process'] as const)('VERIFIER_MODE=%s', (mode) => {
  let h: Harness;
  let peer: RevocationPeer;
  let pki: KoreanMaterial;
  let verifier: INestMicroservice | null;
  const AT = Date.now();

  /** A user of the test CA with its own serial, OCSP answer and, optionally, a later notAfter. */
  function user(name: string, status: 'good' | 'revoked', opts: { notAfter?: number; idn?: string } = {}): KoreanChain {
    const serial = BigInt(`0x${randomBytes(5).toString('hex')}`);
    const chain = issueKoreanChain({
      at: AT,
      ca: { extensions: { crlDistributionPoints: [`${peer.base}/crl/arl.crl`] } },
      user: { serial, keys: testKey(`registry-real-${name}`), ...(opts.notAfter ? { notAfter: opts.notAfter } : {}) },
      ocspUrl: `${peer.base}/ocsp/${name}`,
      crlUrls: [`${peer.base}/crl/ca.crl`],
      ...(opts.idn ? { identity: { idn: opts.idn } } : {}),
    });
    peer.ocsp(`/ocsp/${name}`, pki.ocspFor(chain.user, status === 'good' ? { status: 'good' } : { status: 'revoked', revokedAt: AT - 2 * DAY, reason: 1 }));
    return chain;
  }

  const identityOf = (c: KoreanChain) => ({ idn: c.identity!.idn, randomNum: c.identity!.randomNum.toString('base64') });

  beforeAll(async () => {
    peer = await new RevocationPeer().start();
    pki = koreanMaterial(peer, AT);
    peer.crl('/crl/ca.crl', pki.crlOf([]));
    h = await startHarness(
      `reg-real-${mode}`,
      { TRUST_ANCHORS_DIR: pki.trustDir, INTERMEDIATES_DIR: pki.intermediatesDir, FETCH_ALLOW_HOSTS: '127.0.0.1', FETCH_ALLOW_PRIVATE: 'true', SERVICE_TIMEOUT_MS: '8000', VERIFIER_MODE: mode },
      { standIn: false },
    );
    h.clock.t = AT;
    // in-process: no verifier service listens at all — a remote call would time out (SERVICE_UNAVAILABLE)
    verifier = mode === 'remote' ? await createMicroservice(VerifierModule.forRoot(h.config, { clock: h.clock }), h.config) : null;
    await verifier?.listen();
  });
  afterAll(async () => {
    await verifier?.close();
    await h.close();
    await peer.stop();
    pki.cleanup();
  });

  describe('registry with the real verifier', () => {
    it('signs up with a verified identity (VID), stores the verifier’s facts and a keyed identity hash, then logs in', async () => {
      const hong = user('hong', 'good', { idn: '8001011234567' });
      const result = await h.call(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, hong)), identity: identityOf(hong) });
      expect(result.certificate).toMatchObject({ status: 'active', ca: 'yessign', type: 'personal/general', policyOid: '1.2.410.200005.1.1.1', serialHex: expect.any(String) });
      const row = await h.sql.query(`SELECT c.cn_base, c.issuer_key, a.identity_hash FROM certificates c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1`, [result.certificate.id]);
      expect(row.rows[0]).toMatchObject({ cn_base: '홍길동()', identity_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const tokens = await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, hong)) });
      expect(verifyAccessToken(h.config, tokens.accessToken, h.clock.now()).accountId).toBe(result.account!.id);
    });

    it('a revoked certificate: CERT_REVOKED from the verifier, with its time; nothing written, the failure audited', async () => {
      const revoked = user('revoked', 'revoked');
      const accounts = await h.count('accounts');
      const err = await h.failure(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, revoked)) });
      expect(err).toMatchObject({ code: 'CERT_REVOKED', status: 422, extra: expect.objectContaining({ revokedAt: new Date(Math.floor((AT - 2 * DAY) / 1000) * 1000).toISOString() }) });
      expect(await h.count('accounts')).toBe(accounts);
      expect(await h.count('audit_events', `action = 'register' AND reason = 'CERT_REVOKED'`)).toBe(1);
    });

    it('a wrong identity number: VID_MISMATCH from the verifier', async () => {
      const kim = user('kim', 'good', { idn: '9001011234567' });
      const err = await h.failure(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, kim)), identity: { ...identityOf(kim), idn: '9001011234568' } });
      expect(err.code).toBe('VID_MISMATCH');
    });

    it('a certificate from a CA outside the trust store: CHAIN_UNTRUSTED', async () => {
      const foreign = issueKoreanChain({ at: AT, root: { keys: testKey('registry-real-foreign-root') }, ca: { keys: testKey('registry-real-foreign-ca') }, ocspUrl: false, crlUrls: false });
      const err = await h.failure(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, foreign)) });
      expect(err.code).toBe('CHAIN_UNTRUSTED');
    });

    it('replace with the same person’s renewed certificate (identity required and matched)', async () => {
      const old = user('lee-old', 'good', { idn: '7501011234567' });
      const acct = await h.call(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, old)), identity: identityOf(old) });
      const caller = verifyAccessToken(h.config, acct.session!.accessToken, h.clock.now());
      const renewed = user('lee-new', 'good', { idn: '7501011234567', notAfter: Date.parse(acct.certificate.notAfter) + 30 * DAY });
      const refused = await h.failure(Api.registry.replaceCertificate, { client: CLIENT, caller, certificateId: acct.certificate.id, ...(await signedChallenge(h, renewed)) });
      expect(refused).toMatchObject({ code: 'CERT_NOT_SUCCESSOR', extra: { reason: 'IDENTITY_REQUIRED' } });
      const ok = await h.call(Api.registry.replaceCertificate, { client: CLIENT, caller, certificateId: acct.certificate.id, ...(await signedChallenge(h, renewed)), identity: identityOf(renewed) });
      expect(ok.previous).toMatchObject({ status: 'replaced', replacedBy: ok.certificate.id });
      expect(ok.certificate.notAfter > ok.previous.notAfter).toBe(true);
    });
  });
});
