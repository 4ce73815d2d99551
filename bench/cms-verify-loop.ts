/**
 * A quick loop over rows (a), (b), (b+), (c), (c+) (`cp`), (c2) of cms-verify.bench.ts
 * and `cpa` ((c+) with the CA's certificate cached), `cpk` ((c+) with a newly
 * imported signer key), from the
 * sources: `node -r ./scripts/ts-register.js bench/cms-verify-loop.ts [row] [ms]`.
 * It measures CPU time (user+system, GC threads included) rather than wall
 * time, runs five interleaved rounds and prints each row's median ratio to
 * (a) and the five ratios (the first round is the JIT warm-up): on a machine
 * shared with other processes the wall-clock best-of-3 of the bench swings
 * by ±0.15. With a row name it runs only that row (for `node --cpu-prof`).
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { clearCmsCaches, parseSignedData, verifySignedData } from '@jointcert/pki';
import { cachedCertificate } from '../libs/pki/src/cms/cert-cache';
import { clearKeyCache } from '../libs/pki/src/crypto/signature';
import { clearSignatureCache } from '../libs/pki/src/path/build';
import { makeFixture, verifyOptions } from './cms-verify.bench';

/** CPU microseconds per call of `fn`, over about `ms` of wall time after a `warmMs` warm-up. */
function cpuUsPerOp(fn: () => unknown, ms: number, warmMs: number): number {
  const warmEnd = performance.now() + warmMs;
  while (performance.now() < warmEnd) fn();
  const c0 = process.cpuUsage();
  const end = performance.now() + ms;
  let ops = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) fn();
    ops += 16;
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / ops;
}

const fx = makeFixture();
const si = parseSignedData(fx.message).signerInfos[0]!;
const signedBytes = si.signedAttrs!.signedBytes;
const key = createPublicKey(fx.leafPem);
const at = Date.now();
const { opts, withPath, firstSeenPath } = verifyOptions(fx, at);
// the CA's certificate admitted to the certificate cache (second sighting) for row cpa
const caDer = [fx.int];
clearCmsCaches();
cachedCertificate(fx.int);
cachedCertificate(fx.int);
const rows: Record<string, () => unknown> = {
  a: () => cryptoVerify('sha256', signedBytes, key, si.signature),
  b: () => verifySignedData(fx.message, opts),
  bp: () => verifySignedData(fx.message, withPath),
  c: () => {
    clearCmsCaches();
    return verifySignedData(fx.message, opts);
  },
  cp: () => {
    clearCmsCaches();
    clearSignatureCache();
    return verifySignedData(fx.message, firstSeenPath);
  },
  // (cp) with the CA's certificate (carried by the message) kept cached, as in production, where
  // every message carries it: (cp) parses it anew each call, a cost only that row pays
  cpa: () => {
    clearCmsCaches({ keep: caDer });
    clearSignatureCache();
    return verifySignedData(fx.message, firstSeenPath);
  },
  // (cp) with the leaf's KeyObject imported anew each call: what a genuinely new signer key adds
  // (PKCS#1 import, OpenSSL's first use of a new key); the anchor's key stays (a known CA)
  cpk: () => {
    clearCmsCaches();
    clearSignatureCache();
    clearKeyCache();
    return verifySignedData(fx.message, firstSeenPath);
  },
  c2: () => {
    clearCmsCaches({ keepSightings: true });
    return verifySignedData(fx.message, opts);
  },
};

const only = process.argv[2];
const ms = Number(process.argv[3] ?? 400);
if (only) {
  console.log(only, cpuUsPerOp(rows[only]!, ms, 200).toFixed(2), 'µs CPU/op');
} else {
  const us: Record<string, number[]> = {};
  for (let round = 0; round < 5; round++) for (const [k, fn] of Object.entries(rows)) (us[k] ??= []).push(cpuUsPerOp(fn, ms, 100));
  const median = (x: number[]): number => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
  for (const k of Object.keys(rows)) {
    const ratios = us[k]!.map((v, i) => us.a![i]! / v);
    console.log(k.padEnd(3), `${median(us[k]!).toFixed(1)} µs CPU`, `median ratio ${median(ratios).toFixed(2)}`, ratios.map((r) => r.toFixed(2)).join(' '));
  }
}
