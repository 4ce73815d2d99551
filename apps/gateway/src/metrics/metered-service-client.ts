import type { ClientProxy } from '@nestjs/microservices';
import type { Contract, RequestMeta } from '@jointcert/contracts';
import { DomainError, ServiceClient, type Logger } from '@jointcert/common';
import type { GatewayMetrics } from './gateway-metrics';

/** The ServiceClient the gateway's controllers use: the same typed call, timed into the metrics. */
export class MeteredServiceClient extends ServiceClient {
  constructor(
    proxy: ClientProxy,
    timeoutMs: number,
    logger: Logger | undefined,
    private readonly metrics: GatewayMetrics,
  ) {
    super(proxy, timeoutMs, logger);
  }

  override async send<Req, Res>(contract: Contract<Req, Res>, data: Req, meta?: RequestMeta): Promise<Res> {
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await super.send(contract, data, meta);
      this.metrics.observeServiceCall(contract.cmd, 'ok', seconds());
      return result;
    } catch (err) {
      const outcome = !(err instanceof DomainError) ? 'failed' : err.code === 'SERVICE_UNAVAILABLE' ? 'unavailable' : 'refused';
      this.metrics.observeServiceCall(contract.cmd, outcome, seconds());
      throw err;
    }
  }
}
