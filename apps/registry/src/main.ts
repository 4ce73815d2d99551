import { loadConfig } from '@jointcert/common';
import { createRegistry } from './bootstrap';

async function main(): Promise<void> {
  const app = await createRegistry(loadConfig(process.env, 'registry'));
  await app.listen();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
