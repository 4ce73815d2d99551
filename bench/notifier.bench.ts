/**
 * The notifier at scale (a benchmark, not a test; the machine is shared):
 *   1. seed 1,000,000 registered certificates with COPY (psql \copy; 100,000
 *      accounts; expiries spread over a year; 5 CAs with one CRL each);
 *   2. the expiry scan: time to find the due ones and enqueue their jobs
 *      (goal < 30 s);
 *   3. the revocation re-check of the 1,000,000 under 5 CRLs (one fetch each,
 *      50,000 entries each, 1 % of the registered certificates listed);
 *   4. send rate through the notifier (claim, render, pooled SMTP, mark sent)
 *      to a local SMTP sink, beside a bare nodemailer loop (same pool size) to
 *      the same sink in the same run (goal ≥ 0.7×).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '../libs/common/src';
import { parseCertificate } from '../libs/pki/src';
import { buildCrl, encodeRevokedEntries, generateRsaKey, issue } from '../libs/pki/src/issuing';
import { createDataSource, runMigrations } from '../libs/registry-db/src';
import { createTestDatabase } from '../libs/registry-db/test-support/database';
import { Notifier } from '../apps/notifier/src/notifier';
import { IssuerDirectory } from '../apps/notifier/src/revocation/issuers';
import { SmtpSink } from '../test/support/smtp-sink';
import { fmt } from './util';

const N = Number(process.env.BENCH_NOTIFIER_CERTS ?? 1_000_000);
const ACCOUNTS = Math.max(1, Math.floor(N / 10));
const CAS = 5;
const CRL_ENTRIES = 50_000;
const SENDS = Number(process.env.BENCH_NOTIFIER_SENDS ?? 2000);
const DAY = 86_400_000;

function uuid(prefix: number, i: number): string {
  const h = (prefix.toString(16).padStart(4, '0') + i.toString(16).padStart(12, '0')).padStart(16, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8000-${randomTail(i)}`;
}
function randomTail(i: number): string {
  return i.toString(16).padStart(12, '0');
}
/** Serial of certificate i (8 octets; the first as encodeRevokedEntries forces it). */
function serialOf(g: number, i: number, out: Uint8Array): void {
  out[0] = 0x41;
  out[1] = g;
  for (let k = 7, v = i; k >= 2; k--, v = Math.floor(v / 256)) out[k] = v & 0xff;
}

