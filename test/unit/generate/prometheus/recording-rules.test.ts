import { describe, expect, it } from 'vitest';
import { budgetRules, sliRules } from '../../../../src/generate/prometheus/recording-rules.js';
import type { RecordingRule } from '../../../../src/generate/prometheus/rule-types.js';
import { syntheticCatalog, type SyntheticSlo } from '../../../helpers/synthetic-catalog.js';

const rulesOf = (file: ReturnType<typeof sliRules>): RecordingRule[] => file.groups.flatMap((group) => group.rules as RecordingRule[]);

describe('SLI recording rules', () => {
  it.each<[string, SyntheticSlo, RegExp]>([
    ['availability counts 5xx as errors', { id: 'availability', objective: 99.9 }, /http_response_status_code=~"5\.\."/],
    ['latency counts requests above the threshold bucket as errors', { id: 'latency', objective: 97.5, threshold: '250ms' }, /^1 - \(\n {2}sum\(rate\(http_server_request_duration_seconds_bucket\{job="gateway",service="orders",le="0\.25"\}\[1h\]\)\)/],
    ['a threshold of 2.5 s selects le="2.5"', { id: 'latency', objective: 99, threshold: '2500ms' }, /le="2\.5"/],
  ])('%s', (_name, slo, pattern) => {
    const rules = rulesOf(sliRules(syntheticCatalog({ services: { orders: [slo] } }), 'orders'));
    const oneHour = rules.find((rule) => rule.record === 'slo:sli_error:ratio_rate1h');
    expect(oneHour?.expr).toMatch(pattern);
    expect(oneHour?.labels).toEqual({ service: 'orders', slo: slo.id });
  });

  it('records every alert window and the long windows\' request rates, and guards 0/0', () => {
    const rules = rulesOf(sliRules(syntheticCatalog(), 'orders'));
    expect(rules.map((rule) => rule.record)).toEqual([
      ...['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => `slo:sli_error:ratio_rate${w}`),
      ...['1h', '6h', '1d', '3d'].map((w) => `slo:sli_requests:rate${w}`),
    ]);
    for (const rule of rules.filter((r) => r.record.startsWith('slo:sli_error'))) expect(rule.expr).toContain('> 0)');
  });

  it('writes no rules for another service', () => {
    const catalog = syntheticCatalog({ services: { orders: [{ id: 'availability', objective: 99 }], billing: [{ id: 'availability', objective: 99.5 }] } });
    expect(rulesOf(sliRules(catalog, 'billing')).every((rule) => rule.labels?.service === 'billing')).toBe(true);
  });
});

describe('budget recording rules', () => {
  it.each<[string, SyntheticSlo, string | undefined, { objective: string; budget: string; period: string; threshold?: string }]>([
    ['99.95 % over 28 days', { id: 'availability', objective: 99.95, period: '28d' }, undefined, { objective: 'vector(0.9995)', budget: 'vector(0.0005)', period: '[4w]' }],
    ['97.5 % under 250 ms over the 7-day default', { id: 'latency', objective: 97.5, threshold: '250ms' }, '7d', { objective: 'vector(0.975)', budget: 'vector(0.025)', period: '[1w]', threshold: 'vector(0.25)' }],
  ])('%s', (_name, slo, defaultPeriod, expected) => {
    const rules = rulesOf(budgetRules(syntheticCatalog({ services: { orders: [slo] }, ...(defaultPeriod ? { period: defaultPeriod } : {}) }), 'orders'));
    const expr = (record: string): string | undefined => rules.find((rule) => rule.record === record)?.expr;
    expect(expr('slo:objective:ratio')).toBe(expected.objective);
    expect(expr('slo:error_budget:ratio')).toBe(expected.budget);
    expect(expr('slo:period_error:ratio')).toContain(expected.period);
    expect(expr('slo:period_burn_rate:ratio')).toBe(`slo:period_error:ratio{service="orders",slo="${slo.id}"} / ${expected.budget.slice(7, -1)}`);
    expect(expr('slo:latency_threshold:seconds')).toBe(expected.threshold);
  });

  it('keeps changeable metadata off the identity labels, on slo:info:info', () => {
    const rules = rulesOf(budgetRules(syntheticCatalog({ services: { orders: [{ id: 'latency', objective: 95, threshold: '100ms' }] } }), 'orders'));
    for (const rule of rules.filter((r) => r.record !== 'slo:info:info')) expect(Object.keys(rule.labels ?? {})).toEqual(['service', 'slo']);
    expect(rules.find((r) => r.record === 'slo:info:info')?.labels).toMatchObject({ objective: '0.95', threshold_seconds: '0.1', owner: 'team', tier: '1' });
  });
});
