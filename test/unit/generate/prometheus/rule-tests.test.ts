import { describe, expect, it } from 'vitest';
import { fastTierTests, slowTierTests } from '../../../../src/generate/prometheus/rule-tests.js';
import { syntheticCatalog, type SyntheticSlo } from '../../../helpers/synthetic-catalog.js';

describe('generated promtool tests', () => {
  it.each<[string, SyntheticSlo, string[]]>([
    // 2 x 14.4 x 0.1 % = 2.88 % errors trip the 1h window after 30 min: quiet at 24 min, firing at 36.
    ['99.9 % over 30 days', { id: 'availability', objective: 99.9 }, ['84m', '96m']],
    // 2 x 3.36 x 0.1 % = 0.672 %: 30 min as well, whatever the period.
    ['99.9 % over 7 days', { id: 'availability', objective: 99.9, period: '7d' }, ['84m', '96m']],
    // 14.4 x 5 % = 72 %, doubled past 100 %: all requests slow; 1h x 0.72 = 43.2 min to trip.
    ['95 % under 100 ms over 30 days', { id: 'latency', objective: 95, threshold: '100ms' }, ['95m', '112m']],
  ])('%s: the fast tier is quiet at 80 percent of its detection time and fires at 120 percent', (_name, slo, times) => {
    const file = fastTierTests(syntheticCatalog({ services: { orders: [slo] } }), 'orders', ['rules.yml']);
    const fast = file.tests[0];
    expect(fast?.alert_rule_test?.map((t) => t.eval_time)).toEqual(times);
    expect(fast?.alert_rule_test?.[0]?.exp_alerts).toEqual([]);
    expect(fast?.alert_rule_test?.[1]?.exp_alerts).toHaveLength(1);
  });

  it('add the low-traffic and silence guards to the fast file only', () => {
    const catalog = syntheticCatalog();
    expect(fastTierTests(catalog, 'orders', []).tests.map((t) => t.name)).toEqual([
      expect.stringContaining('PyAirtableErrorBudgetBurnFast for orders/availability fires'),
      expect.stringContaining('PyAirtableErrorBudgetBurnMedium for orders/availability fires'),
      expect.stringContaining('does not fire on low traffic'),
      expect.stringContaining('without traffic is absent, not NaN'),
    ]);
    const lowTraffic = fastTierTests(catalog, 'orders', []).tests[2];
    // Sampled every minute, so that the 5m window has a ratio and only the min_events guard can hold the alert back.
    expect(lowTraffic?.interval).toBe('1m');
    expect(lowTraffic?.input_series.map((s) => s.values)).toEqual(['0+0.03333333333x300', '0+0.01666666667x300']);
    expect(slowTierTests(catalog, 'orders', []).tests).toHaveLength(2);
    expect(slowTierTests(catalog, 'orders', []).evaluation_interval).toBe('4m');
  });
});
