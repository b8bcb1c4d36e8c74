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

  it('pass the dashboard lint for any catalog', () => {
    const catalog = syntheticCatalog({ services: { orders: [{ id: 'latency', objective: 99, threshold: '250ms' }], billing: [{ id: 'availability', objective: 99.5 }] } });
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
