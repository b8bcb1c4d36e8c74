import type { Catalog } from '../catalog/index.js';
import { components, monthlyUsd, type Prices, type Resources } from './pricing.js';

/** Where the figures of what runs now came from, in order of preference. */
export type InventorySource = 'opencost' | 'kubernetes' | 'catalog';

/** One workload that costs money, attributed to a component of the platform. */
export interface InventoryEntry {
  readonly component: string;
  /** What it is in its source: `Deployment pyairtable/gateway`, `deployment:gateway`, `catalog`. */
  readonly workload: string;
  /** Charged resources, when the source states them (OpenCost gives costs only). */
  readonly resources: Resources | undefined;
  readonly monthlyUsd: number;
}

export interface Inventory {
  readonly source: InventorySource;
  /** What the source was asked, in words (the window, the namespace, the label). */
  readonly scope: string;
  readonly entries: readonly InventoryEntry[];
  /** Workloads that carry the platform's mark but no component the catalog knows: never dropped silently. */
  readonly unknown: readonly string[];
  /** Cost of capacity nobody requested, when the source knows it (OpenCost's __idle__); shown, not attributed. */
  readonly idleMonthlyUsd: number | undefined;
}

/** What the catalog says each component runs: its replicas times its requests. */
export function catalogInventory(catalog: Catalog, prices: Prices): Inventory {
  const entries = components(catalog).flatMap((component) => (component.planned ? [{ component: component.id, workload: 'catalog', resources: component.planned, monthlyUsd: monthlyUsd(component.planned, prices) }] : []));
  return { source: 'catalog', scope: `${catalog.source}: replicas x requests`, entries, unknown: [], idleMonthlyUsd: undefined };
}
