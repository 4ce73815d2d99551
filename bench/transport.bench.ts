/**
 * The service transport under load, through the gateway: POST
 * /v1/signatures/verify (a repeat signer, revocation cached: gateway →
 * transport → verifier → transport → gateway) with
 *   - Nest's built-in Redis pub/sub transport (TRANSPORT=redis), one verifier
 *     (it cannot run two: every replica would handle every request);
 *   - the Redis Streams transport (TRANSPORT=streams), one verifier;
 *   - the Redis Streams transport, two verifier processes (one consumer group).
 * All in one run, each system in child processes as under `npm start`, on the
 * machine's Redis and Postgres. Figures: req/s, latency, CPU µs per request
 * by process (all verifier processes summed). The machine is shared (2 cores,
 * other work running): read the ratios between rows, not the absolute values.
 * Run: `npm run bench transport`, or from source
 * `node -r ./scripts/ts-register.js bench/transport.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import type { SessionTokens } from '@jointcert/contracts';
import { signWithNode, startSystem } from '../test/support/system';
import { cannon, cpuUs, type Figures } from './system.bench';
import { fmt } from './util';

const DURATION_S = 4;

interface Row extends Figures {
  transport: string;
  verifiers: number;
}

async function measure(transport: 'redis' | 'streams', verifiers: number): Promise<Row> {
  const sys = await startSystem({ name: `bench-${transport}-${verifiers}`, mode: 'processes', env: { TRANSPORT: transport } });
  try {
    const extra = [];
    for (let i = 1; i < verifiers; i++) extra.push(await sys.addProcess('verifier'));
    const holder = await sys.issue({ name: '홍길동', idn: '8001011234567' });
    const c = await sys.challenge();
    const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
    if (up.status !== 201) throw new Error(`sign-up answered ${up.status}: ${JSON.stringify(up.body)}`);
    const doc = JSON.stringify({ signedData: signWithNode(holder, Buffer.from(`청약 신청서 ${randomBytes(8).toString('hex')}`)) });
    const opts = { url: `${sys.url}/v1/signatures/verify`, method: 'POST' as const, headers: { 'content-type': 'application/json', authorization: `Bearer ${up.body.session.accessToken}` }, body: doc };
    const first = await sys.api('POST', '/v1/signatures/verify', { token: up.body.session.accessToken, payload: doc });
    if (first.status !== 200) throw new Error(`verify answered ${first.status}`);
    await cannon('warm-up', { ...opts, duration: 1 });
    const pids = sys.pids();
    const verifierPids = [pids.verifier, ...extra.map((p) => p.pid!)];
    const before = { gateway: cpuUs(pids.gateway), registry: cpuUs(pids.registry), verifier: verifierPids.reduce((s, p) => s + cpuUs(p), 0) };
    const f = await cannon(`${transport} × ${verifiers} verifier`, { ...opts, duration: DURATION_S });
    const after = { gateway: cpuUs(pids.gateway), registry: cpuUs(pids.registry), verifier: verifierPids.reduce((s, p) => s + cpuUs(p), 0) };
    f.cpu = { gateway: (after.gateway - before.gateway) / f.requests, verifier: (after.verifier - before.verifier) / f.requests };
    return { ...f, transport, verifiers };
  } finally {
    await sys.close();
  }
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const [transport, verifiers] of [['redis', 1], ['streams', 1], ['streams', 2]] as const) rows.push(await measure(transport, verifiers));
  const base = rows[0]!;
  console.log(`POST /v1/signatures/verify through the gateway, autocannon 32 connections, ${DURATION_S} s each; shared 2-core machine`);
  console.log(
    'Projection: the Streams transport costs about as much CPU per request as pub/sub, and unlike pub/sub lets verifier replicas share the work. ' +
      'Here 2 cores are shared by gateway, registry, verifier(s), Redis, Postgres and autocannon, so a second verifier adds little; ' +
      'with more cores, verify throughput grows with verifier replicas until the gateway (one process) or Redis saturates: ' +
      'about (cores for verifiers) × 10^6 / (verifier CPU µs per request) req/s, gateway replicas behind a balancer lifting the next limit.',
  );
  for (const r of rows) {
    console.log(
      `${`${r.transport} transport, ${r.verifiers} verifier process${r.verifiers > 1 ? 'es' : ''}`.padEnd(44)} ${fmt(r.rps).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms${r.bad ? `  (${r.bad} errors/non-2xx!)` : ''}  ${(r.rps / base.rps).toFixed(2)}× pub/sub` +
        `  CPU µs/request: gateway ${fmt(r.cpu!.gateway!)}, verifier(s) ${fmt(r.cpu!.verifier!)}`,
    );
  }
}

if (require.main === module) {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
