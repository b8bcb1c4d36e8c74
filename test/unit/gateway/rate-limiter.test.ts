import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter, rateLimit } from '../../../src/gateway/rate-limiter.js';

describe('token bucket rate limiter', () => {
  const limit = rateLimit(20, 60_000);

  it('allows a full burst, refuses the next request, and says when to retry', () => {
    const limiter = new TokenBucketLimiter();
    const decisions = Array.from({ length: 21 }, () => limiter.take('ip:1', limit, 1_000));
    expect(decisions.slice(0, 20).every((d) => d.allowed)).toBe(true);
    expect(decisions[19]).toMatchObject({ remaining: 0, limit: 20 });
    expect(decisions[20]).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 3, resetSeconds: 60 });
    limiter.close();
  });

  it('refills at the sustained rate', () => {
    const limiter = new TokenBucketLimiter();
    for (let i = 0; i < 20; i++) limiter.take('k', limit, 0);
    expect(limiter.take('k', limit, 2_999).allowed).toBe(false);
    // One token every 3 s: one request at 3 s, not two.
    expect(limiter.take('k', limit, 3_010).allowed).toBe(true);
    expect(limiter.take('k', limit, 3_010).allowed).toBe(false);
    limiter.close();
  });

  it('peeks without taking: a client is refused by peek exactly when take would refuse it', () => {
    const limiter = new TokenBucketLimiter();
    expect(limiter.peek('k', limit, 0)).toMatchObject({ allowed: true, remaining: 20 });
    for (let i = 0; i < 19; i++) limiter.take('k', limit, 0);
    for (let i = 0; i < 5; i++) expect(limiter.peek('k', limit, 0).allowed).toBe(true);
    limiter.take('k', limit, 0);
    expect(limiter.peek('k', limit, 0)).toMatchObject({ allowed: false, retryAfterSeconds: 3 });
    expect(limiter.peek('k', limit, 3_010).allowed).toBe(true);
    limiter.close();
  });

  it('keeps clients apart', () => {
    const limiter = new TokenBucketLimiter();
    for (let i = 0; i < 20; i++) limiter.take('a', limit, 0);
    expect(limiter.take('a', limit, 0).allowed).toBe(false);
    expect(limiter.take('b', limit, 0).allowed).toBe(true);
    limiter.close();
  });

  it('stays bounded in memory under a flood of distinct clients', () => {
    const limiter = new TokenBucketLimiter(100);
    for (let i = 0; i < 1_000; i++) limiter.take(`ip:${i}`, limit, i);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
    limiter.close();
  });
});
