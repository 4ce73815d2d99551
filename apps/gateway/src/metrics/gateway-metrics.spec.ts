import { Counter, Histogram, Registry } from 'prom-client';
import { GatewayMetrics } from './gateway-metrics';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAMES = ['jointcert_http_requests_total', 'jointcert_http_request_duration_seconds', 'jointcert_service_call_duration_seconds'];

/** The same three metrics observed through prom-client's own API: what GatewayMetrics must render. */
function reference(): { registry: Registry; request: GatewayMetrics['observeRequest']; service: GatewayMetrics['observeServiceCall'] } {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: NAMES[0]!, help: 'h', labelNames: ['method', 'route', 'status'], registers });
  const requestSeconds = new Histogram({ name: NAMES[1]!, help: 'h', labelNames: ['method', 'route', 'status'], buckets: BUCKETS, registers });
  const serviceSeconds = new Histogram({ name: NAMES[2]!, help: 'h', labelNames: ['pattern', 'outcome'], buckets: BUCKETS, registers });
  const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  return {
    registry,
    request: (method, route, status, seconds) => {
      const labels = { method: methods.has(method) ? method : 'OTHER', route: route ?? 'unmatched', status: String(status) };
      requests.inc(labels);
      requestSeconds.observe(labels, seconds);
    },
    service: (pattern, outcome, seconds) => serviceSeconds.observe({ pattern, outcome }, seconds),
  };
}

/** The value lines of the three metrics (help texts aside). */
async function values(registry: Registry): Promise<string[]> {
  const text = await Promise.all(NAMES.map((n) => registry.getSingleMetricAsString(n)));
  return text.join('\n').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

function observeMany(request: GatewayMetrics['observeRequest'], service: GatewayMetrics['observeServiceCall']): void {
  // on a bucket's bound, between bounds, below the first, above the last; methods outside the list; 404s
  const times = [0.0005, 0.0007, 0.001, 0.0001, 0.003, 0.2, 10, 11, 0];
  times.forEach((t, i) => {
    request('POST', '/v1/challenges', 201, t);
    request(i % 2 ? 'GET' : 'PROPFIND', '/v1/certificates/:id', i % 3 ? 200 : 404, t);
    request('GET', undefined, 404, t);
    request('BREW', undefined, 404, t);
    service('registry.create-challenge', i % 2 ? 'ok' : 'refused', t);
    service('verifier.verify-document', 'unavailable', t * 2);
  });
}

describe('GatewayMetrics', () => {
  it('renders exactly what prom-client renders for the same observations (counts, buckets, sums, labels)', async () => {
    const metrics = new GatewayMetrics(true);
    const ref = reference();
    observeMany(metrics.observeRequest.bind(metrics), metrics.observeServiceCall.bind(metrics));
    observeMany(ref.request, ref.service);
    const got = await values(metrics.registry);
    expect(got.length).toBeGreaterThan(100);
    expect(got).toEqual(await values(ref.registry));
    expect(got).toContain('jointcert_http_requests_total{method="POST",route="/v1/challenges",status="201"} 9');
    expect(got).toContain('jointcert_http_requests_total{method="OTHER",route="unmatched",status="404"} 9');
  });

  it('keeps counting, from zero, after the registry is reset', async () => {
    const metrics = new GatewayMetrics(true);
    const ref = reference();
    observeMany(metrics.observeRequest.bind(metrics), metrics.observeServiceCall.bind(metrics));
    metrics.registry.resetMetrics();
    metrics.observeRequest('POST', '/v1/challenges', 201, 0.002);
    metrics.observeServiceCall('registry.create-challenge', 'ok', 0.001);
    ref.request('POST', '/v1/challenges', 201, 0.002);
    ref.service('registry.create-challenge', 'ok', 0.001);
    expect(await values(metrics.registry)).toEqual(await values(ref.registry));
  });

  it('disabled: observes nothing; a duration that is not a number is refused, as prom-client refuses it', async () => {
    const off = new GatewayMetrics(false);
    off.observeRequest('GET', '/health', 200, 0.001);
    expect(await values(off.registry)).toEqual([]);
    const on = new GatewayMetrics(true);
    expect(() => on.observeRequest('GET', '/health', 200, NaN)).toThrow(TypeError);
    expect(() => on.observeServiceCall('registry.ping', 'ok', Infinity)).toThrow(TypeError);
  });
});
