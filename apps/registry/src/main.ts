import { createLogger, listenUntilSignalled, loadConfig } from '@jointcert/common';
import { createRegistry } from './bootstrap';

async function main(): Promise<void> {
  // VERIFIER_MODE=in-process runs the verifier's use case here: it reads the verifier's settings too
  const config = loadConfig(process.env, process.env.VERIFIER_MODE === 'in-process' ? ['registry', 'verifier'] : 'registry');
  const logger = createLogger(config, { name: 'registry' });
  const app = await createRegistry(config, { logger });
  // SIGTERM: stop reading messages, finish in-flight ones within SHUTDOWN_GRACE_MS, close Redis/Postgres, exit 0.
  await listenUntilSignalled(app, config, logger);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
