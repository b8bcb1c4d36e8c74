/** What became of one request. */
export interface Sample {
  readonly service: string;
  readonly route: string;
  readonly method: string;
  /** The HTTP status; 0 when no answer came (refused, reset, timed out). */
  readonly status: number;
  readonly durationMs: number;
  /** The answer had the expected status and, where one is named, the expected body key. */
  readonly checkOk: boolean;
  /** Why no answer came (the transport error's code or message). */
  readonly error?: string | undefined;
}

/** A request failed in the SLO's sense (and k6's http_req_failed with 4xx expected): no answer, or a 5xx. */
export const failed = (status: number): boolean => status === 0 || status >= 500;

/** Durations in an array that grows by doubling: exact percentiles, as k6's trends keep every value. */
class Durations {
  private values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/** Counts and durations of one set of requests (a route, a service, everything). */
export class Series {
  requests = 0;
  failures = 0;
  checksPassed = 0;
  checksFailed = 0;
  readonly statuses = new Map<number, number>();
  readonly errors = new Map<string, number>();
  private readonly durations = new Durations();
  private cache: Float64Array | undefined;

  add(sample: Sample): void {
    this.requests++;
    if (failed(sample.status)) this.failures++;
    if (sample.checkOk) this.checksPassed++;
    else this.checksFailed++;
    this.statuses.set(sample.status, (this.statuses.get(sample.status) ?? 0) + 1);
    if (sample.error !== undefined) this.errors.set(sample.error, (this.errors.get(sample.error) ?? 0) + 1);
    this.durations.push(sample.durationMs);
    this.cache = undefined;
  }

  /** k6's percentile: linear interpolation between the two values around rank q x (n - 1); undefined without samples. */
  percentile(q: number): number | undefined {
    const values = this.sortedDurations();
    if (values.length === 0) return undefined;
    const rank = q * (values.length - 1);
    const low = values[Math.floor(rank)] ?? 0;
    const high = values[Math.ceil(rank)] ?? low;
    return low + (high - low) * (rank - Math.floor(rank));
  }

  /** How many requests took longer than `ms`: the bad events of a latency SLO. */
  slowerThan(ms: number): number {
    const values = this.sortedDurations();
    let low = 0;
    let high = values.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((values[middle] ?? 0) <= ms) low = middle + 1;
      else high = middle;
    }
    return values.length - low;
  }

  mean(): number | undefined {
    const values = this.sortedDurations();
    return values.length === 0 ? undefined : values.reduce((sum, v) => sum + v, 0) / values.length;
  }

  private sortedDurations(): Float64Array {
    this.cache ??= this.durations.sorted();
    return this.cache;
  }
}

/** One second of the run, for the progress line and the report's chart. */
export interface Second {
  readonly at: number;
  readonly requests: number;
  readonly failures: number;
  readonly p95Ms: number | undefined;
}

/** Everything a run measured, by service, by route and in all, with a per-second timeline. */
export class Recorder {
  readonly all = new Series();
  readonly services = new Map<string, Series>();
  readonly routes = new Map<string, Series>();
  readonly timeline: Second[] = [];
  /** Arrivals that found their scenario's maxVUs requests already in flight (k6's dropped_iterations). */
  dropped = 0;
  /** How late each request left against its arrival's due time, for the engine's own health. */
  readonly lag = new Series();
  private current = new Series();
  private currentSecond = 0;

  constructor(private readonly startedAt: number) {}

  record(sample: Sample, now: number): void {
    this.roll(now);
    this.all.add(sample);
    this.current.add(sample);
    seriesOf(this.services, sample.service).add(sample);
    seriesOf(this.routes, `${sample.service} ${sample.method} ${sample.route}`).add(sample);
  }

  recordLag(ms: number): void {
    this.lag.add({ service: '', route: '', method: '', status: 200, durationMs: ms, checkOk: true });
  }

  /** Closes the seconds that have passed, so the timeline and the progress line are current. */
  roll(now: number): void {
    const second = Math.floor((now - this.startedAt) / 1000);
    while (this.currentSecond < second) {
      this.timeline.push({ at: this.currentSecond, requests: this.current.requests, failures: this.current.failures, p95Ms: this.current.percentile(0.95) });
      this.current = new Series();
      this.currentSecond++;
    }
  }
}

function seriesOf(map: Map<string, Series>, key: string): Series {
  let series = map.get(key);
  if (!series) {
    series = new Series();
    map.set(key, series);
  }
  return series;
}
