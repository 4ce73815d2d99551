import { loadConfig } from '@jointcert/common';
import { createGateway } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'gateway');
  const app = await createGateway(config);
  await app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
