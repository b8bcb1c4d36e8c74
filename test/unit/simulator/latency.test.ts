import { describe, expect, it } from 'vitest';
import { logNormalSampler } from '../../../src/simulator/latency.js';

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('log-normal latency sampler', () => {
  it.each([
    [12, 40],
    [900, 1800],
  ])('reproduces median %i ms and p95 %i ms within 5 %%', (median, p95) => {
    const sample = logNormalSampler({ medianMs: median, p95Ms: p95 }, seeded(42));
    const values = Array.from({ length: 40_000 }, sample).sort((a, b) => a - b);
    expect(values[20_000]).toBeGreaterThan(median * 0.95);
    expect(values[20_000]).toBeLessThan(median * 1.05);
    expect(values[38_000]).toBeGreaterThan(p95 * 0.95);
    expect(values[38_000]).toBeLessThan(p95 * 1.05);
  });

  it('is constant when p95 equals the median', () => {
    const sample = logNormalSampler({ medianMs: 5, p95Ms: 5 }, seeded(1));
    expect(new Set(Array.from({ length: 10 }, sample).map((v) => v.toFixed(9)))).toEqual(new Set(['5.000000000']));
  });
});
