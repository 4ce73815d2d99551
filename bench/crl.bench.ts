/**
 * CRL engine: a 1,000,000-entry CRL (RSA-2048 / SHA-256, 16-octet serials,
 * reasonCode on 10/11 of the entries) parsed, signature-verified and indexed
 * in a child process (so its peak RSS is ours alone), beside
 * `openssl crl -inform DER -noout` on the same file in the same run, and
 * lookups beside a Map<hex, index> baseline. pkijs on a 16k-entry CRL for scale.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../libs/pki/src/cert/parse';
import { DEFAULT_ALGORITHM_POLICY } from '../libs/pki/src/crypto/signature';
import { encodePem } from '../libs/pki/src/der';
import { parseCrl } from '../libs/pki/src/revocation/crl/parse';
import { verifyCrlSignature } from '../libs/pki/src/revocation/crl/verify';
import { issue } from '../libs/pki/src/issuing/certificate';
import { buildCrl, encodeRevokedEntries } from '../libs/pki/src/issuing/crl';
import { generateRsaKey } from '../libs/pki/src/issuing/keys';
import { fmt, measure, report } from './util';

const T0 = Date.UTC(2026, 0, 15, 3);
const SERIAL = 16;

interface ChildResult {
  parseMs: number;
  verifyMs: number;
  totalMs: number;
  entries: number;
  ok: boolean;
  baseRssMiB: number;
  peakRssMiB: number;
}

function makeCrl(n: number, issuerKey: ReturnType<typeof generateRsaKey>['privateKey'], serials: Buffer): Buffer {
  const content = encodeRevokedEntries(
    n,
    SERIAL,
    (i, out) => out.set(serials.subarray(i * SERIAL, (i + 1) * SERIAL)),
    (i) => T0 - (i % 86_400) * 1000,
    (i) => (i % 11 === 7 ? -1 : i % 11),
  );
  return buildCrl({ issuer: 'C=KR,O=yessign,OU=AccreditedCA,CN=Bench CA', issuerKey, thisUpdate: T0, crlNumber: 1, revokedContent: content });
}

/** Child mode: parse + verify + index one CRL file, print JSON. */
function child(crlPath: string, certPath: string): void {
  const base = process.memoryUsage().rss;
  const cert = parseCertificate(readFileSync(certPath));
  const t0 = performance.now();
  const der = readFileSync(crlPath);
  const crl = parseCrl(der, { maxBytes: 256 * 1024 * 1024 });
  const t1 = performance.now();
  const v = verifyCrlSignature(crl, cert, DEFAULT_ALGORITHM_POLICY);
  const t2 = performance.now();
  const r: ChildResult = {
    parseMs: t1 - t0,
    verifyMs: t2 - t1,
    totalMs: t2 - t0,
    entries: crl.size,
    ok: v.ok,
    baseRssMiB: base / 2 ** 20,
    peakRssMiB: peakRssMiB(),
  };
  process.stdout.write(JSON.stringify(r));
}

/**
 * This process's peak RSS. VmHWM belongs to the current address space; Linux
 * carries ru_maxrss across exec, so resourceUsage().maxRSS of a child spawned
 * by a big parent reports the parent's size.
 */
function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

