import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../src/gateway/retry-budget.js';

describe('retry budget', () => {
  it('allows a burst of retries, then only a share of requests', () => {
    const budget = new RetryBudget(0.2, 0, 0);
    let allowed = 0;
    for (let i = 0; i < 20; i++) if (budget.tryRetry(0)) allowed++;
    expect(allowed).toBe(10);
    // 51 requests: 0.2 summed 50 times is a hair under 10 in floating point.
    for (let i = 0; i < 51; i++) budget.recordRequest();
    let more = 0;
    for (let i = 0; i < 20; i++) if (budget.tryRetry(0)) more++;
    expect(more).toBe(10);
  });

  it('refills a floor of retries per second without traffic', () => {
    const budget = new RetryBudget(0.2, 5, 0);
    while (budget.tryRetry(0));
    expect(budget.tryRetry(100)).toBe(false);
    expect(budget.tryRetry(200)).toBe(true);
  });
});
