import { ColocatedClientProxy, createLogger, hostService, ServiceClient, transportClient, type AppConfig, type ServiceCaller } from '@jointcert/common';
import { VerifierModule, type VerifierOverrides } from './verifier.module';

/**
 * The verifier inside the caller's process (VERIFIER_MODE=in-process): the
 * same module (trust store loaded once, validation policies, revocation with
 * its Redis cache) hosted as COLOCATE hosts it (hostService) but not serving
 * the transport, called through ColocatedClientProxy under a ServiceClient —
 * the verifier's own handlers (@Handles' schema parse, RpcProblemFilter), a
 * bounded wait, the same DomainErrors, an errorId for the unexpected. What
 * the caller saves per call: the request's JSON and Redis publish, the
 * reply's JSON and publish.
 */
export async function createInProcessVerifier(config: AppConfig, overrides: VerifierOverrides = {}): Promise<ServiceCaller> {
  const logger = overrides.logger ?? createLogger(config, { name: 'verifier' });
  const hosted = await hostService('verifier', VerifierModule.forRoot(config, { ...overrides, logger }), config, logger);
  const client = new ServiceClient(new ColocatedClientProxy([hosted.server], logger, () => transportClient(config, logger)), config.SERVICE_TIMEOUT_MS, logger);
  return {
    send: (contract, data, meta) => client.send(contract, data, meta),
    close: async () => {
      await client.close();
      await hosted.close();
    },
  };
}
