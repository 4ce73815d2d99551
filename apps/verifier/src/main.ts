import { loadConfig, runMicroservice } from '@jointcert/common';
import { VerifierModule } from '@jointcert/verification';

// SIGTERM: stop reading messages, finish in-flight ones within SHUTDOWN_GRACE_MS, close Redis, exit 0.
runMicroservice({ name: 'verifier', module: VerifierModule, config: () => loadConfig(process.env, 'verifier') });
