/** One series of a query's answer: its labels and value (instant) or values (range). */
export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

/** An alert as Prometheus's rule evaluation has it now (GET /api/v1/alerts). */
export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
  /** When its expression first held, ISO 8601. */
  readonly activeAt: string;
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The Prometheus HTTP API, the parts this project reads. */
export class PrometheusClient {
  constructor(
    readonly url: URL,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  async query(expr: string, at?: Date): Promise<InstantSample[]> {
    const params = new URLSearchParams({ query: expr });
    if (at) params.set('time', String(at.getTime() / 1000));
    return (await this.get<{ result: InstantSample[] }>('/api/v1/query', params)).result;
  }

  async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<RangeSeries[]> {
    const params = new URLSearchParams({ query: expr, start: String(start.getTime() / 1000), end: String(end.getTime() / 1000), step: String(stepSeconds) });
    return (await this.get<{ result: RangeSeries[] }>('/api/v1/query_range', params)).result;
  }

  /** Every pending and firing alert of the rules Prometheus evaluates. */
  async alerts(): Promise<ActiveAlert[]> {
    return (await this.get<{ alerts: ActiveAlert[] }>('/api/v1/alerts', new URLSearchParams())).alerts;
  }

  /** The scrape interval of a job's active targets, in milliseconds. */
  async scrapeIntervalMs(job: string): Promise<number> {
    const body = await this.get<{ activeTargets: { scrapePool: string; scrapeInterval?: string }[] }>('/api/v1/targets', new URLSearchParams({ state: 'active' }));
    const target = body.activeTargets.find((t) => t.scrapePool === job);
    if (!target) throw new PrometheusError(`${this.url.origin} scrapes no job "${job}"`);
    const match = /^(\d+)(ms|s|m)$/.exec(target.scrapeInterval ?? '15s');
    return match ? Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'] : 15_000;
  }

  private async get<T>(path: string, params: URLSearchParams): Promise<T> {
    const url = new URL(`${path}?${params.toString()}`, this.url);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new PrometheusError(`cannot reach Prometheus at ${this.url.origin}: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => ({ status: 'error', error: `answered ${response.status}` }))) as { status: string; data?: T; error?: string };
    if (body.status !== 'success' || body.data === undefined) throw new PrometheusError(`Prometheus refused ${path}?${params.get('query') ?? ''}: ${body.error ?? response.status}`);
    return body.data;
  }
}