function csv(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** `write` resolves at once, or when the pipe has drained (its backpressure: without it the buffer grows until ENOBUFS). */
async function copy(url: string, table: string, columns: string, rows: (write: (line: string) => Promise<void> | undefined) => Promise<void>): Promise<void> {
  const u = new URL(url);
  const psql = spawn('psql', ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres', '-d', u.pathname.slice(1), '-q', '-c', `\\copy ${table} (${columns}) FROM STDIN WITH (FORMAT csv)`], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const done = new Promise<void>((resolve, reject) => psql.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`)))));
  await rows((line) => (psql.stdin.write(line) ? undefined : once(psql.stdin, 'drain').then(() => undefined)));
  psql.stdin.end();
  await done;
}

export async function run(): Promise<void> {
  console.log(`(shared 2-core machine; ${fmt(N)} certificates, ${fmt(ACCOUNTS)} accounts)`);
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize: 8 });
  await ds.initialize();
  await runMigrations(ds);
  const redis = new Redis('redis://127.0.0.1:6379/0');
  redis.on('error', (err: Error) => console.error(`redis: ${err.message}`));
  const prefix = `jc-bench-notifier-${process.pid}-${randomBytes(3).toString('hex')}:`;
  const smtp = new SmtpSink();
  smtp.record = false;
  await smtp.start();
  const now = Date.now();

  // CAs, one CRL each, served over HTTP
  const crls: Buffer[] = [];
  const server = createServer((req, res) => {
    const g = Number(/^\/ca(\d)\.crl$/.exec(req.url ?? '')?.[1] ?? -1);
    if (crls[g]) res.writeHead(200).end(crls[g]);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cas: Array<{ ca: ReturnType<typeof issue>; url: string; leafDer: Buffer; issuerKey: string; issuerDn: string }> = [];
  for (let g = 0; g < CAS; g++) {
    const keys = generateRsaKey(2048);
    const ca = issue({ keys, subject: `C=KR,O=Bench,OU=AccreditedCA,CN=Bench CA ${g}`, notBefore: now - 400 * DAY, notAfter: now + 3650 * DAY, extensions: { basicConstraints: { critical: true, ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
    const url = `${base}/ca${g}.crl`;
    const leaf = issue({ keys: generateRsaKey(2048), issuer: ca, subject: `C=KR,O=Bench,CN=user${g}`, notBefore: now - 10 * DAY, notAfter: now + 355 * DAY, extensions: { crlDistributionPoints: [url], certificatePolicies: ['1.2.410.200005.1.1.1'] } });
    const perCa = Math.ceil(N / CAS);
    const listed = Math.ceil(perCa / 100);
    const content = encodeRevokedEntries(
      CRL_ENTRIES,
      8,
      (i, out) => (i < listed ? serialOf(g, i * 100, out) : serialOf(200 + g, i, out)),
      (i) => now - 3600_000 - i * 1000,
      (i) => i % 6,
    );
    crls[g] = buildCrl({ issuer: parseCertificate(ca.der).subject.der, issuerKey: keys.privateKey, thisUpdate: now - 60_000, nextUpdate: now + DAY, crlNumber: 1, revokedContent: content });
    cas.push({ ca, url, leafDer: leaf.der, issuerKey: parseCertificate(ca.der).subject.key, issuerDn: parseCertificate(ca.der).subject.text });
  }

  // 1. seed with COPY
  let t = performance.now();
  await copy(db.url, 'accounts', 'id, email, locale', async (write) => {
    for (let a = 0; a < ACCOUNTS; a++) await write(`${uuid(1, a)},user${a}@bench.example,${a % 5 === 0 ? 'en' : 'ko'}\n`);
  });
  const serial = new Uint8Array(8);
  await copy(db.url, 'certificates', 'id, account_id, der, fingerprint_sha256, issuer_dn, issuer_key, serial_hex, subject_dn, policy_oid, ca, not_before, not_after, crl_url', async (write) => {
    const perCa = Math.ceil(N / CAS);
    const ders = cas.map((c) => `\\x${c.leafDer.toString('hex')}`);
    for (let i = 0; i < N; i++) {
      const g = Math.floor(i / perCa);
      const k = i % perCa;
      serialOf(g, k, serial);
      const c = cas[g]!;
      const notAfter = new Date(now + ((i * 7919) % (365 * 24)) * 3600_000 + 60_000).toISOString();
      const line = `${uuid(2, i)},${uuid(1, i % ACCOUNTS)},${ders[g]},${i.toString(16).padStart(64, '0')},${csv(c.issuerDn)},${csv(c.issuerKey)},${Buffer.from(serial).toString('hex')},CN=user${i},1.2.410.200005.1.1.1,yessign,${new Date(now - 10 * DAY).toISOString()},${notAfter},${c.url}\n`;
      await write(line);
    }
  });
  await ds.query('ANALYZE');
  console.log(`seed (COPY, ${fmt(N)} certificates + ${fmt(ACCOUNTS)} accounts, then ANALYZE)`.padEnd(70), `${((performance.now() - t) / 1000).toFixed(1)} s`);

  const config: AppConfig = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: db.url, REDIS_PREFIX: prefix, SMTP_URL: smtp.url, FETCH_ALLOW_PRIVATE: 'true', NOTIFIER_CONCURRENCY: '5' });
  const notifier = await Notifier.open(config, { dataSource: ds, clock: { now: () => now }, issuers: new IssuerDirectory(cas.map((c) => parseCertificate(c.ca.der))), pageSize: 10_000 });
  try {
    // 2. expiry scan (no worker: find + claim + enqueue only)
    const scan = await notifier.scan();
    const counts = await notifier.queues.send.getJobCounts('waiting');
    console.log(`expiry scan: ${fmt(scan.due)} due found, ${fmt(scan.enqueued)} jobs enqueued (${fmt(counts.waiting ?? 0)} waiting)`.padEnd(70), `${scan.seconds.toFixed(1)} s  (goal < 30 s)`);
    t = performance.now();
    const again = await notifier.scan();
    console.log(`second scan (no new rows; unsent ones re-offered, deduplicated by job id)`.padEnd(70), `${again.seconds.toFixed(1)} s  (${fmt(again.due)} due, ${fmt(again.enqueued)} re-offered)`);
    await notifier.queues.send.obliterate({ force: true });

    // 3. revocation re-check
    const fetchesBefore = 0;
    const re = await notifier.recheck();
    console.log(`re-check: ${fmt(re.certificates)} certificates, ${re.groups} CRLs, ${re.crlFetches - fetchesBefore} fetches, ${fmt(re.revoked)} revoked`.padEnd(70), `${re.seconds.toFixed(1)} s`);
    await notifier.queues.send.obliterate({ force: true });

    // 4. send rate: notifier pipeline vs bare nodemailer loop, same sink, same pool size
    const acc = await ds.query<Array<{ id: string }>>(`INSERT INTO accounts (email, locale) VALUES ('rate@bench.example', 'ko') RETURNING id`);
    await ds.query(
      `INSERT INTO certificates (account_id, der, fingerprint_sha256, issuer_dn, issuer_key, serial_hex, subject_dn, policy_oid, not_before, not_after, status)
       SELECT $1, '\\x3000', md5(g::text) || md5((g + 1)::text), 'CN=Rate CA', 'cn=rate ca', to_hex(g), 'CN=홍길동()00112342004010' || g, '1.2.410.200005.1.1.1', $2, $3, 'active'
         FROM generate_series(1, $4) g`,
      [acc[0]!.id, new Date(now - DAY), new Date(now + 3 * DAY), SENDS],
    );
    const ids = await ds.query<Array<{ id: string }>>(`SELECT id FROM certificates WHERE account_id = $1`, [acc[0]!.id]);
    const queued = await notifier.repo.claimReminders(ids.map((r) => ({ certificateId: r.id, thresholdDays: 7 })));
    await notifier.queues.enqueue(queued);
    const sample = notifier.sender.compose((await notifier.repo.target(queued[0]!.notificationId))!, now);

    const sinkBefore = smtp.count;
    t = performance.now();
    await notifier.start({ schedule: false, metrics: false });
    await smtp.waitFor(sinkBefore + SENDS, 600_000);
    const pipelineS = (performance.now() - t) / 1000;

    const bare = createTransport({ url: smtp.url, pool: true as const, maxConnections: 5, maxMessages: 1000 });
    const bareBefore = smtp.count;
    t = performance.now();
    let next = 0;
    await Promise.all(
      // as many senders at once as the notifier's worker runs jobs (4 × pool)
      Array.from({ length: 4 * 5 }, async () => {
        while (next < SENDS) {
          const i = next++;
          await bare.sendMail({ from: config.MAIL_FROM, to: 'rate@bench.example', subject: sample.subject, text: sample.text, html: sample.html, headers: sample.headers, messageId: `<bare-${i}@bench>` });
        }
      }),
    );
    const bareS = (performance.now() - t) / 1000;
    bare.close();
    if (smtp.count - bareBefore !== SENDS) throw new Error('bare loop lost messages');
    const pr = SENDS / pipelineS;
    const br = SENDS / bareS;
    console.log(`send: notifier pipeline (claim, render, SMTP pool 5, mark sent)`.padEnd(70), `${fmt(pr)} /s`);
    console.log(`send: bare nodemailer loop (pool 5, 20 at once, same message) — baseline`.padEnd(70), `${fmt(br)} /s`);
    console.log(`send ratio`.padEnd(70), `${(pr / br).toFixed(2)}× baseline  (goal ≥ 0.7×)`);
  } finally {
    await notifier.queues.send.obliterate({ force: true }).catch(() => undefined);
    await notifier.queues.scans.obliterate({ force: true }).catch(() => undefined);
    await notifier.close();
    await smtp.stop();
    await new Promise<void>((r) => server.close(() => r()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await ds.destroy();
    await db.drop();
  }
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
