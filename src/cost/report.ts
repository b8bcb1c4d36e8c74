import type { Catalog } from '../catalog/index.js';
import { GATEWAY_COMPONENT } from '../catalog/conventions.js';
import type { Inventory, InventorySource } from './inventory.js';
import { components, CostInputError, monthlyUsd, pricesOf, resourcesOf, type Resources } from './pricing.js';
import type { Traffic } from './traffic.js';
import { sum } from './units.js';

export const COST_REPORT_SCHEMA = 'pyairtable-sre/cost-report';
export const COST_REPORT_VERSION = 1;

export type CostVerdict = 'met' | 'not met' | 'inconsistent';

/** Cost per 1,000 requests, and per 1,000 served within every SLO, over the traffic window. */
export interface UnitCost {
  readonly requests: number;
  readonly good_requests: number;
  readonly usd_per_1k_requests: number | null;
  readonly usd_per_1k_good_requests: number | null;
}

export interface ComponentCost {
  readonly component: string;
  readonly consolidates: readonly string[];
  readonly workloads: readonly { readonly workload: string; readonly cpu_cores: number | null; readonly memory_gib: number | null; readonly monthly_usd: number }[];
  readonly baseline_monthly_usd: number;
  readonly current_monthly_usd: number;
  readonly reduction_usd: number;
  /** Null when the component replaces nothing of the baseline (no reduction to speak of). */
  readonly reduction_percent: number | null;
  readonly unit_cost: UnitCost | null;
}

export interface CostReport {
  readonly schema: typeof COST_REPORT_SCHEMA;
  readonly version: typeof COST_REPORT_VERSION;
  readonly generated_at: string;
  readonly catalog: string;
  readonly source: InventorySource;
  readonly scope: string;
  readonly prices: { readonly cpu_core_hour_usd: number; readonly memory_gib_hour_usd: number; readonly hours_per_month: number };
  readonly target_reduction_percent: number;
  readonly baseline: { readonly services: number; readonly cpu_cores: number; readonly memory_gib: number; readonly monthly_usd: number };
  readonly components: readonly ComponentCost[];
  /** Baseline services no component replaces: consolidation retired them. */
  readonly retired: readonly { readonly name: string; readonly monthly_usd: number }[];
  readonly idle_monthly_usd: number | null;
  readonly traffic_window: string | null;
  readonly totals: {
    readonly baseline_monthly_usd: number;
    readonly current_monthly_usd: number;
    readonly reduction_usd: number;
    readonly reduction_percent: number;
    /** The monthly figure at exactly the target: what the platform may cost and still meet it. */
    readonly target_monthly_usd: number;
    readonly unit_cost: UnitCost | null;
  };
  readonly verdict: CostVerdict;
  /** Why the verdict is `inconsistent`: unknown workloads, components missing from the source. */
  readonly problems: readonly string[];
}

export interface CostReportInput {
  readonly catalog: Catalog;
  readonly inventory: Inventory;
  readonly traffic?: Traffic | undefined;
  /** Length of the traffic window in hours: the cost over it is the monthly cost x hours / hours_per_month. */
  readonly trafficHours?: number | undefined;
  readonly now?: Date;
}

