import { createLogger, listenUntilSignalled, loadConfig } from '@jointcert/common';
import { createRegistry } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config, { name: 'registry' });
  const app = await createRegistry(config, { logger });
  // SIGTERM: stop reading messages, finish in-flight ones within SHUTDOWN_GRACE_MS, close Redis/Postgres, exit 0.
  await listenUntilSignalled(app, config, logger);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
