import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../../src/catalog/index.js';
import { lineOf, problems, shippedCatalog } from '../../helpers/catalog-problems.js';

const good = shippedCatalog;


const firstAvailability = lineOf(good, 'objective: 99.9');

describe('SLO validation', () => {
  it('flattens 14 gateway SLOs and the on-call SLO with budgets, periods and thresholds', () => {
    const catalog = parseCatalog(good, 'slo/catalog.yaml');
    expect(catalog.slos).toHaveLength(15);
    expect(catalog.slos.find((s) => s.service === 'on-call')).toMatchObject({ id: 'acknowledgement', objective: 0.95, budget: 0.05, thresholdSeconds: 900, periodMs: 30 * 86_400_000, minEvents: 1 });
    expect(catalog.slos.find((s) => s.service === 'ai-domain' && s.id === 'latency')).toMatchObject({ objective: 0.95, budget: 0.05, thresholdSeconds: 2, periodMs: 30 * 86_400_000, minEvents: 100 });
    expect(catalog.slos.find((s) => s.service === 'user' && s.id === 'availability')).toMatchObject({ objective: 0.999, budget: 0.001 });
  });

  it.each([
    ['objective: 100', 'must be below 100: an objective of 100 % leaves no error budget'],
    ['objective: 0', 'must be above 0 (a percentage such as 99.9)'],
    ['objective: 120', 'must be below 100: an objective of 100 % leaves no error budget'],
  ])('rejects %s with its line', (replacement, message) => {
    const text = good.replace('objective: 99.9', replacement);
    expect(problems(text)).toEqual([`slo/catalog.yaml:${firstAvailability}:20: services[0].slos[0].objective: ${message}`]);
  });

  it('rejects an objective whose fast tier could never fire', () => {
    const text = good.replace('objective: 99.9', 'objective: 90');
    expect(problems(text)).toEqual([
      `slo/catalog.yaml:${firstAvailability}:20: services[0].slos[0].objective: objective 90 % can never trip the fast burn-rate tier (1h/5m, 14.4x needs an error ratio of 1.4400 > 1); use an objective above 93.056 % or a different period`,
    ]);
  });

  it('rejects a latency threshold that is no bucket boundary, naming the boundaries', () => {
    const text = good.replace('threshold: 100ms', 'threshold: 150ms');
    expect(problems(text)).toEqual([
      `slo/catalog.yaml:${lineOf(text, 'threshold: 150ms')}:20: services[0].slos[1].threshold: 150ms is not a bucket boundary of the gateway histogram; use one of 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2, 2.5, 5, 7.5, 10 (seconds) or add 0.15 to gateway.histogram_buckets`,
    ]);
  });

  it('rejects an unknown SLO id and a latency SLO without threshold', () => {
    expect(problems(good.replace('- id: availability', '- id: uptime'))[0]).toContain('services[0].slos[0].id: SLO id must be "availability" (non-5xx ratio) or "latency" (share of requests at or under a threshold)');
    expect(problems(good.replace('        threshold: 100ms\n', ''))[0]).toContain('services[0].slos[1].threshold: is required');
  });

  it('rejects the same SLO twice for a service', () => {
    expect(problems(good.replace('      - id: latency\n        objective: 95\n        threshold: 100ms\n    cost: { replicas: 3', '      - id: availability\n        objective: 95\n    cost: { replicas: 3'))).toEqual([
      expect.stringContaining('services[0].slos[1].id: duplicate SLO id "availability" for airtable-domain'),
    ]);
  });
});
