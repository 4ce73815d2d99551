/**
 * A quick loop over rows (a), (b), (b+), (c), (c+) (`cp`), (c2) of cms-verify.bench.ts
 * and `cpa` ((c+) with the CA's certificate cached), `cpk` ((c+) with a newly
 * imported signer key), `cm` (many distinct signers, no cache cleared), from the
 * sources: `node -r ./scripts/ts-register.js bench/cms-verify-loop.ts [row] [ms]`.
 * It measures CPU time (user+system, GC threads included) rather than wall
 * time, runs five interleaved rounds and prints each row's median ratio to
 * (a) and the five ratios (the first round is the JIT warm-up): on a machine
 * shared with other processes the wall-clock best-of-3 of the bench swings
 * by ±0.15. With a row name it runs only that row (for `node --cpu-prof`).
 *
 * Row `cm`, a big site's traffic: messages from MANY_ONE_OFFS distinct
 * signers, each seen once in the whole run (leaves issued by the CA, whose
 * certificate every message carries; the CA is the trust anchor), with every
 * MANY_REPEAT_EVERY-th message from one of MANY_REPEATS repeat signers (each
 * back every 128 messages); no cache is cleared. The leaves share
 * MANY_KEYS key pairs (start-up time), so their keys come from the key cache:
 * a truly new key adds its import (+16–19 µs, row cpk). `gc [messages]` runs
 * that row alone and prints its young/old collections, the growth of old
 * space and the repeat signers' path-cache hits per 1,000 messages.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { clearCmsCaches, parseSignedData, verifySignedData } from '@jointcert/pki';
import { cachedCertificate } from '../libs/pki/src/cms/cert-cache';
import { clearKeyCache } from '../libs/pki/src/crypto/signature';
import { clearSignatureCache, pathCacheStats } from '../libs/pki/src/path/build';
import { makeFixture, makeManySigners, verifyOptions } from './cms-verify.bench';

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
// row cm: one-off signers (each used once: a run of five rounds takes ~30,000), repeat signers interleaved
const MANY_ONE_OFFS = 36_000;
const MANY_REPEATS = 16;
const MANY_REPEAT_EVERY = 8;
const MANY_KEYS = 4;
const only0 = process.argv[2];
const manyMsgs = only0 === undefined || only0 === 'cm' || only0 === 'gc' ? makeManySigners(fx, MANY_ONE_OFFS + MANY_REPEATS, MANY_KEYS) : [];
let manyNext = 0;
let manyOneOff = 0;
let repeatSeen = 0;
let oneOffWrapped = false;
function many(): unknown {
  const i = manyNext++;
  let msg: Buffer;
  if (i % MANY_REPEAT_EVERY === MANY_REPEAT_EVERY - 1) {
    msg = manyMsgs[MANY_ONE_OFFS + (Math.floor(i / MANY_REPEAT_EVERY) % MANY_REPEATS)]!;
    repeatSeen++;
  } else {
    if (manyOneOff === MANY_ONE_OFFS) {
      manyOneOff = 0;
      oneOffWrapped = true;
    }
    msg = manyMsgs[manyOneOff++]!;
  }
  return verifySignedData(msg, firstSeenPath);
}
if (manyMsgs.length > 0) {
  for (const m of [manyMsgs[0]!, manyMsgs[MANY_ONE_OFFS]!]) {
    const v = verifySignedData(m, firstSeenPath);
    if (!v.ok) throw new Error(`row cm: fixture does not verify: ${JSON.stringify(v.reasons)}`);
  }
  clearCmsCaches();
  clearSignatureCache();
}
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
  cm: many,
};

/** Row cm alone, `n` messages: collections, old-space growth and repeat signers' path-cache hits per 1,000 messages. */
async function gcReport(n: number): Promise<void> {
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  for (let i = 0; i < 2000; i++) many(); // warm-up (JIT, repeat signers cached)
  await tick();
  const counts = { minor: 0, major: 0, ms: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === 1) counts.minor++; // NODE_PERFORMANCE_GC_MINOR (scavenge)
      else if (kind === 4) counts.major++; // NODE_PERFORMANCE_GC_MAJOR (mark-sweep-compact)
      counts.ms += e.duration;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const oldUsed = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
  const old0 = oldUsed();
  const hits0 = pathCacheStats().hits;
  const rep0 = repeatSeen;
  const c0 = process.cpuUsage();
  let oldGrowth = 0;
  let prev = old0;
  for (let done = 0; done < n; done += 1000) {
    for (let i = 0; i < 1000; i++) many();
    // growth of old space between samples, counting only increases (a major GC's drop is not growth)
    const now = oldUsed();
    if (now > prev) oldGrowth += now - prev;
    prev = now;
    await tick();
  }
  const c = process.cpuUsage(c0);
  await tick();
  obs.disconnect();
  const k = n / 1000;
  console.log(
    `cm gc: ${n} messages, ${((c.user + c.system) / n).toFixed(1)} µs CPU/message;`,
    `per 1,000: ${(counts.minor / k).toFixed(1)} young GCs, ${(counts.major / k).toFixed(2)} old GCs, ${(counts.ms / k).toFixed(1)} ms in GC,`,
    `old space +${(oldGrowth / k / 1024).toFixed(0)} KB;`,
    `repeat signers' path-cache hits ${pathCacheStats().hits - hits0}/${repeatSeen - rep0}, path cache size ${pathCacheStats().size}${oneOffWrapped ? ' (one-off pool wrapped: some signers seen twice)' : ''}`,
  );
}

const only = only0;
const ms = Number(process.argv[3] ?? 400);
if (only === 'gc') {
  void gcReport(Number(process.argv[3] ?? 12_000));
} else if (only) {
  console.log(only, cpuUsPerOp(rows[only]!, ms, 200).toFixed(2), 'µs CPU/op');
} else {
  const us: Record<string, number[]> = {};
  for (let round = 0; round < 5; round++) for (const [k, fn] of Object.entries(rows)) (us[k] ??= []).push(cpuUsPerOp(fn, ms, 100));
  const median = (x: number[]): number => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
  for (const k of Object.keys(rows)) {
    const ratios = us[k]!.map((v, i) => us.a![i]! / v);
    console.log(k.padEnd(3), `${median(us[k]!).toFixed(1)} µs CPU`, `median ratio ${median(ratios).toFixed(2)}`, ratios.map((r) => r.toFixed(2)).join(' '));
  }
  if (oneOffWrapped) console.log('cm: one-off pool wrapped (some one-off signers seen twice)');
}
