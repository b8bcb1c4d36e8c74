import { isGatewaySlo, type Catalog, type Slo } from '../catalog/index.js';
import { GATEWAY_JOB } from '../catalog/conventions.js';
import { errorRatioQuery } from '../generate/prometheus/sli-queries.js';
import type { PrometheusClient } from '../prometheus/client.js';
import type { ThresholdResult } from './judge.js';

/** The gateway's own SLI over the run's window, as its recording rules compute it. */
export interface ServerView {
  readonly service: string;
  readonly slo: Slo['id'];
  /** The error ratio Prometheus computed; undefined when it had no traffic for the SLO. */
  readonly errorRatio: number | undefined;
  readonly clientErrorRatio: number | undefined;
  /** |server - client| beyond the margin (half the SLO's budget): the two views disagree. */
  readonly disagrees: boolean;
  readonly margin: number;
}

/**
 * Asks Prometheus for every SLO's error ratio over the run, with the very query the generated
 * recording rules use (sli-queries.ts). The window reaches one scrape interval past either end of
 * the run, so that the scrapes just before and just after it bound it (a ratio does not change with
 * the quiet time around a run; it does with traffic from others). It waits for those scrapes.
 */
export async function serverView(catalog: Catalog, prometheus: PrometheusClient, startedAt: Date, endedAt: Date, results: readonly ThresholdResult[]): Promise<ServerView[]> {
  const interval = await prometheus.scrapeIntervalMs(GATEWAY_JOB);
  const at = new Date(endedAt.getTime() + interval);
  const wait = at.getTime() + interval - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const window = `${Math.ceil((at.getTime() - startedAt.getTime() + interval) / 1000)}s`;
  return Promise.all(catalog.slos.filter(isGatewaySlo).map(async (slo) => {
    const value = (await prometheus.query(errorRatioQuery(slo, window), at))[0]?.value[1];
    const errorRatio = value === undefined ? undefined : Number(value);
    const client = results.find((r) => r.threshold.service === slo.service && r.threshold.slo === slo.id)?.errorRatio;
    const margin = slo.budget / 2;
    return { service: slo.service, slo: slo.id, errorRatio, clientErrorRatio: client, disagrees: errorRatio !== undefined && client !== undefined && Math.abs(errorRatio - client) > margin, margin };
  }));
}
