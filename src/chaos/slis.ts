import { GATEWAY_METRICS, LABEL, SLI_BUCKET, SLI_COUNT, leLabel } from '../catalog/conventions.js';
import { isGatewaySlo, type Catalog } from '../catalog/index.js';
import { parseExposition } from '../validate/exposition.js';

/** Requests and good requests of one SLO, counted by the gateway: its histogram's running totals. */
export interface SloCounts {
  readonly requests: number;
  readonly good: number;
}

/** Per SLO (`service/slo`), the counts at one moment. */
export type SliSnapshot = ReadonlyMap<string, SloCounts>;

/** An SLO over a window: its SLI (null without requests) against its objective. */
export interface SloWindow {
  readonly slo: string;
  readonly requests: number;
  readonly good: number;
  readonly sli: number | null;
  readonly objective: number;
  /** Error ratio over the error budget: 1 spends the budget exactly over the period. */
  readonly burnRate: number | null;
  /**
   * The highest good share the window's requests are consistent with (Wilson score, 95 %): a short
   * window proves an SLO broken only when even this is under the objective.
   */
  readonly upper: number | null;
}

/** 95 % two-sided. */
const Z = 1.96;

/** The upper end of the Wilson score interval of good out of requests. */
export function wilsonUpper(good: number, requests: number): number | null {
  if (requests <= 0) return null;
  const p = good / requests;
  const z2 = Z * Z;
  const centre = p + z2 / (2 * requests);
  const spread = Z * Math.sqrt((p * (1 - p)) / requests + z2 / (4 * requests * requests));
  return Math.min(1, (centre + spread) / (1 + z2 / requests));
}

/** Below its objective beyond what chance over this many requests explains. */
export function provenBelow(window: SloWindow): boolean {
  return window.upper !== null && window.upper < window.objective;
}

/**
 * Reads the SLIs from the gateway's own /metrics: the same histogram Prometheus scrapes, read
 * directly, so that a window's requests are exactly the difference of two readings (no scrape
 * interval, no extrapolation). Availability: every request not a 5xx; latency: at or under the threshold.
 */
export class GatewaySlis {
  private readonly slos;

  constructor(
    private readonly metricsUrl: string,
    catalog: Catalog,
  ) {
    this.slos = catalog.slos.filter(isGatewaySlo);
  }

  async snapshot(): Promise<SliSnapshot> {
    const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`${this.metricsUrl} answered ${response.status}`);
    const series = parseExposition(await response.text());
    const counts = new Map<string, SloCounts>();
    for (const slo of this.slos) {
      const own = series.filter((s) => s.labels[LABEL.service] === slo.service);
      const requests = sum(own.filter((s) => s.metric === SLI_COUNT));
      const good =
        slo.id === 'availability'
          ? requests - sum(own.filter((s) => s.metric === SLI_COUNT && (s.labels[LABEL.status] ?? '').startsWith('5')))
          : sum(own.filter((s) => s.metric === SLI_BUCKET && s.labels.le === leLabel(slo.thresholdSeconds)));
      counts.set(`${slo.service}/${slo.id}`, { requests, good });
    }
    return counts;
  }

  /** Services whose gateway breaker is open now (failing fast until its half-open probe succeeds). */
  async openCircuits(): Promise<string[]> {
    const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
    const series = parseExposition(await response.text());
    return series.filter((s) => s.metric === GATEWAY_METRICS.circuitState.name && s.labels[LABEL.state] === 'open' && s.value === 1).map((s) => s.labels[LABEL.service] ?? '');
  }

  /** Every SLO over the window between two readings. */
  window(from: SliSnapshot, to: SliSnapshot): SloWindow[] {
    return this.slos.map((slo) => {
      const key = `${slo.service}/${slo.id}`;
      const requests = (to.get(key)?.requests ?? 0) - (from.get(key)?.requests ?? 0);
      const good = (to.get(key)?.good ?? 0) - (from.get(key)?.good ?? 0);
      const sli = requests > 0 ? good / requests : null;
      return { slo: key, requests, good, sli, objective: slo.objective, burnRate: sli === null ? null : (1 - sli) / slo.budget, upper: wilsonUpper(good, requests) };
    });
  }
}

function sum(series: readonly { value: number }[]): number {
  return series.reduce((total, s) => total + s.value, 0);
}
