import { describe, expect, it } from 'vitest';
import { median, medianInterval, percentile } from '../../../bench/median-interval.js';

describe('median and percentile', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('takes the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.99)).toBeNaN();
  });
});

describe('the confidence interval of a median', () => {
  it('lies between the order statistics the binomial distribution gives', () => {
    // 40 values, 90 %: P(Binomial(40, 1/2) <= 14) = 0.040 <= 0.05 < P(<= 15), so ranks 15 and 26.
    const values = Array.from({ length: 40 }, (_, index) => index + 1).reverse();
    const interval = medianInterval(values, 0.9);
    expect(interval).toMatchObject({ median: 20.5, low: 15, high: 26 });
    expect(interval.confidence).toBeCloseTo(0.919, 3);
  });

  it('takes its bounds from the values themselves, however skewed: of 12, the 3rd and the 10th', () => {
    const interval = medianInterval([30, 0.2, 0.3, 12, 0.3, 0.4, 0.4, 0.4, 0.5, 0.5, 0.6, 9], 0.9);
    expect(interval).toMatchObject({ median: 0.45, low: 0.3, high: 9 });
    expect(interval.confidence).toBeCloseTo(0.961, 3);
  });

  it('is unbounded when too few values reach the confidence', () => {
    expect(medianInterval([1, 2, 3], 0.9)).toEqual({ median: 2, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY, confidence: 1 });
  });

  it('names the valid range of a confidence out of it', () => {
    expect(() => medianInterval([1, 2, 3], 90)).toThrow('confidence must be between 0 and 1, got 90');
  });
});
