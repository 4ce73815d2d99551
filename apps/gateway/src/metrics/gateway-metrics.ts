import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const OUTCOMES = ['ok', 'refused', 'unavailable', 'failed'] as const;
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What prom-client (15.1.x, pinned) keeps per label set: a Counter's value, a Histogram's per-bucket counts (keyed by upper bound), sum and count. */
interface CounterRecord {
  labels: object;
  value: number;
}
interface HistogramRecord {
  labels: object;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}
type PromRecords = Record<string, CounterRecord | HistogramRecord>;

type Metric = Counter<string> | Histogram<string>;

function recordsOf(metric: Metric): PromRecords {
  return (metric as unknown as { hashMap: PromRecords }).hashMap;
}

function sameLabels(a: object, b: Record<string, string>): boolean {
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((k) => (a as Record<string, unknown>)[k] === b[k]);
}

/** The record `metric` keeps for `labels`: the one it has, else the one `make` makes it keep (a zero observation through prom-client's own API). */
function recordOf<R extends CounterRecord | HistogramRecord>(metric: Metric, labels: Record<string, string>, make: () => void): R {
  const kept = Object.values(recordsOf(metric)).find((r) => sameLabels(r.labels, labels));
  if (kept !== undefined) return kept as R;
  make();
  const made = Object.values(recordsOf(metric)).find((r) => r.labels === labels);
  if (made === undefined) throw new Error(`prom-client kept no record for the labels ${JSON.stringify(labels)}`);
  return made as R;
}

/**
 * The records prom-client keeps for some metrics, by label set, each found
 * once (`add`, through prom-client's own API) and then looked up by two keys
 * (`get`): observing is then a few additions on prom-client's own records,
 * instead of its per-call label validation, label hashing and closures
 * (about 1 µs an observation, three a request). Rendering, reset and the
 * workers' aggregation stay prom-client's; when prom-client replaces its
 * records (reset), they are found again. gateway-metrics.spec.ts checks that
 * the exposition is plain prom-client's for the same observations.
 */
class LabelSets<T> {
  private readonly byKey = new Map<string, Map<number, T>>();
  private seen: PromRecords[] = [];

  constructor(
    private readonly metrics: Metric[],
    private readonly create: (labels: Record<string, string>) => T,
  ) {}

  get(k1: string, k2: number): T | undefined {
    for (let i = 0; i < this.metrics.length; i++) {
      if (recordsOf(this.metrics[i]!) === this.seen[i]) continue;
      this.byKey.clear();
      this.seen = this.metrics.map(recordsOf);
      break;
    }
    return this.byKey.get(k1)?.get(k2);
  }

  add(k1: string, k2: number, labels: Record<string, string>): T {
    const records = this.create(labels);
    let inner = this.byKey.get(k1);
    if (inner === undefined) this.byKey.set(k1, (inner = new Map<number, T>()));
    inner.set(k2, records);
    return records;
  }
}

/** Observe `seconds` into a Histogram's record as prom-client's observe does: its bucket (the first upper bound ≥ it, none above the last), sum and count. */
function observeInto(record: HistogramRecord, seconds: number): void {
  for (let i = 0; i < BUCKETS.length; i++) {
    if (seconds <= BUCKETS[i]!) {
      record.bucketValues[BUCKET_KEYS[i]!]! += 1;
      break;
    }
  }
  record.sum += seconds;
  record.count += 1;
}
const BUCKET_KEYS = BUCKETS.map(String);

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
  private readonly requestRecords: LabelSets<{ count: CounterRecord; seconds: HistogramRecord }>;
  private readonly serviceRecords: LabelSets<HistogramRecord>;

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
      buckets: BUCKETS,
      registers: [this.registry],
    });
    this.serviceSeconds = new Histogram({
      name: 'jointcert_service_call_duration_seconds',
      help: 'Calls from the gateway to a service, by message pattern and outcome (ok, refused, unavailable, failed)',
      labelNames: ['pattern', 'outcome'],
      buckets: BUCKETS,
      registers: [this.registry],
    });
    this.requestRecords = new LabelSets([this.requests, this.requestSeconds], (labels) => ({
      count: recordOf<CounterRecord>(this.requests, labels, () => this.requests.inc(labels, 0)),
      seconds: recordOf<HistogramRecord>(this.requestSeconds, labels, () => this.requestSeconds.zero(labels)),
    }));
    this.serviceRecords = new LabelSets([this.serviceSeconds], (labels) => recordOf<HistogramRecord>(this.serviceSeconds, labels, () => this.serviceSeconds.zero(labels)));
    if (enabled) collectDefaultMetrics({ register: this.registry, prefix: 'jointcert_gateway_' });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    if (!this.enabled) return;
    if (!Number.isFinite(seconds)) throw new TypeError(`not a duration: ${seconds}`);
    const m = METHODS.indexOf(method as (typeof METHODS)[number]);
    const r = route ?? 'unmatched';
    // a label set per (route, status, method)
    const k2 = status * 8 + (m + 1);
    const records = this.requestRecords.get(r, k2) ?? this.requestRecords.add(r, k2, { method: m < 0 ? 'OTHER' : method, route: r, status: String(status) });
    records.count.value += 1;
    observeInto(records.seconds, seconds);
  }

  observeServiceCall(pattern: string, outcome: (typeof OUTCOMES)[number], seconds: number): void {
    if (!this.enabled) return;
    if (!Number.isFinite(seconds)) throw new TypeError(`not a duration: ${seconds}`);
    const k2 = OUTCOMES.indexOf(outcome);
    observeInto(this.serviceRecords.get(pattern, k2) ?? this.serviceRecords.add(pattern, k2, { pattern, outcome }), seconds);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
