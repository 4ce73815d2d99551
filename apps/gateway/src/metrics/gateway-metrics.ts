import { collectDefaultMetrics, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram, type Series } from './label-series';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways
 * may live in one process under test). Labels are bounded: the route template
 * (`/v1/certificates/:id`, `unmatched` for 404s), the method, the status code,
 * the message pattern and its outcome — never an id, address or path.
 *
 * Observed per request, so each label set's series is looked up in nested
 * Maps by the raw values (no label object or string per request) and
 * observed without prom-client's per-call work (label-series.ts); the
 * exposition is prom-client's. The request counter reads the duration
 * histogram's counts: both are observed for the same requests.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds: SeriesHistogram;
  private readonly serviceSeconds: SeriesHistogram;
  /** route → status → method → series */
  private readonly requestSeries = new Map<string, Map<number, Map<string, Series>>>();
  /** pattern → outcome → series */
  private readonly serviceSeries = new Map<string, Map<string, Series>>();

  constructor(readonly enabled: boolean) {
    this.requestSeconds = new SeriesHistogram('jointcert_http_request_duration_seconds', 'HTTP request duration in seconds, by route template, method and status', BUCKETS);
    this.serviceSeconds = new SeriesHistogram(
      'jointcert_service_call_duration_seconds',
      'Calls from the gateway to a service, by message pattern and outcome (ok, refused, unavailable, failed)',
      BUCKETS,
    );
    // registered in the order (hence printed in the order) they always were
    for (const m of [
      new SeriesCounter('jointcert_http_requests_total', 'HTTP requests answered, by route template, method and status', this.requestSeconds),
      this.requestSeconds,
      this.serviceSeconds,
    ]) {
      this.registry.registerMetric(m as never);
    }
    if (enabled) collectDefaultMetrics({ register: this.registry, prefix: 'jointcert_gateway_' });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    if (!this.enabled) return;
    const r = route ?? 'unmatched';
    let byStatus = this.requestSeries.get(r);
    if (!byStatus) this.requestSeries.set(r, (byStatus = new Map<number, Map<string, Series>>()));
    let byMethod = byStatus.get(status);
    if (!byMethod) byStatus.set(status, (byMethod = new Map<string, Series>()));
    let series = byMethod.get(method);
    if (!series) {
      // an unusual method is counted as OTHER (one series; Node's parser bounds the names it is found under)
      const label = METHODS.has(method) ? method : 'OTHER';
      series = byMethod.get(label) ?? this.requestSeconds.series({ method: label, route: r, status: String(status) });
      byMethod.set(label, series);
      byMethod.set(method, series);
    }
    this.requestSeconds.observe(series, seconds);
  }

  observeServiceCall(pattern: string, outcome: 'ok' | 'refused' | 'unavailable' | 'failed', seconds: number): void {
    if (!this.enabled) return;
    let byOutcome = this.serviceSeries.get(pattern);
    if (!byOutcome) this.serviceSeries.set(pattern, (byOutcome = new Map<string, Series>()));
    let series = byOutcome.get(outcome);
    if (!series) byOutcome.set(outcome, (series = this.serviceSeconds.series({ pattern, outcome })));
    this.serviceSeconds.observe(series, seconds);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
