import { createLogger, createMicroservice, listenUntilSignalled, loadConfig } from '@jointcert/common';
import { verifierAppModule } from '@jointcert/verification';

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'verifier');
  const logger = createLogger(config, { name: 'verifier' });
  const app = await createMicroservice(verifierAppModule(config, { logger }), config, { logger });
  // SIGTERM: stop reading messages, finish in-flight ones within SHUTDOWN_GRACE_MS, close Redis, exit 0.
  await listenUntilSignalled(app, config, logger);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
