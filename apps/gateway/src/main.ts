import { loadConfig, runHttp } from '@jointcert/common';
import { closeGateway, createGateway, drainGateway } from './bootstrap';

// SIGTERM: answer new requests 503 problem+json, finish in-flight ones within SHUTDOWN_GRACE_MS, close, exit 0.
runHttp({
  name: 'gateway',
  config: () => loadConfig(process.env, 'gateway'),
  create: async (config, logger) => {
    const app = await createGateway(config, { logger });
    return { listen: () => app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST), close: () => closeGateway(app), drain: () => drainGateway(app) };
  },
});
