import { describe, expect, it } from 'vitest';
import { arrivalCount, arrivalTimes } from '../../../src/loadtest/arrivals.js';

describe('arrival times', () => {
  it('spaces a constant rate evenly, the first at 0, as k6 does', () => {
    expect([...arrivalTimes(120, [{ targetPerMinute: 120, durationMs: 3000 }])]).toEqual([0, 500, 1000, 1500, 2000, 2500]);
  });

  it.each([
    [60, [{ targetPerMinute: 60, durationMs: 60_000 }], 60],
    [0, [{ targetPerMinute: 600, durationMs: 60_000 }], 300],
    [600, [{ targetPerMinute: 0, durationMs: 60_000 }], 300],
    [60, [{ targetPerMinute: 600, durationMs: 10_000 }, { targetPerMinute: 600, durationMs: 60_000 }], 55 + 600],
  ])('makes the integral of the rate: from %i a minute through %o, %i arrivals', (start, stages, count) => {
    expect(arrivalCount(start, stages)).toBe(count);
  });

  it('ramps: arrivals come closer together as the rate rises, and never run backwards', () => {
    const times = [...arrivalTimes(60, [{ targetPerMinute: 6000, durationMs: 10_000 }])];
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps.every((gap) => gap > 0)).toBe(true);
    expect(gaps[0]).toBeGreaterThan(10 * (gaps.at(-1) ?? 0));
    expect(times.at(-1)).toBeLessThanOrEqual(10_000);
  });

  it('makes no arrival at rate 0', () => {
    expect(arrivalCount(0, [{ targetPerMinute: 0, durationMs: 60_000 }])).toBe(0);
  });
});
