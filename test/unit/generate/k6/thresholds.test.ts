import { describe, expect, it } from 'vitest';
import { loadTestThresholds } from '../../../../src/generate/k6/thresholds.js';
import { syntheticCatalog, type SyntheticSlo } from '../../../helpers/synthetic-catalog.js';

describe('k6 thresholds', () => {
  it.each<[SyntheticSlo, string, string]>([
    [{ id: 'availability', objective: 99.95 }, 'http_req_failed{service:orders}', 'rate<0.0005'],
    [{ id: 'availability', objective: 99.5 }, 'http_req_failed{service:orders}', 'rate<0.005'],
    [{ id: 'latency', objective: 97.5, threshold: '250ms' }, 'http_req_duration{service:orders}', 'p(97.5)<250'],
    [{ id: 'latency', objective: 99, threshold: '2500ms' }, 'http_req_duration{service:orders}', 'p(99)<2500'],
  ])('turn %o into %s: %s', (slo, metric, expression) => {
    const { thresholds } = loadTestThresholds(syntheticCatalog({ services: { orders: [slo] } })) as { thresholds: Record<string, string[]> };
    expect(thresholds).toEqual({ [metric]: [expression] });
  });
});
