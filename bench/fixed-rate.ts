import type { BenchSettings } from './bench-settings.js';
import type { CpuLayout } from './cpu-pinning.js';
import { processCpuSeconds } from './cpu-time.js';
import { vegetaRate, wrkMax } from './load.js';
import { median, medianInterval, percentile, type MedianInterval } from './median-interval.js';
import { urlOf, type Rig, type System } from './setup.js';
import { medians, repeat } from './throughput.js';
import { vegetaTimeSliced, type SlicedPlan, type SlicedRun, type WindowResult } from './time-sliced-load.js';

/**
 * p99 at a fixed arrival rate, several systems compared with the first. The systems take turns in
 * windows of a second (time-sliced-load.ts); each is judged by its windows' p99s, and each window
 * against the first system's window of the same cycle, seconds apart: the pair met the same
 * neighbours. One p99 pooled over minutes is set by whichever system met the host's worst minute
 * (docs/performance/methodology.md).
 */
export interface FixedRateSystem {
  readonly id: string;
  readonly url: string;
  /** The process whose CPU time the system's requests are charged; none for a system sharing one. */
  readonly pid?: number;
}

export interface FixedRateOptions {
  readonly vegeta: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly plan: SlicedPlan;
  /** How sure the interval of each gap to the first system is (0-1). */
  readonly confidence: number;
  readonly cpuList?: string;
}

export interface FixedRateResult {
  readonly id: string;
  /** Medians of the windows' p50 and p99. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** One p99 over every request of every window, for reference: set by the host's worst minutes. */
  readonly pooledP99Ms: number;
  /** CPU time of the system's process per request, warm-up included; NaN without a process. */
  readonly cpuMicros: number;
  /** Per cycle, the window's p99 minus the first system's window's. */
  readonly gapsMs: readonly number[];
  /** The median of those gaps and its interval. */
  readonly gapToFirst: MedianInterval;
  readonly windows: readonly WindowResult[];
}

export async function p99AtFixedRate(systems: readonly FixedRateSystem[], options: FixedRateOptions): Promise<FixedRateResult[]> {
  const cpuBefore = systems.map((system) => (system.pid === undefined ? Number.NaN : processCpuSeconds(system.pid)));
  const run = await vegetaTimeSliced(options.vegeta, systems.map((system) => ({ url: system.url, headers: options.headers })), options.plan, options.cpuList);
  const cpuSeconds = systems.map((system, index) => (system.pid === undefined ? Number.NaN : processCpuSeconds(system.pid) - (cpuBefore[index] ?? Number.NaN)));
  return systems.map((system, index) => summarize(system, run, index, ((cpuSeconds[index] ?? Number.NaN) * 1e6) / (run.requests[index] ?? Number.NaN), options.confidence));
}

function summarize(system: FixedRateSystem, run: SlicedRun, index: number, cpuMicros: number, confidence: number): FixedRateResult {
  const windows = run.windows[index] ?? [];
  const first = run.windows[0] ?? [];
  const gaps = windows.map((window, cycle) => window.p99Ms - (first[cycle]?.p99Ms ?? Number.NaN));
  return {
    id: system.id,
    p50Ms: median(windows.map((window) => window.p50Ms)),
    p99Ms: median(windows.map((window) => window.p99Ms)),
    pooledP99Ms: percentile(run.latenciesMs[index] ?? [], 0.99),
    cpuMicros,
    gapsMs: gaps,
    gapToFirst: medianInterval(gaps, confidence),
    windows,
  };
}

/** The fixed-rate phase: which systems took turns, at what rate, and how each fared against bare. */
export interface FixedRatePhase {
  readonly bareVegetaMax: number;
  readonly rate: number;
  readonly systems: readonly System[];
  readonly results: ReadonlyMap<string, FixedRateResult>;
  /** With diagnose: the 10 % gateway's windows against the 0 % gateway's of the same cycles. */
  readonly samplingShare: MedianInterval | undefined;
}

const CONFIDENCE = 0.9;

/**
 * Offers half of the bare proxy's maximum (as vegeta itself drives it) to bare, the gateway at
 * 10 % and the twin bare proxy in turns; with `diagnose`, also to the gateway at 0 % and the
 * simulator alone. vegeta, not wrk, measures that maximum: it costs more CPU per request, so
 * wrk's maximum would overload it.
 */
export async function measureFixedRate(rig: Rig, settings: BenchSettings, vegeta: string, pinning: CpuLayout | undefined, log: (line: string) => void): Promise<FixedRatePhase> {
  const { bare } = rig.proxies;
  const vegetaMax = medians(await repeat(settings.rounds, () => vegetaRate(vegeta, urlOf(bare), rig.headers, 0, settings.seconds, settings.connections, pinning?.rest)));
  const rate = vegetaMax.requestsPerSecond / 2;
  log(`\nbare proxy maximum under vegeta (${settings.connections} workers): ${vegetaMax.requestsPerSecond.toFixed(0)} req/s`);
  log(`p99 at half of it (${rate.toFixed(0)} req/s, constant arrival rate, vegeta)`);
  const twin = await rig.startTwin();
  await repeat(settings.warmupRuns, () => wrkMax(urlOf(twin), rig.headers, settings.seconds, settings.connections, pinning?.rest));
  const gatewayTen = rig.proxies['gateway-10'];
  const gatewayZero = rig.proxies['gateway-0'];
  const systems = settings.diagnose ? [bare, gatewayTen, gatewayZero, twin, rig.simulatorAlone] : [bare, gatewayTen, twin];
  const plan = { rate, windowSeconds: settings.windowSeconds, leadInSeconds: settings.leadInSeconds, cycles: settings.cycles };
  const fixed = await p99AtFixedRate(systems.map((s) => ({ id: s.id, url: urlOf(s), ...(s.pid === undefined ? {} : { pid: s.pid }) })), { vegeta, headers: rig.headers, plan, confidence: CONFIDENCE, ...(pinning ? { cpuList: pinning.rest } : {}) });
  const results = new Map(fixed.map((result) => [result.id, result]));
  for (let cycle = 0; cycle < settings.cycles; cycle++) {
    log(`cycle ${String(cycle + 1).padStart(2)} p99 ms: ${fixed.map((r) => `${r.id} ${(r.windows[cycle]?.p99Ms ?? Number.NaN).toFixed(2)}`).join('  ')}`);
  }
  const zero = results.get(gatewayZero.id);
  const ten = results.get(gatewayTen.id);
  const samplingShare = settings.diagnose && zero && ten ? medianInterval(ten.windows.map((window, cycle) => window.p99Ms - (zero.windows[cycle]?.p99Ms ?? Number.NaN)), CONFIDENCE) : undefined;
  return { bareVegetaMax: vegetaMax.requestsPerSecond, rate, systems, results, samplingShare };
}
