import { loadConfig, runHttp, type AppConfig } from '@jointcert/common';
import { closeGateway, createGateway, drainGateway } from './bootstrap';
import { hostColocated } from './colocation';

/** The gateway's configuration; with COLOCATE, what the hosted services read too. */
function gatewayConfig(): AppConfig {
  const config = loadConfig(process.env, 'gateway');
  return config.COLOCATE.length > 0 ? loadConfig(process.env, ['gateway', ...config.COLOCATE]) : config;
}

// SIGTERM: answer new requests 503 problem+json, finish in-flight ones within SHUTDOWN_GRACE_MS, close, exit 0
// (then the hosted services, COLOCATE: they stop reading, finish their in-flight messages, close Redis/Postgres).
runHttp({
  name: 'gateway',
  config: gatewayConfig,
  create: async (config, logger) => {
    const colocated = await hostColocated(config, logger);
    const app = await createGateway(config, { logger, ...(colocated ? { transport: colocated.client } : {}) });
    return {
      listen: async () => {
        await colocated?.listen();
        return app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
      },
      close: async () => {
        await closeGateway(app);
        await colocated?.close();
      },
      drain: () => drainGateway(app),
    };
  },
});
