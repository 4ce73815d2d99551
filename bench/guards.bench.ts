/**
 * The gateway's rate-limit + bearer guards on a rate-limited authenticated
 * route (POST /v1/signatures/verify), on the real Redis through a connection
 * set up as the gateway's (auto-pipelining): RateLimitGuard then BearerGuard
 * (two round trips) against RateLimitedBearerGuard (one), 32 requests in
 * flight, interleaved, best of 5. Prints CPU µs per request (this process)
 * and socket writes to Redis per request (load-independent).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { createLogger, issueAccessToken, loadConfig, openRedisConnection, SessionRevocations } from '@jointcert/common';
import { Authenticator } from '../apps/gateway/src/auth/authenticator';
import { BearerGuard, RateLimitedBearerGuard } from '../apps/gateway/src/auth/bearer.guard';
import { ClientRateLimiter } from '../apps/gateway/src/rate-limit/client-rate-limiter';
import { RateLimitGuard } from '../apps/gateway/src/rate-limit/rate-limit.guard';
import { fmt } from './util';

const IN_FLIGHT = 32;
const ROUNDS = 200;

export async function run(): Promise<void> {
  const prefix = `jc-bench-guards-${process.pid}-${randomBytes(3).toString('hex')}:`;
  const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: prefix, RATE_LIMIT_PER_IP: '100000000' });
  const logger = createLogger(config, { name: 'bench' });
  const redis = await openRedisConnection(config, { name: 'bench-guards', logger, autoPipelining: true });
  const revocations = new SessionRevocations(redis, config);
  await revocations.markLoaded();
  const limiter = new ClientRateLimiter(redis, config, logger);
  const authenticator = new Authenticator(config, revocations, logger);
  const token = issueAccessToken(config, { accountId: randomUUID(), sessionId: randomUUID() }, Date.now());
  const context = (): ExecutionContext => {
    const req = { ip: '192.0.2.7', headers: { authorization: `Bearer ${token}` } };
    return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  };
  const sequential = { rate: new RateLimitGuard(limiter), bearer: new BearerGuard(authenticator) };
  const combined = new RateLimitedBearerGuard(limiter, authenticator);
  const variants: Record<string, (c: ExecutionContext) => Promise<unknown>> = {
    'RateLimitGuard, BearerGuard (sequential)': async (c) => (await sequential.rate.canActivate(c)) && sequential.bearer.canActivate(c),
    'RateLimitedBearerGuard (one round trip)': (c) => combined.canActivate(c),
  };
  let writes = 0;
  const socket = (redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
  const write = socket.write.bind(socket);
  socket.write = (...a: unknown[]): boolean => (writes++, write(...a));

  const best: Record<string, { cpu: number; writes: number }> = {};
  try {
    for (let round = 0; round < 5; round++) {
      for (const [name, guard] of Object.entries(variants)) {
        const w0 = writes;
        const t0 = process.cpuUsage();
        for (let i = 0; i < ROUNDS; i++) await Promise.all(Array.from({ length: IN_FLIGHT }, () => guard(context())));
        const t = process.cpuUsage(t0);
        const n = ROUNDS * IN_FLIGHT;
        const r = { cpu: (t.user + t.system) / n, writes: (writes - w0) / n };
        if (!best[name] || r.cpu < best[name].cpu) best[name] = r;
      }
    }
    for (const [name, r] of Object.entries(best)) console.log(`${name.padEnd(44)} ${fmt(r.cpu).padStart(6)} µs CPU/request  ${r.writes.toFixed(3)} Redis writes/request`);
  } finally {
    await redis.del(`${prefix}session-revocations:loaded`, `${prefix}rate:ip:192.0.2.7`);
    await redis.quit();
  }
}
