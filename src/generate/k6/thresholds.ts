import type { Catalog } from '../../catalog/index.js';
import { thresholdsOf } from '../../loadtest/plan.js';

/**
 * Load-test thresholds per service, in k6's syntax, derived from the SLOs: a load test then enforces
 * exactly the objectives the alerts watch, instead of numbers typed again by hand. The k6 scripts
 * read them, and the load gate judges by the same thresholds (loadtest/plan.ts).
 */
export function loadTestThresholds(catalog: Catalog): Record<string, unknown> {
  const thresholds = thresholdsOf(catalog);
  return {
    thresholds: Object.fromEntries(thresholds.map((t) => [t.key, [t.expression]])),
    slos: thresholds.map((t) => ({ service: t.service, slo: t.slo, objective: t.objective, metric: t.key, threshold: t.expression })),
  };
}
