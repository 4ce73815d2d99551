import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { createMicroservice, loadConfig, redisTransport } from '@jointcert/common';
import { Patterns, type PingResult } from '@jointcert/contracts';
import { createGateway } from '../apps/gateway/src/bootstrap';
import { VerifierModule } from '../apps/verifier/src/verifier.module';

// Proves the toolchain: Nest 11 decorators + DI compiled by swc, Fastify, and
// the Redis transport round trip against the machine's real Redis.
describe('boot', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', GATEWAY_PORT: '0' });

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
      client = ClientProxyFactory.create(redisTransport(config));
      await client.connect();
    });
    afterAll(async () => {
      await client.close();
      await service.close();
    });

    it('answers a typed ping', async () => {
      const res = await firstValueFrom(client.send<PingResult>(Patterns.verifierPing.cmd, {}));
      expect(res.service).toBe('verifier');
      expect(Number.isNaN(Date.parse(res.at))).toBe(false);
    });
  });
});
