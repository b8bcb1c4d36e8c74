import type { Catalog } from '../../catalog/index.js';

/**
 * Load-test thresholds per service, in k6's syntax, derived from the SLOs: a load test then enforces
 * exactly the objectives the alerts watch, instead of numbers typed again by hand.
 */
export function loadTestThresholds(catalog: Catalog): Record<string, unknown> {
  const thresholds: Record<string, string[]> = {};
  const slos = catalog.slos.map((slo) => {
    const key =
      slo.id === 'availability' ? `http_req_failed{service:${slo.service}}` : `http_req_duration{service:${slo.service}}`;
    const expression =
      slo.id === 'availability'
        ? `rate<${Number(slo.budget.toPrecision(6))}`
        : `p(${Number((slo.objective * 100).toPrecision(6))})<${Number((slo.thresholdSeconds * 1000).toPrecision(6))}`;
    thresholds[key] = [expression];
    return { service: slo.service, slo: slo.id, objective: slo.objective, metric: key, threshold: expression };
  });
  return { thresholds, slos };
}
