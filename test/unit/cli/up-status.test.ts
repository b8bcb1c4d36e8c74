import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../../src/cli/up-status.js';

const at = new Date('2026-11-27T14:02:10.500Z');

describe('formatStatus', () => {
  it('says everything is healthy, what the gateway serves and that nothing fires', () => {
    expect(formatStatus({ at, healthy: ['jaeger', 'gateway', 'prometheus'], down: [], gateway: { requestsPerSecond: 9.84, errorRatio: 0 }, firing: [] }))
      .toBe('status 14:02:10 · 3/3 healthy · gateway 9.8 req/s, 5xx 0.00 % · firing: none');
  });

  it('names the components that are down and the alerts that fire, three at most', () => {
    const firing = ['A{service=user,slo=availability}', 'B{service=user,slo=latency}', 'C', 'D'];
    expect(formatStatus({ at, healthy: ['prometheus'], down: ['gateway', 'jaeger'], gateway: { requestsPerSecond: 2, errorRatio: 0.25 }, firing }))
      .toBe('status 14:02:10 · 1/3 healthy, DOWN: gateway, jaeger · gateway 2.0 req/s, 5xx 25.00 % · firing: A{service=user,slo=availability}, B{service=user,slo=latency}, C (+1 more)');
  });

  it('leaves out traffic and alerts when Prometheus did not answer', () => {
    expect(formatStatus({ at, healthy: ['gateway'], down: [] })).toBe('status 14:02:10 · 1/1 healthy');
  });
});
