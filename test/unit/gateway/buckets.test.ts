import { describe, expect, it } from 'vitest';
import { OTEL_ADVISED_BUCKETS, leLabel, requestDurationBuckets } from '../../../src/gateway/buckets.js';

describe('request duration buckets', () => {
  it('is the OpenTelemetry advised set when no threshold is added, with 0.1 s a boundary', () => {
    expect(requestDurationBuckets(OTEL_ADVISED_BUCKETS, [])).toEqual(OTEL_ADVISED_BUCKETS);
    expect(requestDurationBuckets(OTEL_ADVISED_BUCKETS, [])).toContain(0.1);
  });

  it('adds catalog thresholds in order, without duplicates', () => {
    expect(requestDurationBuckets(OTEL_ADVISED_BUCKETS, [2, 0.1, 0.3])).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1, 2, 2.5, 5, 7.5, 10]);
  });

  it('spells le as prom-client does', () => {
    expect([0.1, 1, 2.5, 10, Number.POSITIVE_INFINITY].map(leLabel)).toEqual(['0.1', '1', '2.5', '10', '+Inf']);
  });
});
