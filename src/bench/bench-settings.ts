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
