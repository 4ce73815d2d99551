/**
 * Trust-store metrics (prom-client, a registry of the verifier's own):
 *   jointcert_verifier_trust_anchors_loaded               anchors in use
 *   jointcert_verifier_trust_anchors_refused{reason}      anchor certificates refused at load, by typed reason
 * Set once per load; served on VERIFIER_METRICS_PORT (GET /metrics) by
 * TrustMetricsEndpoint when that is set and METRICS_ENABLED.
 */
import type { Server } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { serveMetrics, CONFIG, LOGGER, type AppConfig, type Logger } from '@jointcert/common';
import { TRUST_METRICS } from '../verifier.tokens';

export class TrustMetrics {
  readonly registry = new Registry();
  readonly loaded = new Gauge({ name: 'jointcert_verifier_trust_anchors_loaded', help: 'Trust anchors in use', registers: [this.registry] });
  readonly refused = new Gauge({
    name: 'jointcert_verifier_trust_anchors_refused',
    help: 'Trust anchor certificates refused at load (structural faults), by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
}

/** The verifier's scrape endpoint: GET /metrics on VERIFIER_METRICS_PORT (unset = none). */
@Injectable()
export class TrustMetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  /** The bound port once serving (VERIFIER_METRICS_PORT 0 = any free port). */
  port?: number;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(TRUST_METRICS) private readonly metrics: TrustMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.VERIFIER_METRICS_PORT === undefined || !this.config.METRICS_ENABLED) return;
    const { server, port } = await serveMetrics(this.metrics.registry, this.config.VERIFIER_METRICS_PORT);
    this.server = server;
    this.port = port;
    this.logger.info({ port }, 'verifier metrics on GET /metrics');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
