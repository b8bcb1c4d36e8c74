import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { BenchSettings } from './bench-settings.js';
import type { CpuLayout } from './cpu-pinning.js';
import type { FixedRatePhase, FixedRateResult } from './fixed-rate.js';
import { median, type MedianInterval } from './median-interval.js';
import { PATH, PROXY_IDS, type Rig } from './setup.js';
import { medians, round1, round2, throughputTargets, type ThroughputRuns, type ThroughputTarget } from './throughput.js';

export const RESULTS_FILE = 'bench/results.json';

export interface BenchOutcome {
  readonly rig: Rig;
  readonly settings: BenchSettings;
  readonly pinning: CpuLayout | undefined;
  readonly throughput: ThroughputRuns;
  readonly fixed: FixedRatePhase;
  /** Spans each gateway dropped unexported over the whole run, read from its /metrics. */
  readonly spansDropped: Readonly<Record<string, number>>;
}

/** Prints the summary (medians, the fixed-rate windows, the targets, the host's noise) and writes results.json. */
export function report(outcome: BenchOutcome, log: (line: string) => void): void {
  const { rig, settings, throughput, fixed, spansDropped } = outcome;
  const bareMedian = medians(throughput.runs.bare);
  const fastifyMedian = medians(throughput.runs.fastify);
  const bareCpu = median([...throughput.cpuMicros.bare]);
  const rows = PROXY_IDS.map((id) => {
    const m = medians(throughput.runs[id]);
    const cpuMicros = median([...throughput.cpuMicros[id]]);
    return { system: rig.proxies[id].label, requests_per_second: round1(m.requestsPerSecond), p50_ms: round2(m.p50Ms), p99_ms: round2(m.p99Ms), error_ratio: m.errorRatio, vs_bare: round2(m.requestsPerSecond / bareMedian.requestsPerSecond), vs_fastify: round2(m.requestsPerSecond / fastifyMedian.requestsPerSecond), cpu_us_per_request: round1(cpuMicros), cpu_vs_bare: round2(cpuMicros / bareCpu) };
  });
  const resultOf = (id: string): FixedRateResult => {
    const result = fixed.results.get(id);
    if (!result) throw new Error(`no fixed-rate result for ${id}`);
    return result;
  };
  const gatewayTen = resultOf('gateway-10');
  const targets: ThroughputTarget[] = [...throughputTargets(throughput), p99Target(gatewayTen, settings.cycles)];
  const gapText = (id: string): string => `gap to bare ${intervalText(resultOf(id).gapToFirst)}`;
  const notes: Readonly<Record<string, string>> = {
    'bare-twin': ': what this host can resolve',
    'gateway-0': ': the gateway without tracing',
  };
  // The bare proxy does the same work every round: the spread of its CPU per request is the host's.
  const hostNoise = { bare_cpu_us_per_request_min: round1(Math.min(...throughput.cpuMicros.bare)), bare_cpu_us_per_request_max: round1(Math.max(...throughput.cpuMicros.bare)) };

  log('\nmedians');
  log(`${'system'.padEnd(32)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'x bare'.padStart(9)}${'x fastify'.padStart(11)}${'cpu us/req'.padStart(12)}${'cpu x bare'.padStart(12)}`);
  for (const row of rows) log(`${row.system.padEnd(32)}${row.requests_per_second.toFixed(0).padStart(9)}${row.p50_ms.toFixed(2).padStart(9)}${row.p99_ms.toFixed(2).padStart(9)}${row.vs_bare.toFixed(2).padStart(9)}${row.vs_fastify.toFixed(2).padStart(11)}${row.cpu_us_per_request.toFixed(1).padStart(12)}${row.cpu_vs_bare.toFixed(2).padStart(12)}`);
  log(`at ${fixed.rate.toFixed(0)} req/s, ${settings.cycles} windows of ${settings.windowSeconds} s each, after ${settings.leadInSeconds} s of lead-in (medians of the windows' p99; pooled: one p99 over all of a system's requests):`);
  for (const system of fixed.systems) {
    const result = resultOf(system.id);
    const cpuText = Number.isNaN(result.cpuMicros) ? ''.padEnd(19) : `cpu ${result.cpuMicros.toFixed(1).padStart(6)} us/req`;
    const p99s = result.windows.map((window) => window.p99Ms);
    const note = system.id === rig.simulatorAlone.id ? `: the floor (${round2(Math.min(...p99s))}-${round2(Math.max(...p99s))} ms over the windows)` : (notes[system.id] ?? '');
    log(`  ${system.label.padEnd(30)} p99 ${result.p99Ms.toFixed(2).padStart(6)} ms  pooled ${result.pooledP99Ms.toFixed(2).padStart(6)} ms  ${cpuText}${system.id === 'bare' ? '' : `  ${gapText(system.id)}${note}`}`);
  }
  if (fixed.samplingShare) log(`  sampling's own share: the 10 % gateway's p99 minus the 0 % gateway's, window by window, ${intervalText(fixed.samplingShare)}`);
  log('\ntargets');
  for (const t of targets) log(`${t.verdict === 'met' ? 'met      ' : t.verdict.toUpperCase().padEnd(9)} ${t.target}: ${t.value} (holds in ${t.rounds_met} ${t.target.includes('p99') ? `windows; ${gapText('gateway-10')}` : `rounds; median of the rounds' own ratios ${t.median_of_rounds}`})`);
  log(`host noise: the bare proxy's CPU time per request ranged ${hostNoise.bare_cpu_us_per_request_min}-${hostNoise.bare_cpu_us_per_request_max} us over the rounds`);
  const dropped = Object.entries(spansDropped).map(([id, count]) => `${rig.proxies[id as 'gateway-0'].label}: ${count}`);
  log(`spans dropped, from the gateways' /metrics: ${dropped.join(', ')}${Object.values(spansDropped).some((n) => n > 0) ? ' (those gateways exported fewer spans than their sampling asked for)' : ''}`);

  mkdirSync('bench', { recursive: true });
  const results = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    config: { rounds: settings.rounds, seconds: settings.seconds, warmup_runs: settings.warmupRuns, connections: settings.connections, path: PATH, pinned: outcome.pinning ?? false },
    host_noise: hostNoise,
    spans_dropped: spansDropped,
    max_throughput: rows,
    fixed_rate: {
      bare_vegeta_max: round1(fixed.bareVegetaMax),
      rate: round1(fixed.rate),
      window_seconds: settings.windowSeconds,
      lead_in_seconds: settings.leadInSeconds,
      cycles: settings.cycles,
      diagnose: settings.diagnose,
      systems: [...fixed.results.values()].map(fixedRateSummary),
      ...(fixed.samplingShare && { sampling_share_ms: roundedInterval(fixed.samplingShare) }),
    },
    targets,
    runs: { max: throughput.runs, fixed: Object.fromEntries([...fixed.results].map(([id, result]) => [id, result.windows])) },
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwritten: ${RESULTS_FILE}`);
}

/** Met when the whole interval of the gateway's median gap to bare lies within 1 ms, missed when none of it does. */
function p99Target(gateway: FixedRateResult, cycles: number): ThroughputTarget {
  const gap = gateway.gapToFirst;
  const verdict = gap.high <= 1 ? 'met' : gap.low > 1 ? 'missed' : 'undecided';
  return { target: 'sampling 10 %: p99 within 1 ms of bare at half its max rate', value: round2(gap.median), met: verdict === 'met', verdict, rounds_met: `${gateway.gapsMs.filter((g) => g <= 1).length}/${cycles}`, median_of_rounds: round2(gap.median) };
}

const signed = (n: number): string => `${n > 0 ? '+' : ''}${n.toFixed(2)}`;

/** A median gap in ms with its interval, as the summary prints it. */
function intervalText({ median: gap, low, high, confidence }: MedianInterval): string {
  return `${signed(gap)} ms (${Math.round(confidence * 100)} % interval ${signed(low)} to ${signed(high)})`;
}

function roundedInterval({ median: gap, low, high, confidence }: MedianInterval): Record<'median' | 'low' | 'high' | 'confidence', number> {
  return { median: round2(gap), low: round2(low), high: round2(high), confidence: round2(confidence) };
}

function fixedRateSummary(result: FixedRateResult): Record<string, unknown> {
  return {
    id: result.id,
    p50_ms: round2(result.p50Ms),
    p99_ms: round2(result.p99Ms),
    pooled_p99_ms: round2(result.pooledP99Ms),
    cpu_us_per_request: Number.isNaN(result.cpuMicros) ? null : round1(result.cpuMicros),
    gap_to_bare_ms: { ...roundedInterval(result.gapToFirst), within_1_ms: `${result.gapsMs.filter((g) => Math.abs(g) <= 1).length}/${result.gapsMs.length}` },
  };
}
