import { randomBytes } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type AppConfig, createMicroservice, createServiceClient, loadConfig, type ServiceClient } from '@jointcert/common';
import { Api, type ValidationReport } from '@jointcert/contracts';
import { signCms, TEST_TIME } from '@jointcert/pki/issuing';
import { decoyIssuers } from '../libs/pki/test-support/decoys';
import { VerifierModule } from '@jointcert/verification';
import { deleteKeys } from './support/redis';
import { type KoreanMaterial, koreanMaterial, RevocationPeer, verifierTestEnv } from './support/verifier';

// Issue #9, "a message must not buy seconds of CPU", through the verifier
// microservice (in-process, real Redis transport, real revocation peer): a
// signed document that carries 30 decoy copies of the yessign CA certificate
// (same name and SKI, fake 2048-bit keys with ~2040-bit public exponents)
// before the signer's certificate. Each decoy tried as an issuer would cost a
// full RSA operation with a huge exponent; the configured intermediate is now
// tried first and the decoys' keys are refused before any math.
const AT = TEST_TIME;
const run = `${process.pid}-${randomBytes(4).toString('hex')}`;
const DOC = Buffer.from('계약서 — budget test document');

let peer: RevocationPeer;
let pki: KoreanMaterial;
let redis: Redis;
let service: INestMicroservice;
let client: ServiceClient;
let config: AppConfig;

beforeAll(async () => {
  peer = await new RevocationPeer().start();
  pki = koreanMaterial(peer, AT);
  redis = new Redis(loadConfig({}).REDIS_URL);
  config = loadConfig({ ...verifierTestEnv(pki, `jc-verifier-budget-${run}:`), REVOCATION_POLICY: 'soft-fail' });
  service = await createMicroservice(VerifierModule.forRoot(config, { clock: { now: () => AT } }), config);
  await service.listen();
  client = createServiceClient(config);
});

afterAll(async () => {
  await client.close();
  await service.close();
  await deleteKeys(redis, config.REDIS_PREFIX);
  await redis.quit();
  await peer.stop();
  pki.cleanup();
});

async function cpuMs(f: () => Promise<ValidationReport>): Promise<{ report: ValidationReport; ms: number }> {
  const start = process.cpuUsage();
  const report = await f();
  const u = process.cpuUsage(start);
  return { report, ms: (u.user + u.system) / 1000 };
}

describe('verifyDocument: decoy issuers in the message', () => {
  it('30 huge-exponent copies (the CMS parser admits 32 certificates) of the CA cost no signature math: same verdict and about the CPU of a normal message', async () => {
    const user = pki.user({ serial: 0x7001n, ocspUrl: false, crlUrls: false });
    const decoys = decoyIssuers(pki.base.ca.der, { count: 30, exponentBits: 2040 });
    const plain = signCms(user.user, DOC);
    const crafted = signCms(user.user, DOC, { certs: [...decoys, user.user.der] });
    const send = (m: Buffer) => () => client.send(Api.verifier.verifyDocument, { signedData: m.toString('base64') });

    await send(plain)(); // warm-up (key imports, caches)
    const normal = await cpuMs(send(plain));
    const attack = await cpuMs(send(crafted));
    console.log(`verifier: normal document ${normal.ms.toFixed(1)} ms CPU, with 30 huge-exponent decoys ${attack.ms.toFixed(1)} ms CPU (each decoy op ≈ 2–3 ms if computed)`);

    expect(attack.report.signers).toHaveLength(1);
    const signer = attack.report.signers[0]!;
    expect(signer.path.map((c) => c.subject)).toEqual(normal.report.signers[0]!.path.map((c) => c.subject));
    expect(signer.reasons).toEqual(normal.report.signers[0]!.reasons);
    // two path signatures, none by a decoy
    expect(signer.checks.filter((c) => c.check === 'path.signature')).toHaveLength(2);
    // 30 decoys computed would be ≥ 30 × ~2.5 ms; the bound leaves parsing 30 certificates
    expect(attack.ms).toBeLessThan(normal.ms + 40);
  });
});
