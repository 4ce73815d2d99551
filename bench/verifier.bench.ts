/**
 * The verifier's hot path: verifyChallenge called directly (no transport) for
 * a repeat signer whose revocation status is cached — a Korean RSA-2048 chain
 * (root → CA → user), a 32-byte nonce signed as CMS with signed attributes,
 * OCSP "good" from a local HTTP peer cached in Redis, the CA's ARL held in
 * process — against the ceiling: one crypto.verify (RSA-2048, SHA-256) with a
 * cached key object.
 *
 *   (a) crypto.verify, cached KeyObject                       the baseline
 *   (b) VerifyChallengeUseCase.execute, repeat signer         base64 + CMS + path + accepted type + revocation (Redis GET) + result
 *   (c) as (b) with an identity (VID check added)
 * Needs Redis on REDIS_URL (default 127.0.0.1:6379); keys under a unique
 * prefix, deleted afterwards.
 */
import { randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { loadConfig } from '@jointcert/common';
import { KOREAN_DEFAULTS, signCms, TEST_TIME } from '@jointcert/pki/issuing';
import { VerifierModule, VerifyChallengeUseCase } from '@jointcert/verification';
import { deleteKeys } from '../test/support/redis';
import { type KoreanMaterial, koreanMaterial, RevocationPeer, verifierTestEnv } from '../test/support/verifier';
import { measure, measureAsync, report, type Rate } from './util';

/** A verifier (Nest application context) on the Korean test PKI at TEST_TIME, its revocation peer, torn down after `fn`. */
export async function withBenchVerifier(name: string, fn: (v: { app: INestApplicationContext; peer: RevocationPeer; pki: KoreanMaterial }) => Promise<void>): Promise<void> {
  const peer = await new RevocationPeer().start();
  const pki = koreanMaterial(peer, TEST_TIME);
  const prefix = `jc-bench-${name}-${process.pid}:`;
  // the tests' verifier environment (its timeouts never fire here: revocation answers are cached after the warm-up)
  const config = loadConfig({ ...process.env, ...verifierTestEnv(pki, prefix) });
  const app = await NestFactory.createApplicationContext(VerifierModule.forRoot(config, { clock: { now: () => TEST_TIME } }), { logger: false });
  const redis = new Redis(config.REDIS_URL);
  try {
    await fn({ app, peer, pki });
  } finally {
    await app.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
    await peer.stop();
    pki.cleanup();
  }
}

export async function run(): Promise<void> {
  await withBenchVerifier('verifier', async ({ app, peer, pki }) => {
    const chain = pki.user({ serial: 0x3001n, ocspUrl: `${peer.base}/ocsp/bench`, crlUrls: false });
    peer.ocsp('/ocsp/bench', pki.ocspFor(chain.user, { status: 'good' }));
    const nonce = randomBytes(32);
    const request = { signedData: signCms(chain.user, nonce).toString('base64'), expectedContent: nonce.toString('base64'), purpose: 'login' as const };
    const withIdentity = { ...request, identity: { idn: KOREAN_DEFAULTS.idn, randomNum: Buffer.from(KOREAN_DEFAULTS.randomNumHex, 'hex').toString('base64') } };
    const useCase = app.get(VerifyChallengeUseCase);
    const first = await useCase.execute(request);
    if (first.revocation[0]?.status !== 'good') throw new Error('bench setup: revocation not good');
    const warm = await useCase.execute(request);
    if (!warm.revocation[0]?.cached) throw new Error('bench setup: second call not served from the cache');

    const data = randomBytes(100);
    const signature = cryptoSign('sha256', data, chain.user.key);
    const publicKey = chain.user.publicKey;

    let best: { a?: Rate; b?: Rate; c?: Rate } = {};
    const keep = (r: Rate, prev?: Rate): Rate => (prev && prev.perSecond > r.perSecond ? prev : r);
    for (let round = 0; round < 3; round++) {
      best = {
        a: keep(measure(() => cryptoVerify('sha256', data, publicKey, signature), 500), best.a),
        b: keep(await measureAsync(() => useCase.execute(request), 700), best.b),
        c: keep(await measureAsync(() => useCase.execute(withIdentity), 700), best.c),
      };
    }
    console.log(`peer OCSP requests during the run: ${peer.hitsOf('/ocsp/bench')} (1 expected: the first call)`);
    report('(a) crypto.verify RSA-2048, cached key', best.a!);
    report('(b) verifyChallenge, repeat signer, cached', best.b!, best.a);
    report('(c) (b) + VID check', best.c!, best.a);
  });
}
