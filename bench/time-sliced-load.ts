import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { onCpus } from './cpu-pinning.js';
import { boundedVegetaWorkers } from './load.js';
import { percentile } from './median-interval.js';
import { inRoundOrder } from './round-order.js';
import { keepTail } from './stream-tail.js';
import { inTemporaryDirectory } from './temporary-directory.js';

/**
 * Constant-rate load that takes turns between several targets in short windows, from one vegeta
 * process whose connections to every target stay open: a vegeta started per run pays its own
 * start-up in latency, and runs seconds apart meet different neighbours on a shared host; windows
 * of a second, one after the other and in alternating order, meet the same ones. The first cycle
 * warms up every target's connections and is not reported.
 *
 * Each turn starts with a lead-in that is not measured: a system leaves work behind when its turn
 * ends, which would land on the next system's window. With the lead-in, a measured window holds what
 * its own system left behind, as under steady load (docs/performance/methodology.md).
 */
export interface SlicedTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WindowResult {
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface SlicedPlan {
  /** Requests per second, the same for every target. */
  readonly rate: number;
  readonly windowSeconds: number;
  /** Load before each window that is not measured. */
  readonly leadInSeconds: number;
  /** Measured cycles; each gives every target one turn: a lead-in, then a window. */
  readonly cycles: number;
}

export interface SlicedRun {
  /** Per target (in the order given), one window per measured cycle. */
  readonly windows: readonly (readonly WindowResult[])[];
  /** Per target, every measured request's latency in milliseconds, in order. */
  readonly latenciesMs: readonly (readonly number[])[];
  /** Per target, every request it answered, lead-ins and the warm-up cycle's included. */
  readonly requests: readonly number[];
}

/** Which target each turn serves, warm-up cycle first: listed order, then reversed, and so on. */
export function windowSchedule(targetCount: number, cycles: number): number[] {
  const indices = Array.from({ length: targetCount }, (_, index) => index);
  return Array.from({ length: cycles + 1 }, (_, cycle) => inRoundOrder(indices, cycle + 1)).flat();
}

/** One vegeta result, as `vegeta encode --to json` writes it; latency in nanoseconds. */
export interface VegetaResult {
  readonly seq: number;
  readonly url: string;
  readonly code: number;
  readonly latency: number;
  readonly error: string;
}

const TARGETS_EXHAUSTED = 'no targets to attack';

/**
 * Sorts results into their turns' windows. A result's sequence number gives its turn, except that
 * vegeta numbers a request before it reads the target, so at a turn's edge two concurrent
 * requests may swap: a result whose URL is not its turn's target belongs to a neighbour (the end
 * of the turn before, measured, or the lead-in of the turn after, not).
 */
export function sortIntoWindows(results: Iterable<VegetaResult>, targets: readonly SlicedTarget[], plan: SlicedPlan): SlicedRun {
  const schedule = windowSchedule(targets.length, plan.cycles);
  const { leadIn, perTurn } = requestsPerTurn(plan);
  const latencies: number[][] = schedule.map(() => []);
  const errors: number[] = schedule.map(() => 0);
  const requests: number[] = targets.map(() => 0);
  const targetOf = new Map(targets.map((target, index) => [target.url, index]));
  for (const result of results) {
    if (result.error === TARGETS_EXHAUSTED) continue;
    const target = targetOf.get(result.url);
    if (target === undefined) throw new Error(`vegeta reported a request to ${result.url}, which is none of the targets`);
    const nominal = Math.floor(result.seq / perTurn);
    const turn = [nominal, nominal - 1, nominal + 1].find((t) => schedule[t] === target);
    if (turn === undefined) throw new Error(`vegeta request ${result.seq} went to ${result.url} in a turn of ${targets[schedule[nominal] ?? -1]?.url ?? 'no target'}`);
    requests[target] = (requests[target] ?? 0) + 1;
    const measured = turn === nominal ? result.seq - turn * perTurn >= leadIn : turn < nominal;
    if (!measured) continue;
    latencies[turn]?.push(result.latency / 1e6);
    if (result.error !== '' || result.code < 200 || result.code > 299) errors[turn] = (errors[turn] ?? 0) + 1;
  }
  const windows: WindowResult[][] = targets.map(() => []);
  const latenciesMs: number[][] = targets.map(() => []);
  schedule.forEach((target, turn) => {
    if (turn < targets.length) return;
    const values = latencies[turn] ?? [];
    windows[target]?.push(summarize(values, errors[turn] ?? 0));
    latenciesMs[target]?.push(...values);
  });
  return { windows, latenciesMs, requests };
}

export async function vegetaTimeSliced(vegeta: string, targets: readonly SlicedTarget[], plan: SlicedPlan, cpuList?: string): Promise<SlicedRun> {
  const { perTurn } = requestsPerTurn(plan);
  const schedule = windowSchedule(targets.length, plan.cycles);
  const seconds = (schedule.length * perTurn) / plan.rate;
  const results = await inTemporaryDirectory(async (dir) => {
    const output = join(dir, 'results.bin');
    // The duration is a backstop; the attack ends when the targets written here run out.
    const attack = spawn(...onCpus(cpuList, vegeta, ['attack', '-lazy', `-rate=${Math.round(plan.rate)}/s`, ...boundedVegetaWorkers(64), '-max-body=0', `-duration=${Math.ceil(seconds * 2 + 10)}s`, `-output=${output}`]), { stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr = keepTail(attack.stderr);
    const exited = exitOf(attack);
    // A vegeta that quits early (a bad flag) breaks the pipe: its exit code and message tell why.
    attack.stdin.on('error', () => undefined);
    for (const target of schedule) {
      if (attack.stdin.destroyed) break;
      const text = targetText(targets[target] as SlicedTarget).repeat(perTurn);
      if (!attack.stdin.write(text)) await Promise.race([new Promise((resolve) => attack.stdin.once('drain', resolve)), exited]);
    }
    attack.stdin.end();
    const code = await exited;
    if (code !== 0) throw new Error(`vegeta attack exited with ${code}: ${stderr().trim()}`);
    return readResults(vegeta, output);
  });
  return sortIntoWindows(results, targets, plan);
}

function requestsPerTurn(plan: SlicedPlan): { leadIn: number; perTurn: number } {
  const perWindow = Math.round(plan.rate * plan.windowSeconds);
  if (perWindow < 100) throw new Error(`a window of ${plan.windowSeconds} s at ${plan.rate} req/s holds ${perWindow} requests; a p99 needs at least 100`);
  const leadIn = Math.round(plan.rate * plan.leadInSeconds);
  return { leadIn, perTurn: leadIn + perWindow };
}

function targetText(target: SlicedTarget): string {
  return `GET ${target.url}\n${Object.entries(target.headers).map(([name, value]) => `${name}: ${value}\n`).join('')}\n`;
}

async function readResults(vegeta: string, file: string): Promise<VegetaResult[]> {
  const encode = spawn(vegeta, ['encode', '--to', 'json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = keepTail(encode.stderr);
  const exited = exitOf(encode);
  const results: VegetaResult[] = [];
  for await (const line of createInterface({ input: encode.stdout, crlfDelay: Infinity })) {
    if (line === '') continue;
    const { seq, url, code, latency, error } = JSON.parse(line) as VegetaResult;
    results.push({ seq, url, code, latency, error });
  }
  const code = await exited;
  if (code !== 0) throw new Error(`vegeta encode exited with ${code}: ${stderr().trim()}`);
  return results;
}

function summarize(latencies: readonly number[], errors: number): WindowResult {
  return { requests: latencies.length, errors, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

function exitOf(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
