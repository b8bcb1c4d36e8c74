import { describe, expect, it } from 'vitest';
import { BURN_RATE_TIERS, type BurnRateTier } from '../../../../src/catalog/burn-rate.js';
import { burnRateAlert, gatewayAlertRules, sloAlertRules } from '../../../../src/generate/prometheus/alert-rules.js';
import type { AlertingRule } from '../../../../src/generate/prometheus/rule-types.js';
import { syntheticCatalog, type SyntheticSlo } from '../../../helpers/synthetic-catalog.js';

const [fast, medium, slow, verySlow] = BURN_RATE_TIERS as [BurnRateTier, BurnRateTier, BurnRateTier, BurnRateTier];
const LONG_WINDOW_SECONDS: Readonly<Record<string, number>> = { '1h': 3600, '6h': 21_600, '1d': 86_400, '3d': 259_200 };

describe('burn-rate alerts', () => {
  it.each<[string, SyntheticSlo, BurnRateTier, number, number, string]>([
    ['99.9 % over 30 days, fast tier', { id: 'availability', objective: 99.9 }, fast, 14.4, 0.001, 'critical'],
    ['99.9 % over 30 days, very slow tier', { id: 'availability', objective: 99.9 }, verySlow, 1, 0.001, 'warning'],
    ['99.95 % over 28 days, fast tier', { id: 'availability', objective: 99.95, period: '28d' }, fast, 13.44, 0.0005, 'critical'],
    ['97.5 % under 250 ms over 7 days, medium tier', { id: 'latency', objective: 97.5, threshold: '250ms', period: '7d' }, medium, 1.4, 0.025, 'critical'],
    ['99 % over 90 days, slow tier', { id: 'availability', objective: 99, period: '90d' }, slow, 9, 0.01, 'warning'],
  ])('%s: fires above factor x budget on both windows', (_name, slo, tier, factor, budget, severity) => {
    const catalog = syntheticCatalog({ services: { orders: [slo] } });
    const [only] = catalog.slos;
    if (!only) throw new Error('no SLO');
    const alert = burnRateAlert(catalog, only, tier);
    const selector = `{service="orders",slo="${slo.id}"}`;
    expect(alert.expr.split('\nand\n')).toEqual([
      `slo:sli_error:ratio_rate${tier.longWindow}${selector} > (${factor} * ${budget})`,
      `slo:sli_error:ratio_rate${tier.shortWindow}${selector} > (${factor} * ${budget})`,
      `slo:sli_requests:rate${tier.longWindow}${selector} * ${LONG_WINDOW_SECONDS[tier.longWindow] ?? Number.NaN} >= 100`,
    ]);
    expect(alert.labels).toEqual({ severity, service: 'orders', slo: slo.id, burn_tier: String(tier.rank), long_window: tier.longWindow, short_window: tier.shortWindow });
    expect(Object.keys(alert.annotations)).toEqual(['summary', 'description', 'runbook_url', 'dashboard_url']);
    expect(alert.annotations.runbook_url).toBe(`https://runbooks.test/${alert.alert}.md`);
  });

  it.each([
    [1, 'one'],
    [5000, 'many'],
  ])('needs min_events = %i requests in the long window (%s)', (minEvents) => {
    const catalog = syntheticCatalog({ minEvents });
    const rules = sloAlertRules(catalog, 'orders').groups.flatMap((g) => g.rules as AlertingRule[]);
    for (const rule of rules) expect(rule.expr).toMatch(new RegExp(`>= ${minEvents}$`));
  });

  it('writes one alert per tier and SLO, each in its SLO group', () => {
    const catalog = syntheticCatalog({ services: { orders: [{ id: 'availability', objective: 99.9 }, { id: 'latency', objective: 95, threshold: '100ms' }] } });
    const file = sloAlertRules(catalog, 'orders');
    expect(file.groups.map((g) => [g.name, g.rules.length])).toEqual([
      ['slo-alerts-orders-availability', 4],
      ['slo-alerts-orders-latency', 4],
    ]);
  });
});

describe('symptom alerts', () => {
  it('give every alert a severity, a summary, a description and a runbook', () => {
    for (const rule of gatewayAlertRules(syntheticCatalog()).groups.flatMap((g) => g.rules as AlertingRule[])) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toBeTruthy();
      expect(rule.annotations.description).toBeTruthy();
      expect(rule.annotations.runbook_url).toBe(`https://runbooks.test/${rule.alert}.md`);
      expect(rule.for).toMatch(/^\d+m$/);
    }
  });
});
