/**
 * Shared by the registry e2e tests: a registry microservice on the real
 * Postgres (a database per test file, real migrations) and the real Redis
 * (a REDIS_PREFIX per test file), a stand-in verifier answering
 * `verifier.verify-challenge` over the same Redis transport, a movable clock,
 * Korean-profile test certificates and CMS signatures over challenge nonces.
 */
import { createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { createMicroservice, DomainError, loadConfig, transportClient, ServiceClient, type AppConfig, type Clock, type ProblemCode } from '@jointcert/common';
import {
  Api,
  type ClientInfo,
  type Contract,
  type Envelope,
  type RequestMeta,
  type VerifyChallengeRequest,
  type VerifyChallengeResult,
} from '@jointcert/contracts';
import { identifyDataOf, parseCertificate, parseSignedData, verifyVid } from '@jointcert/pki';
import { DAY, issueKoreanChain, signCms, testKey, type Issued, type KoreanChainOptions } from '@jointcert/pki/issuing';
import { createTestDatabase, type TestDatabase } from '../../libs/registry-db/test-support/database';
import { signerCertificateOf } from '../../libs/verification/src/verification/views';
import { deleteKeys } from './redis';
import { RegistryModule } from '../../apps/registry/src/registry.module';

export const CLIENT: ClientInfo = { ip: '203.0.113.7', userAgent: 'jest-registry/1.0' };

export class TestClock implements Clock {
  constructor(public t: number = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

// ------------------------------------------------------------ certificates and signatures

export interface Person {
  name: string;
  user: Issued;
  der: Buffer;
  fingerprint: string;
  notAfter: number;
  /** Identity behind the VID (idn, R base64). */
  identity?: { idn: string; randomNum: string };
}

/**
 * A Korean-profile user certificate valid now (yessign-shaped by default),
 * with its own key. `cn` sets the subject CN (default 홍길동()<digits>).
 */
export function person(name: string, opts: KoreanChainOptions & { cn?: string } = {}): Person {
  const { cn, ...chainOpts } = opts;
  const at = chainOpts.at ?? Date.now();
  const chain = issueKoreanChain({
    at,
    ...chainOpts,
    user: {
      keys: testKey(`registry-user-${name}`),
      serial: BigInt(`0x${randomBytes(6).toString('hex')}`),
      ...(cn ? { subject: [['C', 'kr'], ['O', 'yessign'], ['OU', 'personal4IB'], ['OU', 'XYZ'], ['CN', cn]] } : {}),
      ...chainOpts.user,
    },
  });
  const cert = parseCertificate(chain.user.der);
  return {
    name,
    user: chain.user,
    der: chain.user.der,
    fingerprint: cert.fingerprintSha256,
    notAfter: cert.notAfter,
    ...(chain.identity ? { identity: { idn: chain.identity.idn, randomNum: chain.identity.randomNum.toString('base64') } } : {}),
  };
}

export { DAY };

/** CMS SignedData (ContentInfo, DER, base64) over the nonce, signed attributes (no signingTime), the signer's certificate included. */
export function signNonce(p: Pick<Person, 'user'>, nonceBase64: string): string {
  return signCms(p.user, Buffer.from(nonceBase64, 'base64'), { digestNullParams: true, signingTime: null }).toString('base64');
}

// ------------------------------------------------------------ the stand-in verifier

export class StandInState {
  calls: VerifyChallengeRequest[] = [];
  /** Refuse these fingerprints with a code (e.g. CERT_REVOKED). */
  refuse = new Map<string, ProblemCode>();
}

const STATE = Symbol('stand-in state');

@Controller()
class StandInVerifierController {
  constructor(@Inject(STATE) private readonly state: StandInState) {}

  /**
   * Checks what a stand-in can check cheaply: the content is the expected
   * nonce, the signature over the signed attributes verifies with the
   * included certificate's key, the VID when identity is given. No chain,
   * no revocation (the real-verifier test covers those).
   */
  @MessagePattern(Api.verifier.verifyChallenge.cmd)
  verify(@Payload() envelope: Envelope<VerifyChallengeRequest>): VerifyChallengeResult {
    const req = envelope.data;
    this.state.calls.push(req);
    const sd = parseSignedData(Buffer.from(req.signedData, 'base64'));
    const si = sd.signerInfos[0]!;
    const cert = parseCertificate(sd.certificates[0]!);
    if (!sd.eContent || !Buffer.from(sd.eContent).equals(Buffer.from(req.expectedContent, 'base64'))) {
      throw new DomainError('SIGNATURE_INVALID', 'the signed content is not the challenge');
    }
    const key = createPublicKey({ key: Buffer.from(cert.spki.der), format: 'der', type: 'spki' });
    if (!si.signedAttrs || !cryptoVerify('sha256', si.signedAttrs.signedBytes, key, si.signature)) {
      throw new DomainError('SIGNATURE_INVALID', 'the signature does not verify');
    }
    const refused = this.state.refuse.get(cert.fingerprintSha256);
    if (refused) throw new DomainError(refused, `stand-in refuses with ${refused}`);
    let identityVerified = false;
    if (req.identity) {
      const check = verifyVid(identifyDataOf(cert), req.identity.idn, Buffer.from(req.identity.randomNum ?? '', 'base64'));
      if (!check.ok) throw new DomainError('VID_MISMATCH', 'the identity does not match the certificate', { reason: check.reason });
      identityVerified = true;
    }
    return { certificate: signerCertificateOf(cert), identityVerified, signingTime: null, revocation: [] };
  }
}

export async function startStandInVerifier(config: AppConfig, state: StandInState): Promise<INestMicroservice> {
  @Module({ controllers: [StandInVerifierController], providers: [{ provide: STATE, useValue: state }] })
  class StandInVerifierModule {}
  const app = await createMicroservice(StandInVerifierModule, config);
  await app.listen();
  return app;
}

// ------------------------------------------------------------ the harness

export interface Harness {
  config: AppConfig;
  clock: TestClock;
  db: TestDatabase;
  /** For assertions straight against Postgres. */
  sql: Pool;
  redis: Redis;
  registry: INestMicroservice;
  client: ServiceClient;
  verifier: StandInState;
  verifierApp: INestMicroservice | null;
  call<Req, Res>(contract: Contract<Req, Res>, data: Req, meta?: RequestMeta): Promise<Res>;
  /** The error a call fails with (fails the test when it succeeds). */
  failure<Req, Res>(contract: Contract<Req, Res>, data: Req): Promise<DomainError>;
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  stopVerifier(): Promise<void>;
  startVerifier(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(name: string, env: Record<string, string> = {}, opts: { standIn?: boolean } = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    REDIS_PREFIX: `jc-${name}-${process.pid}-${randomBytes(3).toString('hex')}:`,
    SERVICE_TIMEOUT_MS: '2000',
    ...env,
  });
  const clock = new TestClock();
  const state = new StandInState();
  let verifierApp = opts.standIn === false ? null : await startStandInVerifier(config, state);
  const registry = await createMicroservice(RegistryModule.forRoot(config, { clock }), config);
  await registry.listen();
  // the test's own client waits longer than the registry waits for the verifier, so a timeout seen here is the registry's answer
  const client = new ServiceClient(transportClient(config), 10_000);
  const sql = new Pool({ connectionString: db.url, max: 2 });
  const redis = new Redis(config.REDIS_URL);

  const h: Harness = {
    config,
    clock,
    db,
    sql,
    redis,
    registry,
    client,
    verifier: state,
    get verifierApp() {
      return verifierApp;
    },
    call: (contract, data, meta) => client.send(contract, data, meta),
    async failure(contract, data) {
      const outcome = await client.send(contract, data).then(
        (value) => ({ value }),
        (err: unknown) => ({ err }),
      );
      if (!('err' in outcome)) throw new Error(`expected ${contract.cmd} to fail, it returned ${JSON.stringify(outcome.value)}`);
      if (!(outcome.err instanceof DomainError)) throw outcome.err;
      return outcome.err;
    },
    async count(table, where = 'true', params = []) {
      const r = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
      return r.rows[0]!.n;
    },
    async stopVerifier() {
      await verifierApp?.close();
      verifierApp = null;
    },
    async startVerifier() {
      verifierApp ??= await startStandInVerifier(config, state);
    },
    async close() {
      await client.close();
      await registry.close();
      await verifierApp?.close();
      await sql.end();
      await deleteKeys(redis, config.REDIS_PREFIX);
      await redis.quit();
      await db.drop();
    },
  };
  return h;
}

/** Challenge + signature by `p`: the fields register/login/replace take. */
export async function signedChallenge(h: Harness, p: Pick<Person, 'user'>): Promise<{ challengeId: string; signedData: string }> {
  const challenge = await h.call(Api.registry.createChallenge, { client: CLIENT });
  return { challengeId: challenge.challengeId, signedData: signNonce(p, challenge.nonce) };
}
