import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { CIRCUIT_STATES, GATEWAY_METRICS, RATE_LIMIT_POLICIES, REJECTION_REASONS, type CircuitStateName } from '../catalog/conventions.js';
import { SPAN_DROP_REASONS, noSpansDropped, type SpansDropped } from '../telemetry/span-drops.js';
import { SeriesHistogram } from './series-histogram.js';

const OPENMETRICS = Registry.OPENMETRICS_CONTENT_TYPE;
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Everything the gateway exports. Names, help and labels come from the SLI contract
 * (catalog/conventions.ts): the SLO rules, alerts and dashboards generated from the catalog query
 * exactly these.
 */
export class GatewayMetrics {
  /** Prometheus text format: what promtool and humans read. */
  readonly textRegistry = new Registry();
  /** OpenMetrics: what Prometheus negotiates, and the only format that carries exemplars. */
  readonly openMetricsRegistry = new Registry<typeof OPENMETRICS>();
  private rendering: Promise<unknown> = Promise.resolve();

  readonly serverDuration: SeriesHistogram<'service' | 'http_route' | 'http_request_method' | 'http_response_status_code'>;
  readonly clientDuration: SeriesHistogram<'service' | 'http_request_method' | 'http_response_status_code'>;
  // Not prom-client's global registry: each metric goes into both registries, by the loop below.
  readonly circuitState = new Gauge({ ...GATEWAY_METRICS.circuitState, registers: [] });
  readonly rateLimited = new Counter({ ...GATEWAY_METRICS.rateLimited, registers: [] });
  readonly authFailures = new Counter({ ...GATEWAY_METRICS.authFailures, registers: [] });
  readonly upstreamRejected = new Counter({ ...GATEWAY_METRICS.upstreamRejected, registers: [] });
  readonly upstreamRetries = new Counter({ ...GATEWAY_METRICS.upstreamRetries, registers: [] });
  readonly inFlight: Gauge;
  readonly spansDropped: Counter<'reason'>;

  /**
   * @param buckets the catalog's histogram boundaries, which include every SLO latency threshold.
   * @param inFlight read at scrape time, so the hot path only counts (no gauge update per request).
   * @param spansDropped the tracing side's running totals, read at scrape time as well.
   */
  constructor(buckets: readonly number[], inFlight: () => number = () => 0, spansDropped: () => SpansDropped = noSpansDropped) {
    this.openMetricsRegistry.setContentType(OPENMETRICS);
    this.serverDuration = new SeriesHistogram({ ...GATEWAY_METRICS.serverDuration, buckets });
    this.clientDuration = new SeriesHistogram({ ...GATEWAY_METRICS.clientDuration, buckets });
    this.inFlight = new Gauge({
      ...GATEWAY_METRICS.inFlight,
      registers: [],
      collect() {
        this.set(inFlight());
      },
    });
    this.spansDropped = new Counter({
      ...GATEWAY_METRICS.spansDropped,
      registers: [],
      collect() {
        const dropped = spansDropped();
        this.reset();
        // Every reason, 0 included: rate() over a series that appears only with its first drop misses that drop.
        for (const reason of SPAN_DROP_REASONS) this.inc({ reason }, dropped[reason]);
      },
    });
    // A registry renders any object with prom-client's get(); its types only admit prom-client's own.
    const histograms = [this.serverDuration, this.clientDuration] as unknown as Metric[];
    const metrics: Metric[] = [...histograms, this.circuitState, this.rateLimited, this.authFailures, this.upstreamRejected, this.upstreamRetries, this.inFlight, this.spansDropped];
    for (const registry of [this.textRegistry, this.openMetricsRegistry as unknown as Registry]) {
      for (const metric of metrics) registry.registerMetric(metric);
      collectDefaultMetrics({ register: registry });
      // Gauges named like counters: `promtool check metrics` rejects them, and they say little.
      for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
    }
  }

  /**
   * Creates every counter series at 0, so rate(), increase() and the metrics contract see them
   * before the first event (a counter that appears only on its first increment loses that one).
   */
  initialise(services: readonly string[], authFailureReasons: readonly string[]): void {
    for (const service of services) {
      for (const reason of authFailureReasons) this.authFailures.inc({ service, reason }, 0);
      for (const policy of RATE_LIMIT_POLICIES) this.rateLimited.inc({ service, policy }, 0);
      for (const reason of REJECTION_REASONS) this.upstreamRejected.inc({ service, reason }, 0);
      this.upstreamRetries.inc({ service }, 0);
    }
  }

  setCircuitState(service: string, state: CircuitStateName): void {
    for (const candidate of CIRCUIT_STATES) this.circuitState.set({ service, state: candidate }, candidate === state ? 1 : 0);
  }

  /** Renders the exposition in the format the client asked for. */
  async render(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const wantsOpenMetrics = accept?.includes('application/openmetrics-text') ?? false;
    // prom-client renames counters in place (drops "_total") while rendering OpenMetrics, and the
    // same metric objects back the text registry: render one at a time and restore the names.
    const job = this.rendering.then(async () => {
      if (!wantsOpenMetrics) return { contentType: this.textRegistry.contentType, body: await this.textRegistry.metrics() };
      const body = await this.openMetricsRegistry.metrics();
      for (const metric of this.openMetricsRegistry.getMetricsAsArray() as unknown as { type: string; name: string }[]) {
        if (metric.type === 'counter' && !metric.name.endsWith('_total')) metric.name = `${metric.name}_total`;
      }
      return { contentType: OPENMETRICS, body };
    });
    this.rendering = job.catch(() => undefined);
    return job;
  }
}
