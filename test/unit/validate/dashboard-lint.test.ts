import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { dashboards } from '../../../src/generate/grafana/dashboards.js';
import { lintDashboard } from '../../../src/validate/dashboard-lint.js';

const generated = [...dashboards(loadCatalog('slo/catalog.yaml'), 'notice').values()];
const red = JSON.parse(JSON.stringify(generated[1])) as { panels: Record<string, unknown>[] & { targets: { expr: string }[] }[] };

describe('dashboard lint', () => {
  it('passes every generated dashboard, with panels that all have queries', () => {
    for (const model of generated) expect(lintDashboard('d.json', model as Parameters<typeof lintDashboard>[1]).findings).toEqual([]);
    expect(generated.map((d) => (d.panels as unknown[]).length)).toEqual([5, 7, 4, 8, 9]);
  });

  it('finds a missing description, a fixed range, and a raw counter', () => {
    const broken = JSON.parse(JSON.stringify(red)) as { panels: { description?: string; targets: { expr: string }[] }[] };
    const [first, second] = broken.panels;
    if (!first || !second) throw new Error('fixture');
    delete first.description;
    second.targets = [{ ...second.targets[0], expr: 'sum(rate(http_server_request_duration_seconds_count[5m])) + gateway_auth_failures_total' }];
    expect(lintDashboard('d.json', broken as Parameters<typeof lintDashboard>[1]).findings).toEqual([
      'd.json panel "Requests per second": has no description',
      'd.json panel "Server error ratio": range [5m] should be [$__rate_interval]',
      'd.json panel "Server error ratio": counter gateway_auth_failures_total must be wrapped in rate() or increase()',
    ]);
  });

  it('requires the "Data source" variable', () => {
    const model = JSON.parse(readFileSync('dashboards/pyairtable-slo-overview.json', 'utf8')) as { templating: { list: { label: string }[] } };
    const first = model.templating.list[0];
    if (first) first.label = 'Prometheus';
    expect(lintDashboard('d.json', model as Parameters<typeof lintDashboard>[1]).findings).toEqual(['d.json: needs a datasource template variable named "datasource" labelled "Data source"']);
  });
});
