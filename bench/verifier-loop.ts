/**
 * CPU time of one verification in the verifier, in process (no transport):
 * `node dist/bench/verifier-loop.js [ms] [row]` after `npm run bench verifier` (or
 * the two tsc steps). Rows, each a repeat signer of the Korean test PKI
 * (RSA-2048 root → CA → user, the CA's ARL and the user's CRL served by a
 * local peer and held in process, OCSP absent as in the dev CA's chains):
 *   a      crypto.verify RSA-2048/SHA-256 with a cached key (the floor of any row)
 *   doc    VerifyDocumentUseCase.execute: an attached CMS document → the report
 *   login  VerifyChallengeUseCase.execute: the signed nonce of a login
 * It measures CPU time (user + system, GC included) over awaited calls, a
 * warm-up round then five interleaved rounds, and prints each row's median µs and its ratio to (a)
 * per round: on a shared machine the ratio is steadier than either figure.
 * With a row name it runs only that row (for `node --cpu-prof`).
 * Needs Redis on REDIS_URL (keys under a unique prefix, deleted afterwards).
 */
import { randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { signCms } from '@jointcert/pki/issuing';
import { VerifyChallengeUseCase, VerifyDocumentUseCase } from '@jointcert/verification';
import { withBenchVerifier } from './verifier.bench';

async function cpuUsPerOp(fn: () => unknown, ms: number, warmMs: number): Promise<number> {
  const warmEnd = performance.now() + warmMs;
  while (performance.now() < warmEnd) await fn();
  const c0 = process.cpuUsage();
  const end = performance.now() + ms;
  let ops = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 8; i++) await fn();
    ops += 8;
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / ops;
}

async function main(): Promise<void> {
  const ms = Number(process.argv[2] ?? 600);
  await withBenchVerifier('verifier-loop', async ({ app, peer, pki }) => {
    const chain = pki.user({ serial: 0x3101n, ocspUrl: false, crlUrls: [peer.crl('/crl/ca.crl', pki.crlOf([]))] });
    const nonce = randomBytes(32);
    const login = { signedData: signCms(chain.user, nonce).toString('base64'), expectedContent: nonce.toString('base64'), purpose: 'login' as const };
    const doc = { signedData: signCms(chain.user, Buffer.from(`document ${randomBytes(8).toString('hex')}`)).toString('base64') };
    const challenges = app.get(VerifyChallengeUseCase);
    const documents = app.get(VerifyDocumentUseCase);
    const report = await documents.execute(doc);
    if (report.verdict !== 'valid') throw new Error(`bench setup: document ${report.verdict} ${report.reasons.join(', ')}`);
    const ok = await challenges.execute(login);
    if (ok.revocation.some((r) => r.status !== 'good')) throw new Error('bench setup: login revocation not good');

    const data = randomBytes(100);
    const signature = cryptoSign('sha256', data, chain.user.key);
    const rows: Record<string, () => unknown> = {
      a: () => cryptoVerify('sha256', data, chain.user.publicKey, signature),
      doc: () => documents.execute(doc),
      login: () => challenges.execute(login),
    };
    const only = process.argv[3];
    if (only) {
      // one row alone (for `node --cpu-prof`)
      console.log(only, (await cpuUsPerOp(rows[only]!, ms, 300)).toFixed(1), 'µs CPU/op');
      return;
    }
    // JIT warm-up: a round of every row, not counted
    for (const fn of Object.values(rows)) await cpuUsPerOp(fn, ms, 300);
    const us: Record<string, number[]> = {};
    for (let round = 0; round < 5; round++) for (const [k, fn] of Object.entries(rows)) (us[k] ??= []).push(await cpuUsPerOp(fn, ms, 100));
    const median = (x: number[]): number => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
    for (const k of Object.keys(rows)) {
      const ratios = us[k]!.map((v, i) => v / us.a![i]!);
      console.log(k.padEnd(6), `${median(us[k]!).toFixed(1)} µs CPU`, `median ×a ${median(ratios).toFixed(2)}`, `(${ratios.map((r) => r.toFixed(2)).join(' ')})`);
    }
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
