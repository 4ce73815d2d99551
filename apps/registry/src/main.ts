import { loadConfig } from '@jointcert/common';
import { createRegistry } from './bootstrap';

async function main(): Promise<void> {
  const app = await createRegistry(
    // VERIFIER_MODE=in-process runs the verifier's use case here: it reads the verifier's settings too
    loadConfig(process.env, process.env.VERIFIER_MODE === 'in-process' ? ['registry', 'verifier'] : 'registry'),
  );
  await app.listen();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
