/**
 * The development CA (tests and `npm start` only): issues Korean-profile
 * certificates and NPKI key files, serves its CRL and answers OCSP over HTTP.
 * Refused unless DEV_CA_ENABLED=true, and never in production.
 */
import { loadConfig } from '@jointcert/common';
import { startDevCa } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'dev-ca');
  await startDevCa(config);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
