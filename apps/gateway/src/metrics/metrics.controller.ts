import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DomainError } from '@jointcert/common';
import { GatewayMetrics } from './gateway-metrics';

/** Prometheus exposition (METRICS_ENABLED); not part of the public API document. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async render(): Promise<string> {
    if (!this.metrics.enabled) throw new DomainError('NOT_FOUND', 'metrics are disabled');
    return this.metrics.render();
  }
}
