import { createMicroservice, loadConfig } from '@jointcert/common';
import { verifierAppModule } from '@jointcert/verification';

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'verifier');
  const app = await createMicroservice(verifierAppModule(config), config);
  await app.listen();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
