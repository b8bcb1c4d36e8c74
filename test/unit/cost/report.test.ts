import { describe, expect, it } from 'vitest';
import { catalogInventory, type Inventory } from '../../../src/cost/inventory.js';
import { costMarkdown } from '../../../src/cost/markdown.js';
import { pricesOf } from '../../../src/cost/pricing.js';
import { costReport, exitCodeOf } from '../../../src/cost/report.js';
import { syntheticCatalog } from '../../helpers/synthetic-catalog.js';

// Round prices so that every figure below can be checked by hand: $0.01 per vCPU-hour, $0.001 per GiB-hour, 100 hours a month.
const COST = {
  cpu_core_hour_usd: 0.01,
  memory_gib_hour_usd: 0.001,
  hours_per_month: 100,
  target_reduction_percent: 25,
  baseline: [
    { name: 'old-gateway', replicas: 2, cpu_request_cores: 0.5, memory_request_gib: 1 }, // 1 vCPU, 2 GiB: (0.01 + 0.002) x 100 = $1.20
    { name: 'orders-api', replicas: 2, cpu_request_cores: 1, memory_request_gib: 2 }, // 2 vCPU, 4 GiB: $2.40
    { name: 'orders-worker', replicas: 1, cpu_request_cores: 1, memory_request_gib: 2 }, // 1 vCPU, 2 GiB: $1.20
    { name: 'legacy-cron', replicas: 1, cpu_request_cores: 2, memory_request_gib: 0 }, // 2 vCPU: $2.00, retired
  ],
};
// Baseline: $1.20 + $2.40 + $1.20 + $2.00 = $6.80 a month.

const catalog = (orders: { replicas: number; cpu_request_cores: number; memory_request_gib: number }) =>
  syntheticCatalog({
    services: { orders: [{ id: 'availability', objective: 99.9 }, { id: 'latency', objective: 95, threshold: '100ms' }] },
    cost: COST,
    gateway: { consolidates: ['old-gateway'], cost: { replicas: 1, cpu_request_cores: 1, memory_request_gib: 2 } }, // $1.20
    serviceExtras: { orders: { consolidates: ['orders-api', 'orders-worker'], cost: orders } },
  });

