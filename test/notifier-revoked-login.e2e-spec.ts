import { Api } from '@jointcert/contracts';
import { createDataSource, NotifierRepository } from '@jointcert/registry-db';
import { CLIENT, person, signedChallenge, startHarness, type Harness } from './support/registry';

// A certificate the notifier's re-check found revoked cannot log in, even while
// the verifier still answers "good" (its cached OCSP answer; here the stand-in
// verifier, which accepts every signer): login takes only ACTIVE registrations.
describe('revoked by the notifier → login refused', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('notifier-login');
  });
  afterAll(async () => {
    await h.close();
  });

  it('logs in before, CERT_NOT_REGISTERED after; the refusal is audited', async () => {
    const alice = person('alice');
    const signUp = await h.call(Api.registry.register, { client: CLIENT, ...(await signedChallenge(h, alice)), email: 'alice@example.kr' });
    const certificateId = signUp.certificate.id;
    await h.call(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
    h.clock.advance(60_000);

    const ds = createDataSource(h.config.DATABASE_URL, { poolSize: 2 });
    await ds.initialize();
    try {
      const notices = await new NotifierRepository(ds).markRevoked([{ certificateId, revokedAt: new Date(h.clock.now() - 3600_000), reason: 'keyCompromise', source: 'crl' }], new Date(h.clock.now()));
      expect(notices).toHaveLength(1);
    } finally {
      await ds.destroy();
    }

    const refused = await h.failure(Api.registry.login, { client: CLIENT, ...(await signedChallenge(h, alice)) });
    expect(refused.code).toBe('CERT_NOT_REGISTERED');
    expect(await h.count('certificates', `id = $1 AND status = 'revoked' AND revocation_reason = 'keyCompromise'`, [certificateId])).toBe(1);
    expect(await h.count('audit_events', `certificate_id = $1 AND action = 'certificate.revoked'`, [certificateId])).toBe(1);
    expect(await h.count('audit_events', `action = 'login' AND outcome = 'failure' AND reason = 'CERT_NOT_REGISTERED'`)).toBe(1);
  });
});
