import type { ClientProxy } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { createMicroservice, loadConfig, transportClient } from '@jointcert/common';
import { Api, type PingResult } from '@jointcert/contracts';
import { createGateway } from '../apps/gateway/src/bootstrap';
import { VerifierModule } from '@jointcert/verification';
import { RegistryModule } from '../apps/registry/src/registry.module';

// Proves the toolchain: Nest 11 decorators + DI compiled by swc, Fastify, and
// the Redis transport round trip against the machine's real Redis.
describe('boot', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', GATEWAY_PORT: '0', REDIS_PREFIX: `jc-boot-${process.pid}:` });

  it('gateway answers /health/live', async () => {
    const app = await createGateway(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    await app.close();
  });

  describe('verifier over Redis', () => {
    let service: INestMicroservice;
    let client: ClientProxy;
    beforeAll(async () => {
      service = await createMicroservice(VerifierModule, config);
      await service.listen();
      client = transportClient(config);
      await client.connect();
    });
    afterAll(async () => {
      await client.close();
      await service.close();
    });

    it('answers a typed ping', async () => {
      const res = await firstValueFrom(client.send<PingResult>(Api.verifier.ping.cmd, {}));
      expect(res.service).toBe('verifier');
      expect(Number.isNaN(Date.parse(res.at))).toBe(false);
    });

    it('is isolated from deployments with another REDIS_PREFIX on the same Redis', async () => {
      // a registry under another prefix answers the same pattern name only to its own clients
      const other = loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: `jc-boot-other-${process.pid}:`, SERVICE_TIMEOUT_MS: '300' });
      const otherService = await createMicroservice(RegistryModule, other);
      await otherService.listen();
      const otherClient = transportClient(other);
      await otherClient.connect();
      try {
        const mine = await firstValueFrom(client.send<PingResult>(Api.registry.ping.cmd, {}).pipe(timeout(300)), { defaultValue: undefined }).catch((e: Error) => e);
        // our prefix has no registry: nobody answers
        expect(mine).toBeInstanceOf(TimeoutError);
        const theirs = await firstValueFrom(otherClient.send<PingResult>(Api.registry.ping.cmd, {}));
        expect(theirs.service).toBe('registry');
        // and their client does not reach our verifier
        const cross = await firstValueFrom(otherClient.send<PingResult>(Api.verifier.ping.cmd, {}).pipe(timeout(300))).catch((e: Error) => e);
        expect(cross).toBeInstanceOf(TimeoutError);
      } finally {
        await otherClient.close();
        await otherService.close();
      }
    });
  });
});
