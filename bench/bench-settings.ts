import { z } from 'zod';

/**
 * A numeric benchmark setting from the environment (BENCH_ROUNDS and the like). A bad value stops
 * the run at once, naming the variable and what it takes: a benchmark that ran 0 rounds, or NaN
 * seconds, would print figures that mean nothing.
 */
const KINDS = {
  count: { schema: z.coerce.number().int().positive(), valid: 'a whole number above 0' },
  seconds: { schema: z.coerce.number().positive(), valid: 'a number of seconds above 0' },
  secondsOrZero: { schema: z.coerce.number().nonnegative(), valid: 'a number of seconds, 0 or more' },
} as const;

export type SettingKind = keyof typeof KINDS;

export function benchSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, kind: SettingKind): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const parsed = KINDS[kind].schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${name} must be ${KINDS[kind].valid}, got "${raw}"`);
  return parsed.data;
}

/** An on/off benchmark setting (BENCH_PIN and the like): unset, empty or 0 is off, 1 is on. */
export function benchSwitch(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name] ?? '0';
  if (value === '0' || value === '') return false;
  if (value !== '1') throw new Error(`${name} must be 0 or 1, got "${value}"`);
  return true;
}

/** Everything a run of the benchmark is told by its environment; docs/performance/methodology.md says why each default. */
export interface BenchSettings {
  /** Throughput rounds, each running every system once for `seconds`. */
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  /** Unmeasured runs per system before the rounds, as long as the measured ones. */
  readonly warmupRuns: number;
  /** Fixed-rate windows: each system's turn is a lead-in, then a measured window. */
  readonly windowSeconds: number;
  readonly leadInSeconds: number;
  readonly cycles: number;
  /** Also the gateway at 0 % and the simulator alone at the fixed rate. */
  readonly diagnose: boolean;
}

export function readBenchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const seconds = benchSetting(env, 'BENCH_SECONDS', 2, 'seconds');
  const warmupSeconds = benchSetting(env, 'BENCH_WARMUP_SECONDS', 30, 'seconds');
  return {
    rounds: benchSetting(env, 'BENCH_ROUNDS', 15, 'count'),
    seconds,
    connections: benchSetting(env, 'BENCH_CONNECTIONS', 32, 'count'),
    warmupRuns: Math.max(1, Math.round(warmupSeconds / seconds)),
    windowSeconds: benchSetting(env, 'BENCH_WINDOW_SECONDS', 1, 'seconds'),
    leadInSeconds: benchSetting(env, 'BENCH_LEAD_IN_SECONDS', 0.5, 'secondsOrZero'),
    cycles: benchSetting(env, 'BENCH_CYCLES', 120, 'count'),
    diagnose: benchSwitch(env, 'BENCH_DIAGNOSE'),
  };
}
