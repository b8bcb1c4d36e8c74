import { GATEWAY_METRICS, LABEL, SLI_BUCKET, SLI_COUNT, leLabel } from '../catalog/conventions.js';
import { isGatewaySlo, type Catalog } from '../catalog/index.js';
import { parseExposition, type ExposedSeries } from '../validate/exposition.js';
import { resilienceReading, type ResilienceReading } from './resilience.js';

/** Requests and good requests of one SLO, counted by the gateway: its histogram's running totals. */
export interface SloCounts {
  readonly requests: number;
  readonly good: number;
}

/**
 * Per SLO (`service/slo`), the counts at one moment of each gateway instance that served it (one
 * key, '', when read from a single gateway): counters restart with their process, so each
 * instance's difference is taken on its own.
 */
export type SliSnapshot = ReadonlyMap<string, ReadonlyMap<string, SloCounts>>;

/** Where the SLIs come from while an experiment runs. */
export interface SliSource {
  /** Named in the report: what the SLIs were read from. */
  readonly description: string;
  snapshot(): Promise<SliSnapshot>;
  /** Services whose gateway breaker is open now (failing fast until its half-open probe succeeds). */
  openCircuits(): Promise<string[]>;
  /** Every SLO over the window between two readings. */
  window(from: SliSnapshot, to: SliSnapshot): SloWindow[];
  /** How far a reading may trail the requests: a window begun sooner after a change still counts requests from before it. */
  lagMs(): Promise<number>;
  /** The gateway's retry, rejection and error counters per service now. */
  resilience(): Promise<ResilienceReading>;
}

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

/** Every gateway SLO of the catalog over the window between two readings. */
export function sloWindows(catalog: Catalog, from: SliSnapshot, to: SliSnapshot): SloWindow[] {
  return catalog.slos.filter(isGatewaySlo).map((slo) => {
    const key = `${slo.service}/${slo.id}`;
    let requests = 0;
    let good = 0;
    for (const [instance, now] of to.get(key) ?? new Map<string, SloCounts>()) {
      const before = from.get(key)?.get(instance) ?? { requests: 0, good: 0 };
      // A counter lower than before restarted (a new process, a pod replaced): all of it is new, as rate() counts it.
      const restarted = now.requests < before.requests;
      requests += restarted ? now.requests : now.requests - before.requests;
      good += restarted ? now.good : now.good - before.good;
    }
    const sli = requests > 0 ? good / requests : null;
    return { slo: key, requests, good, sli, objective: slo.objective, burnRate: sli === null ? null : (1 - sli) / slo.budget, upper: wilsonUpper(good, requests) };
  });
}

/**
 * Reads the SLIs from the gateway's own /metrics: the same histogram Prometheus scrapes, read
 * directly, so that a window's requests are exactly the difference of two readings (no scrape
 * interval, no extrapolation). Availability: every request not a 5xx; latency: at or under the threshold.
 */
export class GatewaySlis implements SliSource {
  private readonly slos;
  readonly description: string;

  constructor(
    private readonly metricsUrl: string,
    private readonly catalog: Catalog,
  ) {
    this.slos = catalog.slos.filter(isGatewaySlo);
    this.description = `the gateway's own metrics (${metricsUrl})`;
  }

  private async read(): Promise<ExposedSeries[]> {
    const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`${this.metricsUrl} answered ${response.status}`);
    return parseExposition(await response.text());
  }

  async resilience(): Promise<ResilienceReading> {
    return resilienceReading(this.catalog, await this.read());
  }

  async snapshot(): Promise<SliSnapshot> {
    const series = await this.read();
    const counts = new Map<string, ReadonlyMap<string, SloCounts>>();
    for (const slo of this.slos) {
      const own = series.filter((s) => s.labels[LABEL.service] === slo.service);
      const requests = sum(own.filter((s) => s.metric === SLI_COUNT));
      const good =
        slo.id === 'availability'
          ? requests - sum(own.filter((s) => s.metric === SLI_COUNT && (s.labels[LABEL.status] ?? '').startsWith('5')))
          : sum(own.filter((s) => s.metric === SLI_BUCKET && s.labels.le === leLabel(slo.thresholdSeconds)));
      counts.set(`${slo.service}/${slo.id}`, new Map([['', { requests, good }]]));
    }
    return counts;
  }

  async openCircuits(): Promise<string[]> {
    const series = await this.read();
    return series.filter((s) => s.metric === GATEWAY_METRICS.circuitState.name && s.labels[LABEL.state] === 'open' && s.value === 1).map((s) => s.labels[LABEL.service] ?? '');
  }

  window(from: SliSnapshot, to: SliSnapshot): SloWindow[] {
    return sloWindows(this.catalog, from, to);
  }

  lagMs(): Promise<number> {
    return Promise.resolve(0);
  }
}

function sum(series: readonly { value: number }[]): number {
  return series.reduce((total, s) => total + s.value, 0);
}
