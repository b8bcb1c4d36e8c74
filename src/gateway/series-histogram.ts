import type { Histogram } from 'prom-client';

/** What prom-client's registry renders after a sample in OpenMetrics: `# {labels} value timestamp`. */
interface Exemplar {
  readonly labelSet: TraceExemplar;
  readonly value: number;
  /** Seconds since the epoch, as prom-client writes them. */
  readonly timestamp: number;
}

/** Exemplar labels of a traced request. */
export interface TraceExemplar {
  readonly trace_id: string;
  readonly span_id: string;
}

type Sample = Awaited<ReturnType<Histogram['get']>>['values'][number] & { exemplar?: Exemplar | undefined };

/**
 * One labelled series of a SeriesHistogram, looked up once and then observed directly: no label
 * object, hashing or validation per observation, and buckets found by index in a typed array.
 */
export class HistogramSeries {
  private readonly counts: Float64Array;
  private readonly exemplars: (Exemplar | undefined)[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: Float64Array,
  ) {
    // One slot per bound plus the +Inf bucket.
    this.counts = new Float64Array(bounds.length + 1);
    this.exemplars = new Array<Exemplar | undefined>(bounds.length + 1).fill(undefined);
  }

  observe(seconds: number, exemplar?: TraceExemplar): void {
    const index = bucketIndex(this.bounds, seconds);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.sum += seconds;
    this.count += 1;
    if (exemplar !== undefined) this.exemplars[index] = { labelSet: exemplar, value: seconds, timestamp: Date.now() / 1000 };
  }

  /** The series' samples in exposition order: cumulative buckets, then _sum and _count. */
  samples(name: string): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    for (const [index, count] of this.counts.entries()) {
      cumulative += count;
      // The slot past the last bound is the +Inf bucket.
      const le = this.bounds[index] ?? '+Inf';
      out.push({ metricName: `${name}_bucket`, labels: { le, ...this.labels }, value: cumulative, exemplar: this.exemplars[index] });
    }
    out.push({ metricName: `${name}_sum`, labels: this.labels, value: this.sum });
    out.push({ metricName: `${name}_count`, labels: this.labels, value: this.count });
    return out;
  }
}

export interface SeriesHistogramConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Upper bounds in seconds, ascending; +Inf is implied. */
  readonly buckets: readonly number[];
}

/**
 * A Prometheus histogram for the proxy's hot path: prom-client's Histogram hashes and validates
 * the labels on every observation (docs/adr/0002-series-histogram.md). This one keeps a tree of
 * series keyed by label values (the same string objects every time, so each level is one Map
 * lookup) and hands prom-client's registries the samples its Histogram would, through get().
 */
export class SeriesHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly labelNames: readonly L[];
  private readonly bounds: Float64Array;
  private readonly root = new Map<string, unknown>();
  private readonly all: HistogramSeries[] = [];

  constructor(config: SeriesHistogramConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    if (!config.buckets.every((bound, index, all) => index === 0 || bound > (all[index - 1] ?? bound))) {
      throw new Error(`${config.name}: bucket bounds must ascend, got ${config.buckets.join(', ')}`);
    }
    this.bounds = Float64Array.from(config.buckets);
  }

  /** The series for these label values, in labelNames order; created on first use. */
  series(...values: string[]): HistogramSeries {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    // Every level but the last maps a label value to the next level; the last, to the series.
    let node: Map<string, unknown> | HistogramSeries = this.root;
    let depth = 0;
    for (const value of values) {
      depth++;
      const level = node as Map<string, unknown>;
      let next = level.get(value) as Map<string, unknown> | HistogramSeries | undefined;
      if (next === undefined) {
        next = depth === values.length ? this.create(values) : new Map<string, unknown>();
        level.set(value, next);
      }
      node = next;
    }
    return node as HistogramSeries;
  }

  private create(values: readonly string[]): HistogramSeries {
    const created = new HistogramSeries(Object.fromEntries(this.labelNames.map((name, index) => [name, values[index] ?? ''])), this.bounds);
    this.all.push(created);
    return created;
  }

  /** What prom-client's Registry reads when it renders this metric. */
  get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] }> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.all.flatMap((series) => series.samples(this.name)) });
  }
}

/** Index of the first bound >= value (the bucket it counts in), or bounds.length for +Inf. */
function bucketIndex(bounds: Float64Array, value: number): number {
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= (bounds[middle] ?? Number.POSITIVE_INFINITY)) high = middle;
    else low = middle + 1;
  }
  return low;
}