describe('costReport', () => {
  it.each([
    // orders at 2 x (1 vCPU, 2 GiB) = $2.40: now $1.20 + $2.40 = $3.60, saved $3.20 of $6.80 = 47.06 %
    { orders: { replicas: 2, cpu_request_cores: 1, memory_request_gib: 2 }, current: 3.6, percent: (3.2 / 6.8) * 100, verdict: 'met', code: 0 },
    // orders at 4 x (1 vCPU, 2 GiB) = $4.80: now $6.00, saved $0.80 = 11.76 %, under 25 %
    { orders: { replicas: 4, cpu_request_cores: 1, memory_request_gib: 2 }, current: 6, percent: (0.8 / 6.8) * 100, verdict: 'not met', code: 1 },
    // exactly at the target: now $5.10 = 6.80 x 0.75; orders $3.90 = 3 x (1.3 vCPU) ... 3.9 vCPU, 0 GiB
    { orders: { replicas: 3, cpu_request_cores: 1.3, memory_request_gib: 0 }, current: 5.1, percent: 25, verdict: 'met', code: 0 },
  ])('prices from the catalog against the baseline: now $$current, $percent % saved, $verdict', ({ orders, current, percent, verdict, code }) => {
    const model = catalog(orders);
    const report = costReport({ catalog: model, inventory: catalogInventory(model, pricesOf(model)) });
    expect(report.baseline).toEqual({ services: 4, cpu_cores: 6, memory_gib: 8, monthly_usd: expect.closeTo(6.8, 9) as number });
    expect(report.totals.current_monthly_usd).toBeCloseTo(current, 9);
    expect(report.totals.reduction_percent).toBeCloseTo(percent, 9);
    expect(report.totals.target_monthly_usd).toBeCloseTo(5.1, 9);
    expect(report.verdict).toBe(verdict);
    expect(exitCodeOf(report)).toBe(code);
    expect(report.retired).toEqual([{ name: 'legacy-cron', monthly_usd: expect.closeTo(2, 9) as number }]);
    const gateway = report.components.find((row) => row.component === 'gateway');
    expect(gateway).toMatchObject({ consolidates: ['old-gateway'], baseline_monthly_usd: expect.closeTo(1.2, 9) as number, current_monthly_usd: expect.closeTo(1.2, 9) as number, reduction_percent: 0 });
  });

  it('charges cost per 1,000 requests and per 1,000 good requests over the traffic window', () => {
    const model = catalog({ replicas: 2, cpu_request_cores: 1, memory_request_gib: 2 });
    // 10 hours of a 100-hour month: orders cost $0.24 over the window, the gateway $0.12, $0.36 in all.
    const traffic = { window: '10h', requests: new Map([['orders', 12_000]]), good: new Map([['orders', 9_000]]) };
    const report = costReport({ catalog: model, inventory: catalogInventory(model, pricesOf(model)), traffic, trafficHours: 10 });
    const orders = report.components.find((row) => row.component === 'orders');
    expect(orders?.unit_cost?.usd_per_1k_requests).toBeCloseTo(0.02, 9);
    expect(orders?.unit_cost?.usd_per_1k_good_requests).toBeCloseTo(0.24 / 9, 9);
    expect(report.components.find((row) => row.component === 'gateway')?.unit_cost?.usd_per_1k_requests).toBeCloseTo(0.01, 9);
    expect(report.totals.unit_cost).toMatchObject({ requests: 12_000, good_requests: 9_000, usd_per_1k_requests: expect.closeTo(0.03, 9) as number, usd_per_1k_good_requests: expect.closeTo(0.04, 9) as number });
  });

  it('gives no cost per request when nothing was served, rather than dividing by zero', () => {
    const model = catalog({ replicas: 2, cpu_request_cores: 1, memory_request_gib: 2 });
    const report = costReport({ catalog: model, inventory: catalogInventory(model, pricesOf(model)), traffic: { window: '1h', requests: new Map(), good: new Map() }, trafficHours: 1 });
    expect(report.totals.unit_cost).toEqual({ requests: 0, good_requests: 0, usd_per_1k_requests: null, usd_per_1k_good_requests: null });
  });

  it('is inconsistent, exit 2, when the inventory holds a workload the catalog does not know or lacks a component', () => {
    const model = catalog({ replicas: 2, cpu_request_cores: 1, memory_request_gib: 2 });
    const inventory: Inventory = { source: 'kubernetes', scope: 'namespace shop', entries: [{ component: 'orders', workload: 'Deployment shop/orders', resources: undefined, monthlyUsd: 1 }], unknown: ['Deployment shop/reports (pyairtable.io/service=reports)'], idleMonthlyUsd: undefined };
    const report = costReport({ catalog: model, inventory });
    expect(report.verdict).toBe('inconsistent');
    expect(exitCodeOf(report)).toBe(2);
    expect(report.problems).toEqual([
      'Deployment shop/reports (pyairtable.io/service=reports) is not a component the catalog knows (the gateway or one of its services)',
      'gateway has no workload in the kubernetes inventory (namespace shop)',
    ]);
  });

  it('writes a Markdown report with the verdict, a chart, every component and the inputs', () => {
    const model = catalog({ replicas: 2, cpu_request_cores: 1, memory_request_gib: 2 });
    const markdown = costMarkdown(costReport({ catalog: model, inventory: catalogInventory(model, pricesOf(model)), now: new Date('2026-12-07T00:00:00Z') }));
    expect(markdown).toContain('**cost target MET: 47.1 % reduction ($6.80 -> $3.60 a month) against a target of 25 % (at most $5.10 a month)**');
    expect(markdown).toContain('  x-axis ["gateway", "orders"]\n  y-axis "USD per month"\n  bar [1.20, 3.60]\n  bar [1.20, 2.40]');
    expect(markdown).toContain('| (retired) | legacy-cron | $2.00 | $0.00 | $2.00 | 100.0 % | - | - |');
    expect(markdown).toContain('- prices: $0.01 per vCPU-hour, $0.001 per GiB-hour, 100 hours a month');
  });

  it('refuses a catalog without a cost section, naming what to add', () => {
    const model = syntheticCatalog();
    expect(() => pricesOf(model)).toThrow(/synthetic.yaml has no cost section: add cost.cpu_core_hour_usd/);
  });
});