/** Pure: the consolidated platform's cost against the 22-service baseline and the target, every input shown. */
export function costReport(input: CostReportInput): CostReport {
  const { catalog, inventory } = input;
  const prices = pricesOf(catalog);
  const spec = catalog.cost;
  if (!spec) throw new CostInputError(`${catalog.source} has no cost section`);
  const baselineOf = new Map(spec.baseline.map((entry) => [entry.name, monthlyUsd(resourcesOf(entry), prices)]));
  const baselineResources = spec.baseline.map((entry) => resourcesOf(entry)).reduce(add, { cpuCores: 0, memoryGib: 0 });
  const problems = inventory.unknown.map((workload) => `${workload} is not a component the catalog knows (the gateway or one of its services)`);
  const unit = (monthly: number, requests: number | undefined, good: number | undefined): UnitCost | null => {
    if (!input.traffic || input.trafficHours === undefined || requests === undefined) return null;
    const windowCost = (monthly / prices.hoursPerMonth) * input.trafficHours;
    return { requests, good_requests: good ?? 0, usd_per_1k_requests: requests > 0 ? (windowCost / requests) * 1000 : null, usd_per_1k_good_requests: good ? (windowCost / good) * 1000 : null };
  };
  const rows: ComponentCost[] = components(catalog).map((component) => {
    const entries = inventory.entries.filter((entry) => entry.component === component.id);
    if (entries.length === 0) problems.push(`${component.id} has no workload in the ${inventory.source} inventory (${inventory.scope})`);
    const baseline = sum(component.consolidates.map((name) => baselineOf.get(name) ?? 0));
    const current = sum(entries.map((entry) => entry.monthlyUsd));
    // The gateway serves every request; a service its own.
    const requests = component.id === GATEWAY_COMPONENT ? total(input.traffic?.requests) : input.traffic?.requests.get(component.id) ?? (input.traffic ? 0 : undefined);
    const good = component.id === GATEWAY_COMPONENT ? total(input.traffic?.good) : input.traffic?.good.get(component.id);
    return {
      component: component.id,
      consolidates: component.consolidates,
      workloads: entries.map((entry) => ({ workload: entry.workload, cpu_cores: entry.resources?.cpuCores ?? null, memory_gib: entry.resources?.memoryGib ?? null, monthly_usd: entry.monthlyUsd })),
      baseline_monthly_usd: baseline,
      current_monthly_usd: current,
      reduction_usd: baseline - current,
      reduction_percent: baseline > 0 ? ((baseline - current) / baseline) * 100 : null,
      unit_cost: unit(current, requests, good),
    };
  });
  const replaced = new Set(components(catalog).flatMap((component) => component.consolidates));
  const retired = spec.baseline.filter((entry) => !replaced.has(entry.name)).map((entry) => ({ name: entry.name, monthly_usd: baselineOf.get(entry.name) ?? 0 }));
  const baselineMonthly = monthlyUsd(baselineResources, prices);
  const currentMonthly = sum(rows.map((row) => row.current_monthly_usd));
  const reductionPercent = ((baselineMonthly - currentMonthly) / baselineMonthly) * 100;
  const met = reductionPercent >= spec.target_reduction_percent;
  return {
    schema: COST_REPORT_SCHEMA,
    version: COST_REPORT_VERSION,
    generated_at: (input.now ?? new Date()).toISOString(),
    catalog: catalog.source,
    source: inventory.source,
    scope: inventory.scope,
    prices: { cpu_core_hour_usd: prices.cpuCoreHourUsd, memory_gib_hour_usd: prices.memoryGibHourUsd, hours_per_month: prices.hoursPerMonth },
    target_reduction_percent: spec.target_reduction_percent,
    baseline: { services: spec.baseline.length, cpu_cores: baselineResources.cpuCores, memory_gib: baselineResources.memoryGib, monthly_usd: baselineMonthly },
    components: rows,
    retired,
    idle_monthly_usd: inventory.idleMonthlyUsd ?? null,
    traffic_window: input.traffic?.window ?? null,
    totals: {
      baseline_monthly_usd: baselineMonthly,
      current_monthly_usd: currentMonthly,
      reduction_usd: baselineMonthly - currentMonthly,
      reduction_percent: reductionPercent,
      target_monthly_usd: baselineMonthly * (1 - spec.target_reduction_percent / 100),
      unit_cost: unit(currentMonthly, input.traffic ? total(input.traffic.requests) : undefined, input.traffic ? total(input.traffic.good) : undefined),
    },
    verdict: problems.length > 0 ? 'inconsistent' : met ? 'met' : 'not met',
    problems,
  };
}

/** The exit code of `sre cost report`: 0 the target is met, 1 it is not, 2 the inputs do not add up. */
export function exitCodeOf(report: CostReport): 0 | 1 | 2 {
  return report.verdict === 'met' ? 0 : report.verdict === 'not met' ? 1 : 2;
}

function add(a: Resources, b: Resources): Resources {
  return { cpuCores: a.cpuCores + b.cpuCores, memoryGib: a.memoryGib + b.memoryGib };
}


function total(map: ReadonlyMap<string, number> | undefined): number | undefined {
  return map ? sum([...map.values()]) : undefined;
}
