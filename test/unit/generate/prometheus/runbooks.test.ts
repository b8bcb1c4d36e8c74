import { describe, expect, it } from 'vitest';
import { runbooks } from '../../../../src/generate/prometheus/runbooks.js';
import { controlPlaneAlertRules, gatewayAlertRules, sloAlertRules } from '../../../../src/generate/prometheus/alert-rules.js';
import type { AlertingRule } from '../../../../src/generate/prometheus/rule-types.js';
import { syntheticCatalog } from '../../../helpers/synthetic-catalog.js';

describe('runbooks', () => {
  it('exist for every alert the rules can fire', () => {
    const catalog = syntheticCatalog();
    const alerts = [...sloAlertRules(catalog, 'orders').groups, ...gatewayAlertRules(catalog).groups, ...controlPlaneAlertRules(catalog).groups].flatMap((g) => (g.rules as AlertingRule[]).map((r) => r.alert));
    expect([...runbooks(catalog).keys()].sort()).toEqual([...new Set(alerts)].sort());
  });

  it.each([
    ['30d', 'PyAirtableErrorBudgetBurnFast', '14.4x the error budget', 'gone in 30 days / 14.4'],
    ['28d', 'PyAirtableErrorBudgetBurnFast', '13.44x the error budget', 'gone in 28 days / 13.44'],
    ['7d', 'PyAirtableErrorBudgetBurnSlow', '0.7x the error budget', 'gone in 7 days / 0.7'],
  ])('state the factors of a %s period (%s)', (period, alert, factor, exhaustion) => {
    const book = runbooks(syntheticCatalog({ period })).get(alert) ?? '';
    expect(book).toContain(factor);
    expect(book).toContain(exhaustion);
    expect(book).not.toMatch(/\{\{|\}\}/);
  });

  it('cite the metric names of the SLI contract and the catalog dashboard link', () => {
    const book = runbooks(syntheticCatalog()).get('PyAirtableErrorBudgetBurnFast') ?? '';
    expect(book).toContain('rate(http_server_request_duration_seconds_count{service="<service>"');
    expect(book).toContain('https://grafana.test/d/pyairtable-service-detail');
  });
});
