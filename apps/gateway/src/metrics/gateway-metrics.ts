import { collectDefaultMetrics, Registry } from 'prom-client';
import { RequestHistogram } from './request-histogram';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways
 * may live in one process under test). Labels are bounded: the route template
 * (`/v1/certificates/:id`, `unmatched` for 404s), the method, the status code,
 * the message pattern and its outcome — never an id, address or path.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** jointcert_http_request_duration_seconds, and jointcert_http_requests_total from its counts. */
  private readonly requestSeconds: RequestHistogram;
  private readonly serviceSeconds: RequestHistogram;

  constructor(readonly enabled: boolean) {
    this.requestSeconds = new RequestHistogram('jointcert_http_request_duration_seconds', 'HTTP request duration in seconds, by route template, method and status', BUCKETS, this.registry, {
      name: 'jointcert_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
    });
    this.serviceSeconds = new RequestHistogram(
      'jointcert_service_call_duration_seconds',
      'Calls from the gateway to a service, by message pattern and outcome (ok, refused, unavailable, failed)',
      BUCKETS,
      this.registry,
    );
    if (enabled) collectDefaultMetrics({ register: this.registry, prefix: 'jointcert_gateway_' });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    if (!this.enabled) return;
    const m = METHODS.has(method) ? method : 'OTHER';
    const r = route ?? 'unmatched';
    this.requestSeconds.observe(`${m} ${status} ${r}`, () => ({ method: m, route: r, status: String(status) }), seconds);
  }

  observeServiceCall(pattern: string, outcome: 'ok' | 'refused' | 'unavailable' | 'failed', seconds: number): void {
    if (this.enabled) this.serviceSeconds.observe(`${outcome} ${pattern}`, () => ({ pattern, outcome }), seconds);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
