import { AggregatorRegistry, Counter, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { GatewayMetrics } from './gateway-metrics';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAMES = ['jointcert_http_requests_total', 'jointcert_http_request_duration_seconds', 'jointcert_service_call_duration_seconds'];

/** What GatewayMetrics recorded with prom-client's own Counter and Histogram (its code before label-series.ts). */
class Reference {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: NAMES[0]!, help: 'HTTP requests answered, by route template, method and status', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  private readonly requestSeconds = new Histogram({
    name: NAMES[1]!,
    help: 'HTTP request duration in seconds, by route template, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: BUCKETS,
    registers: [this.registry],
  });
  private readonly serviceSeconds = new Histogram({
    name: NAMES[2]!,
    help: 'Calls from the gateway to a service, by message pattern and outcome (ok, refused, unavailable, failed)',
    labelNames: ['pattern', 'outcome'],
    buckets: BUCKETS,
    registers: [this.registry],
  });

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(method) ? method : 'OTHER', route: route ?? 'unmatched', status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }

  observeServiceCall(pattern: string, outcome: string, seconds: number): void {
    this.serviceSeconds.observe({ pattern, outcome }, seconds);
  }
}

function record(m: { observeRequest: GatewayMetrics['observeRequest']; observeServiceCall: GatewayMetrics['observeServiceCall'] }, seed: number): void {
  const routes = ['/v1/challenges', '/v1/certificates/:id', undefined];
  const values = [0, 0.0005, 0.0007, 0.005, 0.0051, 3, 10, 20, 1e-9];
  for (let i = 0; i < 60; i++) {
    const v = values[(i * 7 + seed) % values.length]!;
    m.observeRequest(['POST', 'GET', 'PROPFIND', 'PURGE'][(i + seed) % 4]!, routes[i % 3], [201, 200, 404, 429][(i >> 1) % 4]!, v);
    m.observeServiceCall(['registry.createChallenge', 'verifier.verifyDocument'][i % 2]!, (['ok', 'refused', 'unavailable', 'failed'] as const)[(i * 3) % 4]!, v * 2);
  }
}

const ours = async (r: Registry): Promise<Array<MetricObjectWithValues<MetricValue<string>>>> => (await r.getMetricsAsJSON()).filter((m) => NAMES.includes(m.name));

describe('GatewayMetrics (series found by Map, prom-client exposition)', () => {
  it('renders exactly what prom-client Counter and Histogram render for the same observations', async () => {
    const fast = new GatewayMetrics(true);
    const ref = new Reference();
    record(fast, 0);
    record(ref, 0);
    for (const name of NAMES) {
      expect(await fast.registry.getSingleMetricAsString(name)).toBe(await ref.registry.getSingleMetricAsString(name));
    }
    expect(await ours(fast.registry)).toEqual(await ours(ref.registry));
    expect(await fast.render()).toContain('jointcert_http_requests_total{method="OTHER",route="/v1/challenges",status="200"} 5');
  });

  it('the cluster primary aggregates workers as it did (getMetricsAsJSON summed)', async () => {
    const [a, b, ra, rb] = [new GatewayMetrics(true), new GatewayMetrics(true), new Reference(), new Reference()];
    record(a, 1);
    record(b, 2);
    record(ra, 1);
    record(rb, 2);
    const fast = AggregatorRegistry.aggregate([await ours(a.registry), await ours(b.registry)]);
    const ref = AggregatorRegistry.aggregate([await ours(ra.registry), await ours(rb.registry)]);
    expect(await fast.metrics()).toBe(await ref.metrics());
  });

  it('records nothing when disabled; reset empties both request metrics', async () => {
    const off = new GatewayMetrics(false);
    record(off, 0);
    expect((await ours(off.registry)).every((m) => m.values.length === 0)).toBe(true);
    const on = new GatewayMetrics(true);
    record(on, 0);
    on.registry.resetMetrics();
    expect((await ours(on.registry)).every((m) => m.values.length === 0)).toBe(true);
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    expect(() => new GatewayMetrics(true).observeServiceCall('p', 'ok', Number.NaN)).toThrow(TypeError);
  });
});
