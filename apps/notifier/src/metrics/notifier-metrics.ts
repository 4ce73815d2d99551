import type { Server } from 'node:http';
import { serveMetrics } from '@jointcert/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type SendOutcome = 'sent' | 'failed' | 'skipped' | 'retried';

/**
 * The notifier's Prometheus metrics, in a registry of its own. Labels are
 * bounded: notification kind ('expiry', 'revoked'), outcome, scan kind.
 */
export class NotifierMetrics {
  readonly registry = new Registry();
  readonly notifications: Counter<'kind' | 'outcome'>;
  readonly scanSeconds: Histogram<'scan'>;
  readonly due: Counter<'kind'>;
  readonly revocations: Counter<'source'>;
  readonly expired: Counter;
  readonly crlFetches: Counter<'outcome'>;
  readonly queueDepth: Gauge<'state'>;

  constructor(queueCounts: () => Promise<Record<string, number>>) {
    const registers = [this.registry];
    this.notifications = new Counter({ name: 'jointcert_notifier_notifications_total', help: 'Notification send outcomes by kind (sent, failed, skipped, retried)', labelNames: ['kind', 'outcome'], registers });
    this.scanSeconds = new Histogram({ name: 'jointcert_notifier_scan_duration_seconds', help: 'Duration of a scan (expiry, recheck)', labelNames: ['scan'], buckets: [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers });
    this.due = new Counter({ name: 'jointcert_notifier_due_total', help: 'Notifications found due and enqueued by scans', labelNames: ['kind'], registers });
    this.revocations = new Counter({ name: 'jointcert_notifier_revocations_found_total', help: 'Registered certificates found revoked, by source (crl, ocsp)', labelNames: ['source'], registers });
    this.expired = new Counter({ name: 'jointcert_notifier_certificates_expired_total', help: 'Registered certificates marked expired', registers });
    this.crlFetches = new Counter({ name: 'jointcert_notifier_crl_fetches_total', help: 'CRL fetches by the re-check (ok, failed)', labelNames: ['outcome'], registers });
    this.queueDepth = new Gauge({
      name: 'jointcert_notifier_queue_depth',
      help: 'Jobs in the notification queue by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await queueCounts().catch((): Record<string, number> => ({}));
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
  }

  /** GET /metrics on `port` (0 = any free port); resolves with the bound port. */
  serve(port: number, host = '0.0.0.0'): Promise<{ server: Server; port: number }> {
    return serveMetrics(this.registry, port, host);
  }
}