function timeV(cmd: string, args: string[]): { ms: number; peakMiB?: number; ok: boolean } {
  const t0 = performance.now();
  if (existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = performance.now() - t0;
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    return { ms, ok: r.status === 0, ...(m ? { peakMiB: Number(m[1]) / 1024 } : {}) };
  }
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ms: performance.now() - t0, ok: r.status === 0 };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crl-bench-'));
  try {
    const key = generateRsaKey(2048);
    const ca = issue({ subject: 'C=KR,O=yessign,OU=AccreditedCA,CN=Bench CA', keys: key, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
    const n = 1_000_000;
    const serials = randomBytes(n * SERIAL);
    const g0 = performance.now();
    const der = makeCrl(n, key.privateKey, serials);
    const genMs = performance.now() - g0;
    const crlPath = join(dir, 'big.crl');
    const certPath = join(dir, 'ca.der');
    const caPem = join(dir, 'ca.pem');
    writeFileSync(crlPath, der);
    writeFileSync(certPath, ca.der);
    writeFileSync(caPem, encodePem('CERTIFICATE', ca.der));
    console.log(`generated a ${fmt(n)}-entry CRL (${fmt(der.length / 2 ** 20, 1)} MiB) in ${fmt(genMs)} ms`);

    // ours, in a child process (best of 3)
    let best: ChildResult | undefined;
    for (let i = 0; i < 3; i++) {
      const out = execFileSync(process.execPath, [__filename, '--child', crlPath, certPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const r = JSON.parse(out) as ChildResult;
      if (!best || r.totalMs < best.totalMs) best = r;
    }
    const b = best!;
    console.log(
      `jointcert parse+index ${fmt(b.parseMs)} ms + verify ${fmt(b.verifyMs)} ms = ${fmt(b.totalMs)} ms; ${fmt(b.entries)} entries; signature ${b.ok ? 'ok' : 'BAD'}; peak RSS ${fmt(b.peakRssMiB)} MiB (node at start ${fmt(b.baseRssMiB)} MiB)`,
    );
    // openssl on the same file
    const o1 = timeV('openssl', ['crl', '-inform', 'DER', '-noout', '-in', crlPath]);
    const o2 = timeV('openssl', ['crl', '-inform', 'DER', '-noout', '-in', crlPath, '-CAfile', caPem]);
    const peak = (p?: number): string => (p === undefined ? 'n/a' : `${fmt(p)} MiB`);
    console.log(`openssl crl -noout (parse)           ${fmt(o1.ms)} ms, peak RSS ${peak(o1.peakMiB)}  → ours ${(o1.ms / b.totalMs).toFixed(2)}× as fast`);
    console.log(`openssl crl -noout -CAfile (verify)  ${fmt(o2.ms)} ms, peak RSS ${peak(o2.peakMiB)}${o2.ok ? '' : ' (failed)'}  → ours ${(o2.ms / b.totalMs).toFixed(2)}× as fast`);
    console.log(`targets: < 1500 ms ${b.totalMs < 1500 ? 'met' : 'MISSED'}, < 250 MiB ${b.peakRssMiB < 250 ? 'met' : 'MISSED'}`);

    // lookups (in this process)
    const crl = parseCrl(der, { maxBytes: 256 * 1024 * 1024 });
    const hits: Buffer[] = [];
    const misses: Buffer[] = [];
    for (let i = 0; i < 4096; i++) {
      const s = Buffer.from(serials.subarray(((i * 7919) % n) * SERIAL, ((i * 7919) % n) * SERIAL + SERIAL));
      s[0] = (s[0]! & 0x7f) | 1;
      hits.push(s);
      const m = randomBytes(SERIAL);
      m[0] = (m[0]! & 0x7f) | 1;
      misses.push(m);
    }
    const map = new Map<string, number>();
    for (let i = 0; i < crl.size; i++) map.set(crl.entry(i).serialHex, i);
    let k = 0;
    const baseline = measure(() => map.get(hits[k++ & 4095]!.toString('hex')));
    report('Map<hex,index>.get (baseline, hit)', baseline);
    report('crl.lookup hit', measure(() => crl.lookup(hits[k++ & 4095]!)), baseline);
    report('crl.lookup miss', measure(() => crl.lookup(misses[k++ & 4095]!)), baseline);

    // pkijs for scale, on smaller CRLs (pkijs 3.4.3 refuses some larger valid ones: reported as such)
    const pkijs = await import('pkijs');
    for (const small of [1024, 4096, 16_384]) {
      const smallDer = makeCrl(small, key.privateKey, serials);
      const ab = smallDer.buffer.slice(smallDer.byteOffset, smallDer.byteOffset + smallDer.byteLength);
      const p0 = performance.now();
      let pk: string;
      try {
        const parsed = pkijs.CertificateRevocationList.fromBER(ab);
        pk = `${fmt(performance.now() - p0, 1)} ms (${fmt(parsed.revokedCertificates?.length ?? 0)} entries)`;
      } catch (e) {
        pk = `fails after ${fmt(performance.now() - p0, 1)} ms: ${(e as Error).message}`;
      }
      const o0 = performance.now();
      parseCrl(smallDer);
      console.log(`${fmt(small).padStart(7)} entries: ours ${fmt(performance.now() - o0, 1)} ms; pkijs CertificateRevocationList.fromBER ${pk}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === '--child') child(process.argv[3]!, process.argv[4]!);
