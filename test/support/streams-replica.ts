/**
 * A replica of the test service `faultsvc` in a process of its own, for the
 * Streams transport tests to SIGKILL mid-flight: it prints `got <requestId>`
 * when a message arrives and never answers (it "dies" with it).
 * Run: node -r scripts/ts-register.js test/support/streams-replica.ts (env: REDIS_URL, REDIS_PREFIX, STREAMS_*).
 */
import { Controller, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createMicroservice, loadConfig } from '@jointcert/common';
import type { Envelope } from '@jointcert/contracts';

@Controller()
class Stuck {
  @MessagePattern('faultsvc.work')
  work(@Payload() envelope: Envelope<unknown>): Promise<never> {
    process.stdout.write(`got ${envelope.meta.requestId}\n`);
    return new Promise<never>(() => undefined);
  }
}

@Module({ controllers: [Stuck] })
class StuckModule {}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createMicroservice(StuckModule, config);
  await app.listen();
  process.stdout.write('listening\n');
}

void main();
