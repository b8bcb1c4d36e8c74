import { GATEWAY_JOB, GATEWAY_METRICS, LABEL, SLI_BUCKET, SLI_COUNT, leLabel } from '../catalog/conventions.js';
import { isGatewaySlo, type Catalog } from '../catalog/index.js';
import type { InstantSample, PrometheusClient } from '../prometheus/client.js';
import { resilienceReading, timeoutBoundary, type ResilienceReading } from './resilience.js';
import { sloWindows, type SliSnapshot, type SliSource, type SloCounts, type SloWindow } from './slis.js';

const TARGETS_DISCOVERED_WITHIN_MS = 10_000;

/**
 * Reads the SLIs from Prometheus: the gateway's histogram summed per scraped instance, so that every
 * replica counts (on Kubernetes there are several) and a replica that restarts is seen as a counter
 * reset, not as negative traffic. As fresh as the last scrape: a window shorter than the scrape
 * interval may see no requests, and the abort check and the report work from what was scraped.
 */
export class PrometheusSlis implements SliSource {
  readonly description: string;
  private readonly slos;

  constructor(
    private readonly prometheus: PrometheusClient,
    private readonly catalog: Catalog,
  ) {
    this.slos = catalog.slos.filter(isGatewaySlo);
    this.description = `Prometheus at ${prometheus.url.origin} (job "${GATEWAY_JOB}")`;
  }

  async snapshot(): Promise<SliSnapshot> {
    const job = `job="${GATEWAY_JOB}"`;
    const thresholds = [...new Set(this.slos.flatMap((slo) => (slo.id === 'latency' ? [leLabel(slo.thresholdSeconds)] : [])))];
    const [requests, errors, fast] = await Promise.all([
      this.prometheus.query(`sum by (instance, ${LABEL.service}) (${SLI_COUNT}{${job}})`),
      this.prometheus.query(`sum by (instance, ${LABEL.service}) (${SLI_COUNT}{${job},${LABEL.status}=~"5.."})`),
      thresholds.length === 0 ? Promise.resolve([]) : this.prometheus.query(`sum by (instance, ${LABEL.service}, le) (${SLI_BUCKET}{${job},le=~"${thresholds.map(escapeRegex).join('|')}"})`),
    ]);
    const counts = new Map<string, ReadonlyMap<string, SloCounts>>();
    for (const slo of this.slos) {
      const perInstance = new Map<string, SloCounts>();
      for (const sample of requests.filter((s) => s.metric[LABEL.service] === slo.service)) {
        const instance = sample.metric.instance ?? '';
        const total = value(sample);
        const good =
          slo.id === 'availability'
            ? total - value(errors.find((s) => s.metric[LABEL.service] === slo.service && s.metric.instance === sample.metric.instance))
            : value(fast.find((s) => s.metric[LABEL.service] === slo.service && s.metric.instance === sample.metric.instance && s.metric.le === leLabel(slo.thresholdSeconds)));
        perInstance.set(instance, { requests: total, good });
      }
      counts.set(`${slo.service}/${slo.id}`, perInstance);
    }
    return counts;
  }

  /** The counters of every replica, summed. */
  async resilience(): Promise<ResilienceReading> {
    const boundaries = [...new Set(this.catalog.services.map((service) => timeoutBoundary(this.catalog, service)).filter((b): b is number => b !== null))].map(leLabel);
    const names = [SLI_COUNT, GATEWAY_METRICS.upstreamRetries.name, GATEWAY_METRICS.upstreamRejected.name].join('|');
    const [counters, buckets] = await Promise.all([
      this.prometheus.query(`{__name__=~"${names}",job="${GATEWAY_JOB}"}`),
      boundaries.length === 0 ? Promise.resolve([]) : this.prometheus.query(`${SLI_BUCKET}{job="${GATEWAY_JOB}",le=~"${boundaries.map(escapeRegex).join('|')}"}`),
    ]);
    return resilienceReading(this.catalog, [...counters, ...buckets.map((s) => ({ ...s, metric: { ...s.metric, __name__: SLI_BUCKET } }))].map((s) => ({ metric: s.metric.__name__, labels: s.metric, value: value(s) })));
  }

  async openCircuits(): Promise<string[]> {
    const open = await this.prometheus.query(`max by (${LABEL.service}) (${GATEWAY_METRICS.circuitState.name}{job="${GATEWAY_JOB}",${LABEL.state}="open"}) == 1`);
    return open.map((s) => s.metric[LABEL.service] ?? '');
  }

  window(from: SliSnapshot, to: SliSnapshot): SloWindow[] {
    return sloWindows(this.catalog, from, to);
  }

  /** Two scrape intervals: the scrape under way when something changed may still carry requests from before. */
  async lagMs(): Promise<number> {
    // A Prometheus just started may not have discovered its targets yet.
    const deadline = Date.now() + TARGETS_DISCOVERED_WITHIN_MS;
    for (;;) {
      try {
        return 2 * (await this.prometheus.scrapeIntervalMs(GATEWAY_JOB));
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}

/** A label value as an exact alternative of a PromQL regex (its backslashes escaped for the string literal). */
function escapeRegex(text: string): string {
  return text.replace(/[.+]/g, '\\\\$&');
}

function value(sample: InstantSample | undefined): number {
  return sample ? Number(sample.value[1]) : 0;
}
