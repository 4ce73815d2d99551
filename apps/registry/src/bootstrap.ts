import type { INestMicroservice } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { createLogger, createMicroservice, type AppConfig } from '@jointcert/common';
import { registryModule, type RegistryOptions } from './registry.module';

/** Create (not yet listen) the registry microservice for a configuration. `strategy`: tests pass their own transport server (to count handlings). */
export async function createRegistry(config: AppConfig, options: RegistryOptions & { strategy?: CustomTransportStrategy } = {}): Promise<INestMicroservice> {
  const { strategy, ...rest } = options;
  const logger = rest.logger ?? createLogger(config, { name: 'registry' });
  return createMicroservice(registryModule(config, { ...rest, logger }), config, { logger, ...(strategy ? { strategy } : {}) });
}
