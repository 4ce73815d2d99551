/**
 * The gateway's HTTP overhead, measured with autocannon in one run beside a
 * bare Fastify hello-world on the same machine:
 *  - bare Fastify `GET /`                        (the floor)
 *  - gateway `GET /health/live`                  (Nest + helmet + request id + access log + metrics)
 *  - gateway `GET /v1/accounts/me` with a bearer (+ JWT verify, one Redis EXISTS, one Redis
 *    round trip to an in-process stand-in registry)
 * autocannon runs in a child process; server, stand-in and load generator
 * still share the machine's cores, so read the ratios.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { Controller, Module } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { createLogger, createMicroservice, issueAccessToken, loadConfig } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { createGateway } from '../apps/gateway/src/bootstrap';
import { accountExample } from '../apps/gateway/src/openapi/examples';
import { fmt } from './util';

const DURATION_S = 5;
const CONNECTIONS = 32;

@Controller()
class RegistryStandIn {
  @MessagePattern(Api.registry.getAccount.cmd)
  getAccount(): typeof accountExample {
    return accountExample;
  }
}

@Module({ controllers: [RegistryStandIn] })
export class StandInModule {}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** autocannon in a child process (its CLI), so the load generator does not share the server's event loop. */
async function autocannon(url: string, seconds: number, headers: Record<string, string>): Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number }> {
  const args = [require.resolve('autocannon/autocannon.js'), '-c', String(CONNECTIONS), '-d', String(seconds), '-j'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as never;
}

async function load(name: string, url: string, headers: Record<string, string> = {}): Promise<Figures> {
  await autocannon(url, 1, headers); // warm-up
  const r = await autocannon(url, DURATION_S, headers);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

function print(f: Figures, floor: Figures): void {
  const ratio = f === floor ? '' : `  ${(f.rps / floor.rps).toFixed(2)}× hello-world rate, +${fmt((1 / f.rps - 1 / floor.rps) * 1e6, 1)} µs of server time per request`;
  console.log(
    `${f.name.padEnd(40)} ${fmt(f.rps).padStart(8)} req/s  p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(3)} ms${f.errors ? `  (${f.errors} errors!)` : ''}${ratio}`,
  );
}

export async function run(): Promise<void> {
  const prefix = `jc-bench-gw-${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({ LOG_LEVEL: 'info', REDIS_PREFIX: prefix, GATEWAY_PORT: '0', RATE_LIMIT_PER_IP: '1000000' });

  const bare = Fastify();
  bare.get('/', () => ({ hello: 'world' }));
  await bare.listen({ port: 0, host: '127.0.0.1' });

  const service = await createMicroservice(StandInModule, { ...config, LOG_LEVEL: 'silent' });
  await service.listen();
  // Access log lines written (as in production) but into a sink, not the terminal.
  const gateway = await createGateway(config, { logger: createLogger(config, { destination: { write: () => undefined } }) });
  await gateway.listen(0, '127.0.0.1');
  const gwUrl = `http://127.0.0.1:${(gateway.getHttpServer().address() as AddressInfo).port}`;
  const token = issueAccessToken(config, { accountId: randomUUID(), sessionId: randomUUID() }, Date.now());

  try {
    const floor = await load('bare Fastify GET / (hello world)', `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/`);
    const live = await load('gateway GET /health/live', `${gwUrl}/health/live`);
    const me = await load('gateway GET /v1/accounts/me (bearer, stand-in)', `${gwUrl}/v1/accounts/me`, { authorization: `Bearer ${token}` });
    console.log(`autocannon (child process): ${CONNECTIONS} connections, ${DURATION_S} s each; servers in this process`);
    for (const f of [floor, live, me]) print(f, floor);
  } finally {
    await gateway.close();
    await service.close();
    await bare.close();
    const redis = new Redis(config.REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}
