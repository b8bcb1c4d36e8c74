import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onCpus } from './cpu-pinning.js';
import { inTemporaryDirectory } from './temporary-directory.js';

const exec = promisify(execFile);

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** Requests completed in the run. */
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Share of requests that did not answer 2xx. */
  readonly errorRatio: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000 };

/**
 * Closed-loop maximum throughput with wrk (C, one thread, so the proxy keeps most of the CPU).
 * With `cpuList`, wrk runs only on those CPUs.
 */
export async function wrkMax(url: string, headers: Readonly<Record<string, string>>, seconds: number, connections: number, cpuList?: string): Promise<LoadResult> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const { stdout } = await exec(...onCpus(cpuList, 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url]), { maxBuffer: 1 << 20 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const total = /(\d+) requests in/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const failed = Number(non2xx?.[1] ?? 0) + (errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return {
    requestsPerSecond: Number(rps?.[1] ?? Number.NaN),
    requests: Number(total?.[1] ?? Number.NaN),
    p50Ms: percentile(stdout, '50%'),
    p99Ms: percentile(stdout, '99%'),
    errorRatio: total ? failed / Math.max(1, Number(total[1])) : 1,
  };
}

function percentile(stdout: string, label: string): number {
  const match = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout);
  return match ? Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? Number.NaN) : Number.NaN;
}

/**
 * Open-loop constant-rate load with vegeta: latency at a fixed offered rate, free of coordinated
 * omission. A rate of 0 means as fast as `maxWorkers` workers can go (vegeta's own maximum).
 * With `cpuList`, vegeta runs only on those CPUs.
 */
export async function vegetaRate(vegeta: string, url: string, headers: Readonly<Record<string, string>>, rate: number, seconds: number, maxWorkers = 64, cpuList?: string): Promise<LoadResult> {
  return inTemporaryDirectory(async (dir) => {
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, `GET ${url}\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\n')}\n`);
    const results = join(dir, 'results.bin');
    await exec(...onCpus(cpuList, vegeta, ['attack', `-targets=${targets}`, rate > 0 ? `-rate=${Math.round(rate)}/s` : '-rate=0', ...boundedVegetaWorkers(maxWorkers), `-duration=${seconds}s`, '-keepalive=true', `-output=${results}`]));
    const { stdout } = await exec(vegeta, ['report', '-type=json', results]);
    const report = JSON.parse(stdout) as { requests: number; throughput: number; success: number; latencies: Record<string, number> };
    return {
      requestsPerSecond: report.throughput,
      requests: report.requests,
      p50Ms: (report.latencies['50th'] ?? Number.NaN) / 1e6,
      p99Ms: (report.latencies['99th'] ?? Number.NaN) / 1e6,
      errorRatio: 1 - report.success,
    };
  });
}

/** vegeta's worker and connection flags, bounded: an overloaded moment must not snowball into thousands of sockets. */
export function boundedVegetaWorkers(maxWorkers: number): string[] {
  return [`-max-workers=${maxWorkers}`, `-workers=${Math.min(maxWorkers, 16)}`, `-max-connections=${maxWorkers}`];
}
