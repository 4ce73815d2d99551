import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways
 * may live in one process under test). Labels are bounded: the route template
 * (`/v1/certificates/:id`, `unmatched` for 404s), the method, the status code,
 * the message pattern and its outcome — never an id, address or path.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  private readonly serviceSeconds: Histogram<'pattern' | 'outcome'>;

  constructor(readonly enabled: boolean) {
    this.requests = new Counter({
      name: 'jointcert_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.requestSeconds = new Histogram({
      name: 'jointcert_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.serviceSeconds = new Histogram({
      name: 'jointcert_service_call_duration_seconds',
      help: 'Calls from the gateway to a service, by message pattern and outcome (ok, refused, unavailable, failed)',
      labelNames: ['pattern', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    if (enabled) collectDefaultMetrics({ register: this.registry, prefix: 'jointcert_gateway_' });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    if (!this.enabled) return;
    const labels = { method: METHODS.has(method) ? method : 'OTHER', route: route ?? 'unmatched', status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }

  observeServiceCall(pattern: string, outcome: 'ok' | 'refused' | 'unavailable' | 'failed', seconds: number): void {
    if (this.enabled) this.serviceSeconds.observe({ pattern, outcome }, seconds);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
