import { parseDuration } from './duration.js';

/**
 * The multi-window, multi-burn-rate alerting policy of the Google SRE Workbook, kept as data.
 * Factors are derived, not typed in: factor = budget share x period / long window, so a 30-day
 * period gives the familiar 14.4 / 6 / 3 / 1, and another period gets its own.
 */
export interface BurnRateTier {
  /** 1 is the fastest; a faster tier inhibits every slower one for the same SLO. */
  readonly rank: number;
  readonly name: 'fast' | 'medium' | 'slow' | 'very-slow';
  readonly severity: 'critical' | 'warning';
  readonly longWindow: string;
  readonly shortWindow: string;
  /** Share of the period's error budget this tier lets burn before it fires. */
  readonly budgetShare: number;
}

export const BURN_RATE_TIERS: readonly BurnRateTier[] = [
  { rank: 1, name: 'fast', severity: 'critical', longWindow: '1h', shortWindow: '5m', budgetShare: 0.02 },
  { rank: 2, name: 'medium', severity: 'critical', longWindow: '6h', shortWindow: '30m', budgetShare: 0.05 },
  { rank: 3, name: 'slow', severity: 'warning', longWindow: '1d', shortWindow: '2h', budgetShare: 0.1 },
  { rank: 4, name: 'very-slow', severity: 'warning', longWindow: '3d', shortWindow: '6h', budgetShare: 0.1 },
];

/** Every window any tier reads, shortest first, for the SLI recording rules. */
export const SLI_WINDOWS: readonly string[] = [...new Set(BURN_RATE_TIERS.flatMap((t) => [t.shortWindow, t.longWindow]))].sort(
  (a, b) => ms(a) - ms(b),
);

export function burnRateFactor(tier: BurnRateTier, periodMs: number): number {
  return roundFactor((tier.budgetShare * periodMs) / ms(tier.longWindow));
}

/** The error ratio above which the tier fires: factor x budget. */
export function errorRatioThreshold(tier: BurnRateTier, periodMs: number, budget: number): number {
  return burnRateFactor(tier, periodMs) * budget;
}

/** How long a constant error ratio takes to trip the tier's long window (SRE Workbook). */
export function detectionTimeMs(tier: BurnRateTier, periodMs: number, budget: number, errorRatio: number): number {
  return (ms(tier.longWindow) * errorRatioThreshold(tier, periodMs, budget)) / errorRatio;
}

export function windowMs(window: string): number {
  return ms(window);
}

function ms(window: string): number {
  const value = parseDuration(window);
  if (value === undefined) throw new Error(`bad window ${window}`);
  return value;
}

function roundFactor(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
