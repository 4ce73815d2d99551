import type { Registry } from 'prom-client';

/** One label set's observations: per-bound counts (not cumulative), their sum and count. */
interface Series {
  labels: Record<string, string>;
  buckets: number[];
  sum: number;
  count: number;
}

/** One exported value, as prom-client's metrics give them to their Registry. */
interface Value {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
  /** Always null: no exemplars (as prom-client's Histogram without them). */
  exemplar?: null;
}

interface Exported {
  name: string;
  help: string;
  type: 'histogram' | 'counter';
  values: Value[];
  aggregator: 'sum';
}

/**
 * A labelled histogram for the per-request path. An observation is a Map
 * lookup by a key the caller builds from its label values and a scan of the
 * bounds: prom-client's Histogram.observe validates the labels, builds a
 * sorted hash string and turns the bound into a property name on every call
 * (with the counter beside it, ~1.5–3 µs a request). Exported in the same
 * Registry with prom-client's shapes (Histogram's `_bucket` values with a
 * cumulative `le`, `_sum`, `_count`; `get()` with the labels splayed as
 * prom-client does), so /metrics and an aggregating registry read it as a
 * prom-client Histogram. With `counter`, the observation counts are
 * exported as that counter too (the requests total), registered first.
 */
export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
    counter?: { name: string; help: string },
  ) {
    if (counter) registry.registerMetric(this.counter(counter.name, counter.help) as never);
    registry.registerMetric(this as never);
  }

  /** Observe `value` for the label set `key` names (one key per label set); `labels` makes the labels on first use. */
  observe(key: string, labels: () => Record<string, string>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: not a finite value: ${value}`);
    let series = this.series.get(key);
    if (series === undefined) {
      series = { labels: labels(), buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) series.buckets[i]!++;
    series.sum += value;
    series.count++;
  }

  /** The text exposition's form (labels of the series as sharedLabels, as prom-client's Histogram gives it). */
  getForPromString(): Promise<Exported> {
    const values: Value[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.buckets[i]!;
        values.push({ labels: { le: this.bounds[i]! }, value: acc, metricName: bucket, exemplar: null, sharedLabels: s.labels });
      }
      values.push({ labels: { le: '+Inf' }, value: s.count, metricName: bucket, exemplar: null, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.sum, metricName: `${this.name}_sum`, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.count, metricName: `${this.name}_count`, sharedLabels: s.labels });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** The JSON form (getMetricsAsJSON, cluster aggregation): each value's labels with the series' labels splayed in. */
  async get(): Promise<Exported> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return data;
  }

  reset(): void {
    this.series.clear();
  }

  /** A counter metric `name` of the observations per label set. */
  private counter(name: string, help: string): object {
    return {
      name,
      help,
      type: 'counter' as const,
      aggregator: 'sum' as const,
      get: (): Promise<Exported> => Promise.resolve({ name, help, type: 'counter', aggregator: 'sum', values: [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.count })) }),
      // derived from the histogram's observations: reset with it
      reset: (): void => undefined,
    };
  }
}
