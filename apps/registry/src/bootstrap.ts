import type { INestMicroservice } from '@nestjs/common';
import { createLogger, createMicroservice, type AppConfig } from '@jointcert/common';
import { registryModule, type RegistryOptions } from './registry.module';

/** Create (not yet listen) the registry microservice for a configuration. */
export async function createRegistry(config: AppConfig, options: RegistryOptions = {}): Promise<INestMicroservice> {
  const logger = options.logger ?? createLogger(config, { name: 'registry' });
  return createMicroservice(registryModule(config, { ...options, logger }), config, { logger });
}
