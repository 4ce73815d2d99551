/*
 * prom-client's Counter.inc and Histogram.observe take a labels object and,
 * per call, validate its keys, hash it into a string, look the string up,
 * and (histogram) index the buckets by the bound turned into a string: ~2 µs
 * a request for the gateway's three observations, plus the label objects and
 * strings for the collector. The gateway's label sets are few and its label
 * names fixed, so a series is found once (the caller keeps nested Maps) and
 * then observed with a few additions into a Float64Array. What a registry
 * reads (`get`, `getForPromString`: the text exposition, getMetricsAsJSON,
 * the cluster primary's aggregation) is built in the exact shapes
 * prom-client's own metrics give; the spec compares both outputs for the
 * same observations.
 */

/** One label set of a histogram: its observations per bucket (not cumulative), sum and count. */
export class Series {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    buckets: number,
  ) {
    this.counts = new Float64Array(buckets);
  }
}

interface ValuePair {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
  exemplar?: null;
}
interface MetricData {
  name: string;
  help: string;
  type: 'histogram' | 'counter';
  values: ValuePair[];
  aggregator: 'sum';
}

/** A histogram whose series (register it: `registry.registerMetric(h as never)`: prom-client types only its own metrics) the caller finds (and keeps) itself: `series(labels)` once, `observe(series, value)` per value. */
export class SeriesHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private all: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
  ) {}

  /** A new series for these labels (keys in the order prom-client would print them: as given). */
  series(labels: Record<string, string>): Series {
    const s = new Series(Object.freeze({ ...labels }), this.upperBounds.length);
    this.all.push(s);
    return s;
  }

  observe(series: Series, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        series.counts[i]! += 1;
        break;
      }
    }
    series.sum += value;
    series.count += 1;
  }

  /** Every series, in the order they were made (a counter of the same label sets reads their counts). */
  allSeries(): readonly Series[] {
    return this.all;
  }

  reset(): void {
    this.all = [];
  }

  /** prom-client's Histogram.getForPromString: bucket pairs with the series' labels as `sharedLabels`. */
  getForPromString(): Promise<MetricData> {
    const values: ValuePair[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.all) {
      let acc = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        acc += s.counts[i]!;
        values.push({ labels: { le: this.upperBounds[i]! }, sharedLabels: s.labels, value: acc, metricName: bucket, exemplar: null });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket, exemplar: null },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count`, exemplar: undefined },
      );
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** prom-client's Histogram.get: the same pairs with the shared labels splayed into `labels`. */
  async get(): Promise<MetricData> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...pair }) => ({ ...pair, labels: { ...labels, ...sharedLabels } }));
    return data;
  }
}

/** A counter that reads the count of every series of a histogram (a request counted where its duration is observed). */
export class SeriesCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly of: SeriesHistogram,
  ) {}

  get(): Promise<MetricData> {
    return Promise.resolve({ help: this.help, name: this.name, type: this.type, values: this.of.allSeries().map((s) => ({ value: s.count, labels: { ...s.labels } })), aggregator: this.aggregator });
  }

  reset(): void {
    this.of.reset();
  }
}
