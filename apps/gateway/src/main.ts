import { createLogger, exitGracefullyOn, loadConfig } from '@jointcert/common';
import { closeGateway, createGateway, drainGateway } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'gateway');
  const logger = createLogger(config, { name: 'gateway' });
  const app = await createGateway(config, { logger });
  // SIGTERM: answer new requests 503 problem+json, finish in-flight ones within SHUTDOWN_GRACE_MS, close, exit 0.
  exitGracefullyOn({ close: () => closeGateway(app) }, { graceMs: config.SHUTDOWN_GRACE_MS, logger, onSignal: () => drainGateway(app) });
  await app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
