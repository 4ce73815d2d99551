import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Api } from '@jointcert/contracts';
import { DomainError, ServiceClient, CONFIG, type AppConfig } from '@jointcert/common';
import { GATEWAY_REDIS, PROBE_CLIENT, probeTimeoutMs } from '../core/gateway-core.module';

export type CheckStatus = 'up' | 'down';

export interface ReadyReport {
  status: 'ready';
  checks: { redis: CheckStatus; registry: CheckStatus; verifier: CheckStatus };
}

/**
 * Readiness: Redis answers PING, and the registry and the verifier answer
 * their ping within a short bound (the registry's ping covers its Postgres).
 * All probed at once; not ready → 503 SERVICE_UNAVAILABLE naming what failed.
 */
@Injectable()
export class Readiness {
  constructor(
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
    @Inject(PROBE_CLIENT) private readonly probe: ServiceClient,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  async check(): Promise<ReadyReport> {
    const [redis, registry, verifier] = await Promise.all([
      up(withTimeout(this.redis.ping(), probeTimeoutMs(this.config))),
      up(this.probe.send(Api.registry.ping, {})),
      up(this.probe.send(Api.verifier.ping, {})),
    ]);
    const checks = { redis, registry, verifier };
    const down = Object.entries(checks).filter(([, s]) => s === 'down').map(([name]) => name);
    if (down.length > 0) throw new DomainError('SERVICE_UNAVAILABLE', `not ready: ${down.join(', ')} not answering`, { checks });
    return { status: 'ready', checks };
  }
}

async function up(probe: Promise<unknown>): Promise<CheckStatus> {
  try {
    await probe;
    return 'up';
  } catch {
    return 'down';
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
