import { describe, expect, it } from 'vitest';
import { BURN_RATE_TIERS, SLI_WINDOWS, type BurnRateTier, burnRateFactor, detectionTimeMs, errorRatioThreshold } from '../../../src/catalog/burn-rate.js';

const DAY = 86_400_000;
const [fast, medium, slow, verySlow] = BURN_RATE_TIERS as [BurnRateTier, BurnRateTier, BurnRateTier, BurnRateTier];

describe('burn-rate arithmetic (SRE Workbook table)', () => {
  it.each([
    [fast, 30 * DAY, 14.4],
    [medium, 30 * DAY, 6],
    [slow, 30 * DAY, 3],
    [verySlow, 30 * DAY, 1],
    [fast, 28 * DAY, 13.44],
    [medium, 7 * DAY, 1.4],
  ])('%o over a %i ms period has factor %f', (tier, period, factor) => {
    expect(burnRateFactor(tier, period)).toBeCloseTo(factor, 6);
  });

  it('derives severities and windows from data', () => {
    expect(BURN_RATE_TIERS.map((t) => [t.severity, t.longWindow, t.shortWindow])).toEqual([
      ['critical', '1h', '5m'],
      ['critical', '6h', '30m'],
      ['warning', '1d', '2h'],
      ['warning', '3d', '6h'],
    ]);
    expect(SLI_WINDOWS).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  });

  it.each([
    [0.001, 0.0144],
    [0.05, 0.72],
    [0.005, 0.072],
  ])('the fast tier fires above 14.4 x budget %f = %f', (budget, threshold) => {
    expect(errorRatioThreshold(fast, 30 * DAY, budget)).toBeCloseTo(threshold, 10);
  });

  it('detects a constant 2 % error ratio against 99.9 % in 43.2 minutes on the fast tier', () => {
    expect(detectionTimeMs(fast, 30 * DAY, 0.001, 0.02) / 60_000).toBeCloseTo(43.2, 6);
  });
});
