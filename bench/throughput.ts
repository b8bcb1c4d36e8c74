import type { BenchSettings } from './bench-settings.js';
import { processCpuSeconds } from './cpu-time.js';
import type { CpuLayout } from './cpu-pinning.js';
import { wrkMax, type LoadResult } from './load.js';
import { median } from './median-interval.js';
import { inRoundOrder } from './round-order.js';
import { PROXY_IDS, urlOf, type ProxyId, type Rig, type System } from './setup.js';

/** Every system's runs, in round order, with the CPU its process spent per request in each. */
export interface ThroughputRuns {
  readonly runs: Readonly<Record<ProxyId, readonly LoadResult[]>>;
  readonly cpuMicros: Readonly<Record<ProxyId, readonly number[]>>;
}

export interface ThroughputTarget {
  readonly target: string;
  readonly value: number;
  readonly met: boolean;
  readonly verdict: 'met' | 'missed' | 'undecided';
  /** How many rounds (or windows) it held in, such as "13/15". */
  readonly rounds_met: string;
  readonly median_of_rounds: number;
}

/** Closed-loop maximum of each system with wrk: warm-up runs first, then rounds in alternating order. */
export async function measureThroughput(rig: Rig, settings: BenchSettings, pinning: CpuLayout | undefined, log: (line: string) => void): Promise<ThroughputRuns> {
  const maxLoad = (system: System): Promise<LoadResult> => wrkMax(urlOf(system), rig.headers, settings.seconds, settings.connections, pinning?.rest);
  const systems = PROXY_IDS.map((id) => rig.proxies[id]);
  for (const system of systems) await repeat(settings.warmupRuns, () => maxLoad(system));
  const runs = Object.fromEntries(PROXY_IDS.map((id) => [id, [] as LoadResult[]])) as Record<ProxyId, LoadResult[]>;
  const cpuMicros = Object.fromEntries(PROXY_IDS.map((id) => [id, [] as number[]])) as Record<ProxyId, number[]>;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const id of inRoundOrder(PROXY_IDS, round)) {
      const system = rig.proxies[id];
      const { result, cpu } = await withCpuPerRequest(system, () => maxLoad(system));
      runs[id].push(result);
      cpuMicros[id].push(cpu);
      log(`round ${round} ${system.label.padEnd(30)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  cpu ${cpu.toFixed(1)} us/req  errors ${(result.errorRatio * 100).toFixed(2)} %`);
    }
  }
  return { runs, cpuMicros };
}

/** The three throughput targets, judged on the medians and round by round (docs/performance/methodology.md). */
export function throughputTargets({ runs }: ThroughputRuns): ThroughputTarget[] {
  const ratioOfMedians = (a: ProxyId, b: ProxyId): number => round2(medians(runs[a]).requestsPerSecond / medians(runs[b]).requestsPerSecond);
  const roundRatios = (a: ProxyId, b: ProxyId): number[] => runs[a].flatMap((result, index) => {
    const other = runs[b][index];
    return other ? [result.requestsPerSecond / other.requestsPerSecond] : [];
  });
  const target = (text: string, a: ProxyId, b: ProxyId, floor: number): ThroughputTarget => {
    const value = ratioOfMedians(a, b);
    const ratios = roundRatios(a, b);
    return { target: text, value, met: value >= floor, verdict: value >= floor ? 'met' : 'missed', rounds_met: `${ratios.filter((r) => r >= floor).length}/${ratios.length}`, median_of_rounds: round2(median(ratios)) };
  };
  return [
    target('sampling 0 % >= 1.0x fastify-http-proxy', 'gateway-0', 'fastify', 1.0),
    target('sampling 0 % >= 0.85x bare proxy', 'gateway-0', 'bare', 0.85),
    target('sampling 100 % >= 0.6x bare proxy', 'gateway-100', 'bare', 0.6),
  ];
}

/** Runs a load against `system` and charges the CPU its process used meanwhile to each request. */
async function withCpuPerRequest(system: System, run: () => Promise<LoadResult>): Promise<{ result: LoadResult; cpu: number }> {
  const before = processCpuSeconds(system.pid ?? 0);
  const result = await run();
  return { result, cpu: ((processCpuSeconds(system.pid ?? 0) - before) * 1e6) / result.requests };
}

export async function repeat(count: number, run: () => Promise<LoadResult>): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (let index = 0; index < count; index++) results.push(await run());
  return results;
}

export function medians(results: readonly LoadResult[]): LoadResult {
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    requests: median(results.map((r) => r.requests)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    errorRatio: median(results.map((r) => r.errorRatio)),
  };
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;
