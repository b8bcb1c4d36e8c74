import type { Catalog, Slo } from '../catalog/index.js';
import { GATEWAY_JOB } from '../catalog/conventions.js';
import { errorRatioQuery } from '../generate/prometheus/sli-queries.js';
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

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

/**
 * Asks Prometheus for every SLO's error ratio over the run, with the very query the generated
 * recording rules use (sli-queries.ts). The window reaches one scrape interval past either end of
 * the run, so that the scrapes just before and just after it bound it (a ratio does not change with
 * the quiet time around a run; it does with traffic from others). It waits for those scrapes.
 */
export async function serverView(catalog: Catalog, prometheus: URL, startedAt: Date, endedAt: Date, results: readonly ThresholdResult[]): Promise<ServerView[]> {
  const interval = await scrapeIntervalMs(prometheus);
  const at = new Date(endedAt.getTime() + interval);
  const wait = at.getTime() + interval - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const window = `${Math.ceil((at.getTime() - startedAt.getTime() + interval) / 1000)}s`;
  return Promise.all(catalog.slos.map(async (slo) => {
    const value = await instant(prometheus, errorRatioQuery(slo, window), at);
    const client = results.find((r) => r.threshold.service === slo.service && r.threshold.slo === slo.id)?.errorRatio;
    const margin = slo.budget / 2;
    return { service: slo.service, slo: slo.id, errorRatio: value, clientErrorRatio: client, disagrees: value !== undefined && client !== undefined && Math.abs(value - client) > margin, margin };
  }));
}

async function scrapeIntervalMs(prometheus: URL): Promise<number> {
  const body = await get<{ activeTargets: { scrapePool: string; scrapeInterval?: string }[] }>(new URL('/api/v1/targets?state=active', prometheus));
  const target = body.activeTargets.find((t) => t.scrapePool === GATEWAY_JOB);
  if (!target) throw new PrometheusError(`${prometheus.href} scrapes no job "${GATEWAY_JOB}": it cannot see the gateway's SLIs`);
  const match = /^(\d+)(ms|s|m)$/.exec(target.scrapeInterval ?? '15s');
  return match ? Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm']) : 15_000;
}

async function instant(prometheus: URL, query: string, at: Date): Promise<number | undefined> {
  const url = new URL('/api/v1/query', prometheus);
  url.searchParams.set('query', query);
  url.searchParams.set('time', String(at.getTime() / 1000));
  const body = await get<{ result: { value: [number, string] }[] }>(url);
  const value = body.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

async function get<T>(url: URL): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new PrometheusError(`cannot reach Prometheus at ${url.origin}: ${(error as Error).message}`);
  }
  const body = (await response.json()) as { status: string; data?: T; error?: string };
  if (body.status !== 'success' || body.data === undefined) throw new PrometheusError(`Prometheus refused ${url.pathname}: ${body.error ?? response.status}`);
  return body.data;
}
