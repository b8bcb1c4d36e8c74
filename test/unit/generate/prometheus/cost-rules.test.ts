import { describe, expect, it } from 'vitest';
import { costAlertRules } from '../../../../src/generate/prometheus/alert-rules.js';
import { costRecordingRules } from '../../../../src/generate/prometheus/cost-rules.js';
import type { AlertingRule, RecordingRule } from '../../../../src/generate/prometheus/rule-types.js';
import { syntheticCatalog } from '../../../helpers/synthetic-catalog.js';

const COST = { cpu_core_hour_usd: 0.01, memory_gib_hour_usd: 0.001, target_reduction_percent: 25, baseline: [{ name: 'old', replicas: 1, cpu_request_cores: 1, memory_request_gib: 1 }] };

describe('cost recording rules', () => {
  it.each([
    { threshold: '250ms', le: '0.25' },
    { threshold: '2500ms', le: '2.5' },
  ])('count a request good when it is not a 5xx and within the latency threshold ($threshold)', ({ threshold, le }) => {
    const catalog = syntheticCatalog({ cost: COST, buckets: [0.1, 0.25, 1, 2.5, 5], services: { orders: [{ id: 'availability', objective: 99 }, { id: 'latency', objective: 99, threshold }] } });
    const rules = costRecordingRules(catalog).groups.flatMap((group) => group.rules) as RecordingRule[];
    const good = rules.filter((rule) => rule.record === 'service:cost_usd_per_1k_good_requests:rate1h');
    expect(good).toHaveLength(1);
    expect(good[0]?.expr).toBe(`service:cost_hourly_usd:max{service="orders"} / on (service) (sum by (service) (rate(http_server_request_duration_seconds_bucket{job="gateway",service="orders",http_response_status_code!~"5..",le="${le}"}[1h])) * 3.6 > 0)`);
  });

  it('count every non-5xx request as good for a service with an availability SLO only', () => {
    const catalog = syntheticCatalog({ cost: COST });
    const rules = costRecordingRules(catalog).groups.flatMap((group) => group.rules) as RecordingRule[];
    expect(rules.find((rule) => rule.record === 'service:cost_usd_per_1k_good_requests:rate1d')?.expr).toContain('rate(http_server_request_duration_seconds_count{job="gateway",service="orders",http_response_status_code!~"5.."}[1d])');
    expect(rules.map((rule) => rule.record)).toEqual([
      'service:cost_hourly_usd:max',
      'service:cost_baseline_hourly_usd:max',
      'cost:reduction:ratio',
      'service:cost_usd_per_1k_requests:rate1h',
      'service:cost_usd_per_1k_good_requests:rate1h',
      'cost:usd_per_1k_requests:rate1h',
      'service:cost_usd_per_1k_requests:rate1d',
      'service:cost_usd_per_1k_good_requests:rate1d',
      'cost:usd_per_1k_requests:rate1d',
    ]);
  });
});

describe('the cost regression alert', () => {
  it.each([
    { regression: undefined, factor: '1.2' },
    { regression: 50, factor: '1.5' },
  ])('opens a ticket when cost per 1,000 requests rises past the catalog\'s share week over week ($factor x)', ({ regression, factor }) => {
    const catalog = syntheticCatalog({ cost: { ...COST, ...(regression === undefined ? {} : { regression_percent: regression }) } });
    const [alert] = costAlertRules(catalog).groups.flatMap((group) => group.rules) as AlertingRule[];
    expect(alert).toMatchObject({ alert: 'PyAirtableCostPerRequestRegression', expr: `cost:usd_per_1k_requests:rate1d > ${factor} * (cost:usd_per_1k_requests:rate1d offset 1w)`, for: '1h', labels: { severity: 'warning', service: 'platform' } });
    expect(Object.keys(alert?.annotations ?? {}).sort()).toEqual(['dashboard_url', 'description', 'runbook_url', 'summary']);
  });
});
