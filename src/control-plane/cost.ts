import type { Catalog } from '../catalog/index.js';
import { catalogInventory } from '../cost/inventory.js';
import { pricesOf } from '../cost/pricing.js';
import { costReport, type CostReport } from '../cost/report.js';
import { trafficOver } from '../cost/traffic.js';
import type { PrometheusClient } from '../prometheus/client.js';

/**
 * The cost the control plane shows and exports: the catalog's inventory (what `sre cost report`
 * prints without --kubernetes or --opencost), with cost per 1,000 requests when Prometheus is
 * configured. Undefined for a catalog without a cost section.
 */
export async function currentCost(catalog: Catalog, prometheus: PrometheusClient | undefined, window: string, windowMs: number): Promise<CostReport | undefined> {
  if (!catalog.cost) return undefined;
  const inventory = catalogInventory(catalog, pricesOf(catalog));
  const traffic = prometheus ? await trafficOver(prometheus, catalog, window) : undefined;
  return costReport({ catalog, inventory, traffic, trafficHours: windowMs / 3_600_000 });
}
