import { describe, expect, it } from 'vitest';
import { dashboards } from '../../../../src/generate/grafana/dashboards.js';
import { lintDashboard } from '../../../../src/validate/dashboard-lint.js';
import { syntheticCatalog } from '../../../helpers/synthetic-catalog.js';

type Json = Record<string, unknown>;
const panelsOf = (model: unknown): Json[] => (model as { panels: Json[] }).panels;
const thresholdValues = (panel: Json | undefined): unknown[] =>
  ((panel?.fieldConfig as { defaults: { thresholds: { steps: { value: number | null }[] } } }).defaults.thresholds.steps).map((step) => step.value);

describe('dashboards', () => {
  it.each([
    ['30d', [null, 6, 14.4], [null, 3, 6]],
    ['28d', [null, 5.6, 13.44], [null, 2.8, 5.6]],
    ['7d', [null, 1.4, 3.36], [null, 0.7, 1.4]],
  ])('draw the burn-rate tiers of a %s period on the overview', (period, oneHour, sixHours) => {
    const overview = dashboards(syntheticCatalog({ period }), 'generated').get('pyairtable-slo-overview');
    const panels = panelsOf(overview);
    expect(thresholdValues(panels.find((p) => p.title === 'Burn rate over 1 hour'))).toEqual(oneHour);
    expect(thresholdValues(panels.find((p) => p.title === 'Burn rate over 6 hours'))).toEqual(sixHours);
  });

  it('draw the cost target and the platform targets from the catalog, met / not met as words', () => {
    const catalog = syntheticCatalog({
      services: { orders: [{ id: 'availability', objective: 99.5 }, { id: 'latency', objective: 95, threshold: '250ms' }], billing: [{ id: 'availability', objective: 99.5 }, { id: 'latency', objective: 95, threshold: '250ms' }], search: [{ id: 'latency', objective: 95, threshold: '1s' }] },
      buckets: [0.1, 0.25, 1],
      cost: { cpu_core_hour_usd: 0.01, memory_gib_hour_usd: 0.001, hours_per_month: 700, target_reduction_percent: 40, baseline: [{ name: 'old', replicas: 1, cpu_request_cores: 1, memory_request_gib: 1 }] },
    });
    const all = dashboards(catalog, 'generated');
    const cost = panelsOf(all.get('pyairtable-cost'));
    expect(thresholdValues(cost.find((p) => p.title === 'Cost reduction'))).toEqual([null, 0.4]);
    expect((cost.find((p) => p.title === 'Consolidated, baseline and target')?.targets as { expr: string }[]).map((t) => t.expr)).toEqual(['sum(service:cost_hourly_usd:max) * 700', 'sum(service:cost_baseline_hourly_usd:max) * 700', 'sum(service:cost_baseline_hourly_usd:max) * 420']);
    const targets = panelsOf(all.get('pyairtable-platform-targets'));
    // The commonest threshold and objective are the platform's targets: 250 ms and 99.5 %.
    expect(thresholdValues(targets.find((p) => p.title === 'API p95 by service'))).toEqual([null, 0.25]);
    expect(thresholdValues(targets.find((p) => p.title === 'Availability over the SLO period'))).toEqual([null, 0.995]);
    const verdict = targets.find((p) => p.title === 'Cost cut of at least 40 %');
    expect((verdict?.fieldConfig as { defaults: { mappings: unknown[] } }).defaults.mappings).toEqual([{ type: 'value', options: { '0': { text: 'not met', color: 'red' }, '1': { text: 'met', color: 'green' } } }]);
    expect(all.has('pyairtable-cost')).toBe(true);
    expect(dashboards(syntheticCatalog(), 'generated').has('pyairtable-cost')).toBe(false);
  });

  it('pass the dashboard lint for any catalog', () => {
    const catalog = syntheticCatalog({ services: { orders: [{ id: 'latency', objective: 99, threshold: '250ms' }], billing: [{ id: 'availability', objective: 99.5 }] }, cost: { cpu_core_hour_usd: 0.01, memory_gib_hour_usd: 0.001, target_reduction_percent: 30, baseline: [{ name: 'old', replicas: 1, cpu_request_cores: 1, memory_request_gib: 1 }] } });
    expect(dashboards(catalog, 'generated').size).toBe(5);
    for (const [uid, model] of dashboards(catalog, 'generated')) {
      expect(lintDashboard(uid, model as Parameters<typeof lintDashboard>[1]).findings).toEqual([]);
    }
  });

  it('lay panels out left to right in rows of 24 columns, with ids in order', () => {
    for (const model of dashboards(syntheticCatalog(), 'generated').values()) {
      const panels = panelsOf(model);
      expect(panels.map((p) => p.id)).toEqual(panels.map((_, index) => index + 1));
      for (const panel of panels) {
        const { x, w } = panel.gridPos as { x: number; w: number };
        expect(x + w).toBeLessThanOrEqual(24);
      }
    }
  });

  it('say they are generated, and from what', () => {
    for (const model of dashboards(syntheticCatalog(), 'Generated from synthetic.yaml').values()) {
      expect((model as { description: string }).description).toMatch(/Generated from synthetic\.yaml$/);
    }
  });
});
