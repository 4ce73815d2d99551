/**
 * The development CA (tests and `npm start` only): issues Korean-profile
 * certificates and NPKI key files, serves its CRL and answers OCSP over HTTP.
 * Refused unless DEV_CA_ENABLED=true, and never in production.
 */
import { loadConfig, runHttp } from '@jointcert/common';
import { createDevCa, type RunningDevCa } from './bootstrap';

// SIGTERM: stop listening (HTTP and LDAP), close, exit 0.
runHttp({
  name: 'dev-ca',
  config: () => loadConfig(process.env, 'dev-ca'),
  create: async (config, logger) => {
    const devCa = await createDevCa(config, { logger });
    let running: RunningDevCa | undefined;
    return {
      listen: async () => {
        running = await devCa.listen();
      },
      close: () => (running ? running.close() : devCa.app.close()),
    };
  },
});
