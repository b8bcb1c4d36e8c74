import { SLI_WINDOWS } from '../catalog/burn-rate.js';
import { ALERT_NAME_PATTERN, PERIOD_BUDGET_REMAINING, PERIOD_ERROR_RATIO, sliErrorRatio } from '../catalog/conventions.js';
import { formatDuration, type Catalog, type Slo } from '../catalog/index.js';
import type { PrometheusClient } from '../prometheus/client.js';

/** One SLO now: its SLI over the windows, the budget left, how fast it burns, what fires. */
export interface SloStatus {
  readonly service: string;
  readonly slo: Slo['id'];
  readonly objective: number;
  readonly budget: number;
  readonly period: string;
  readonly description: string;
  /** Share of good events over each window, and over the SLO's period; null without events. */
  readonly sli: Readonly<Record<string, number | null>>;
  /** Share of the period's error budget still unspent (below 0: broken for the period). */
  readonly budget_remaining: number | null;
  /** Error ratio over each alert window divided by the budget: 1 spends it exactly over the period. */
  readonly burn_rates: Readonly<Record<string, number | null>>;
  /** Alerts firing for it now. */
  readonly firing: readonly string[];
  /** Burn rate over 1 h, sampled across the history window, oldest first; for sparklines. */
  readonly history?: readonly (number | null)[];
}

export interface SloStatusReport {
  readonly at: string;
  readonly slos: readonly SloStatus[];
}

/** The windows the status reports an SLI over, besides the period. */
const STATUS_WINDOWS = ['5m', '1h', '1d'] as const;
const HISTORY_POINTS = 48;

/**
 * Every SLO's status from the generated recording rules: one query per window for all SLOs at
 * once (never one per SLO), all in parallel, so that the answer takes about as long as
 * Prometheus's slowest query. `historyHours` adds each SLO's 1 h burn rate over that many hours.
 */
export async function sloStatus(catalog: Catalog, prometheus: PrometheusClient, historyHours = 0, at = new Date()): Promise<SloStatusReport> {
  const step = Math.max(60, Math.round((historyHours * 3600) / HISTORY_POINTS));
  const bySlo = (samples: readonly { metric: Readonly<Record<string, string>>; value: readonly [number, string] }[]): Map<string, number> =>
    new Map(samples.map((sample) => [key(sample.metric.service ?? '', sample.metric.slo ?? ''), Number(sample.value[1])]));
  const [windows, period, remaining, alerts, history] = await Promise.all([
    Promise.all(SLI_WINDOWS.map(async (window) => [window, bySlo(await prometheus.query(sliErrorRatio(window), at))] as const)),
    prometheus.query(PERIOD_ERROR_RATIO, at).then(bySlo),
    prometheus.query(PERIOD_BUDGET_REMAINING, at).then(bySlo),
    prometheus.query(`ALERTS{alertstate="firing",alertname=~"${ALERT_NAME_PATTERN}"}`, at),
    historyHours > 0
      ? prometheus.queryRange(sliErrorRatio('1h'), new Date(at.getTime() - historyHours * 3_600_000), at, step)
      : Promise.resolve([]),
  ]);
  const ratios = new Map(windows);
  const firing = new Map<string, string[]>();
  for (const alert of alerts) {
    const id = key(alert.metric.service ?? '', alert.metric.slo ?? '');
    firing.set(id, [...(firing.get(id) ?? []), alert.metric.alertname ?? '?']);
  }
  const historyBySlo = new Map(history.map((series) => [key(series.metric.service ?? '', series.metric.slo ?? ''), series]));
  const start = at.getTime() / 1000 - historyHours * 3600;
  return {
    at: at.toISOString(),
    slos: catalog.slos.map((slo) => {
      const id = key(slo.service, slo.id);
      const good = (ratio: number | undefined): number | null => (ratio === undefined || Number.isNaN(ratio) ? null : 1 - ratio);
      const series = historyBySlo.get(id);
      const points = historyHours > 0 ? Array.from({ length: HISTORY_POINTS + 1 }, (_, index) => {
        const value = series?.values.find(([t]) => Math.abs(t - (start + index * step)) < step / 2)?.[1];
        return value === undefined ? null : Number(value) / slo.budget;
      }) : undefined;
      return {
        service: slo.service,
        slo: slo.id,
        objective: slo.objective,
        budget: slo.budget,
        period: formatDuration(slo.periodMs),
        description: slo.description,
        sli: { ...Object.fromEntries(STATUS_WINDOWS.map((window) => [window, good(ratios.get(window)?.get(id))])), period: good(period.get(id)) },
        budget_remaining: remaining.get(id) ?? null,
        burn_rates: Object.fromEntries(SLI_WINDOWS.map((window) => {
          const ratio = ratios.get(window)?.get(id);
          return [window, ratio === undefined ? null : ratio / slo.budget];
        })),
        firing: [...new Set(firing.get(id) ?? [])].sort(),
        ...(points ? { history: points } : {}),
      };
    }),
  };
}

function key(service: string, slo: string): string {
  return `${service}\u0000${slo}`;
}
