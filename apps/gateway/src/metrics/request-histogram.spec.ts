import { Counter, Histogram, Registry } from 'prom-client';
import { RequestHistogram } from './request-histogram';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const OBSERVATIONS: Array<[Record<string, string>, number]> = [
  [{ method: 'POST', route: '/v1/challenges', status: '201' }, 0.0004],
  [{ method: 'POST', route: '/v1/challenges', status: '201' }, 0.001],
  [{ method: 'POST', route: '/v1/challenges', status: '201' }, 0.05],
  [{ method: 'GET', route: 'unmatched', status: '404' }, 3],
  [{ method: 'POST', route: '/v1/sessions', status: '201' }, 0.2],
];

/** The same observations through prom-client's own Histogram and Counter, and through RequestHistogram. */
function both(): { theirs: Registry; ours: Registry } {
  const theirs = new Registry();
  const counter = new Counter({ name: 'req_total', help: 'requests', labelNames: ['method', 'route', 'status'], registers: [theirs] });
  const histogram = new Histogram({ name: 'req_seconds', help: 'seconds', labelNames: ['method', 'route', 'status'], buckets: BOUNDS, registers: [theirs] });
  const ours = new Registry();
  const h = new RequestHistogram('req_seconds', 'seconds', BOUNDS, ours, { name: 'req_total', help: 'requests' });
  for (const [labels, v] of OBSERVATIONS) {
    counter.inc(labels);
    histogram.observe(labels, v);
    h.observe(`${labels.method} ${labels.status} ${labels.route}`, () => ({ ...labels }), v);
  }
  return { theirs, ours };
}

describe('RequestHistogram', () => {
  it('renders what prom-client’s Histogram and Counter render for the same observations (text and JSON)', async () => {
    const { theirs, ours } = both();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    const json = async (r: Registry): Promise<unknown[]> =>
      (await r.getMetricsAsJSON()).map((m) => ({ ...m, values: [...m.values].map((v) => ({ ...v, labels: { ...v.labels } })) })).sort((a, b) => a.name.localeCompare(b.name));
    expect(await json(ours)).toEqual(await json(theirs));
  });

  it('is reset with its registry, and refuses a non-finite value', async () => {
    const { ours } = both();
    ours.resetMetrics();
    expect(await ours.metrics()).not.toMatch(/req_seconds_count\{/);
    const h = new RequestHistogram('x_seconds', 'x', BOUNDS, new Registry());
    expect(() => h.observe('k', () => ({}), NaN)).toThrow(TypeError);
  });
});
