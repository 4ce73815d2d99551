import { ColocatedClientProxy, hostService, ServiceClient, transportClient, type AppConfig, type HostedService, type Logger } from '@jointcert/common';
import { VerifierModule } from '@jointcert/verification';

/** The services this gateway process hosts (COLOCATE), and the client that calls them here. */
export interface Colocated {
  /** For GatewayModule's `transport`: hosted patterns run in this process, the rest over the transport. */
  client: ColocatedClientProxy;
  /** Start serving the transport (each hosted service is one more replica for the other processes). */
  listen(): Promise<void>;
  /** After the gateway has closed (its in-flight requests answered): the registry, then the verifier. */
  close(): Promise<void>;
}

/**
 * COLOCATE=registry,verifier: the gateway's process hosts the registry and
 * the verifier, each its own Nest microservice as its main.ts would start it
 * (boot work included: the registry's migrations, revocation sync and
 * idempotency purge, the verifier's trust store and CRL refresh), and calls
 * them without a transport hop; the hosted registry calls the hosted
 * verifier the same way (one trust store). This file is the gateway's one
 * composition root with another app (eslint.config.mjs): the registry's
 * module is loaded only when hosted.
 */
export async function hostColocated(config: AppConfig, logger: Logger): Promise<Colocated | null> {
  if (config.COLOCATE.length === 0) return null;
  const hosted: HostedService[] = [];
  const proxy = (): ColocatedClientProxy => new ColocatedClientProxy(hosted.map((h) => h.server), logger, () => transportClient(config, logger));
  const closeAll = async (): Promise<void> => {
    for (const h of hosted.splice(0).reverse()) await h.close().catch((err: unknown) => logger.warn({ err, service: h.name }, 'error while closing a hosted service'));
  };
  try {
    if (config.COLOCATE.includes('verifier')) {
      const log = logger.child({ name: 'verifier' });
      hosted.push(await hostService('verifier', VerifierModule.forRoot(config, { logger: log }), config, log));
    }
    if (config.COLOCATE.includes('registry')) {
      const log = logger.child({ name: 'registry' });
      const { RegistryModule } = await import('../../registry/src/registry.module');
      const verifier = config.COLOCATE.includes('verifier') ? { verifier: new ServiceClient(proxy(), config.SERVICE_TIMEOUT_MS, log) } : {};
      hosted.push(await hostService('registry', RegistryModule.forRoot(config, { logger: log, ...verifier }), config, log));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  logger.info({ services: hosted.map((h) => h.name) }, 'hosting co-located services');
  return {
    client: proxy(),
    listen: async () => {
      for (const h of hosted) await h.listen();
    },
    close: closeAll,
  };
}
