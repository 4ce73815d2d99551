import { loadConfig, runMicroservice } from '@jointcert/common';
import { RegistryModule } from './registry.module';

// SIGTERM: stop reading messages, finish in-flight ones within SHUTDOWN_GRACE_MS, close Redis/Postgres, exit 0.
runMicroservice({
  name: 'registry',
  module: RegistryModule,
  // VERIFIER_MODE=in-process runs the verifier's use case here: it reads the verifier's settings too
  config: () => loadConfig(process.env, process.env.VERIFIER_MODE === 'in-process' ? ['registry', 'verifier'] : 'registry'),
});
