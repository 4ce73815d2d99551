import { isClusterWorker, loadConfig, runHttp, type AppConfig } from '@jointcert/common';

/** The gateway's configuration; with COLOCATE, what the hosted services read too. */
function gatewayConfig(): AppConfig {
  const config = loadConfig(process.env, 'gateway');
  return config.COLOCATE.length > 0 ? loadConfig(process.env, ['gateway', ...config.COLOCATE]) : config;
}

// SIGTERM: answer new requests 503 problem+json, finish in-flight ones within SHUTDOWN_GRACE_MS, close, exit 0
// (then the hosted services, COLOCATE: they stop reading, finish their in-flight messages, close Redis/Postgres).
// GATEWAY_WORKERS > 1: this process is the primary of that many workers, each all of the below; it forwards the
// signal to each and exits 0 once all have. The app's modules are loaded in the workers only.
runHttp({
  name: 'gateway',
  config: gatewayConfig,
  workers: (config) => config.GATEWAY_WORKERS,
  create: async (config, logger) => {
    const [{ closeGateway, createGateway, drainGateway }, { hostColocated }, { GatewayMetrics }, { ClusterGatewayMetrics }] = await Promise.all([
      import('./bootstrap'),
      import('./colocation'),
      import('./metrics/gateway-metrics'),
      import('./metrics/cluster-gateway-metrics'),
    ]);
    const metrics = isClusterWorker() ? new ClusterGatewayMetrics(config.METRICS_ENABLED) : new GatewayMetrics(config.METRICS_ENABLED);
    const colocated = await hostColocated(config, logger);
    const app = await createGateway(config, { logger, metrics, ...(colocated ? { transport: colocated.client } : {}) });
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
      metrics: metrics.registry,
    };
  },
});
