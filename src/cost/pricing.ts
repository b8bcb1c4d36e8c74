import type { Catalog } from '../catalog/index.js';
import { GATEWAY_COMPONENT } from '../catalog/conventions.js';

/** CPU cores and memory, for a whole workload (replicas x per-replica figure). */
export interface Resources {
  readonly cpuCores: number;
  readonly memoryGib: number;
}

/** Unit prices and the month they add up to, from the catalog's cost section. */
export interface Prices {
  readonly cpuCoreHourUsd: number;
  readonly memoryGibHourUsd: number;
  readonly hoursPerMonth: number;
}

/** Raised when the inputs of a cost figure are missing or contradict each other (exit 2). */
export class CostInputError extends Error {
  override name = 'CostInputError';
}

export function pricesOf(catalog: Catalog): Prices {
  if (!catalog.cost) throw new CostInputError(`${catalog.source} has no cost section: add cost.cpu_core_hour_usd, memory_gib_hour_usd, target_reduction_percent and the baseline`);
  return { cpuCoreHourUsd: catalog.cost.cpu_core_hour_usd, memoryGibHourUsd: catalog.cost.memory_gib_hour_usd, hoursPerMonth: catalog.cost.hours_per_month };
}

export function hourlyUsd(resources: Resources, prices: Prices): number {
  return resources.cpuCores * prices.cpuCoreHourUsd + resources.memoryGib * prices.memoryGibHourUsd;
}

/** OpenCost's convention: a month is the hourly cost times 730 hours (or the catalog's figure). */
export function monthlyUsd(resources: Resources, prices: Prices): number {
  return hourlyUsd(resources, prices) * prices.hoursPerMonth;
}

export function resourcesOf(spec: { readonly replicas: number; readonly cpu_request_cores: number; readonly memory_request_gib: number }): Resources {
  return { cpuCores: spec.replicas * spec.cpu_request_cores, memoryGib: spec.replicas * spec.memory_request_gib };
}

/** A part of the consolidated platform that costs money: the gateway or a catalog service. */
export interface Component {
  readonly id: string;
  /** Baseline services it replaces. */
  readonly consolidates: readonly string[];
  /** What the catalog says it runs, when it says. */
  readonly planned: Resources | undefined;
}

export function components(catalog: Catalog): Component[] {
  return [
    { id: GATEWAY_COMPONENT, consolidates: catalog.gateway.consolidates, planned: catalog.gateway.cost && resourcesOf(catalog.gateway.cost) },
    ...catalog.services.map((service) => ({ id: service.id, consolidates: service.consolidates, planned: service.cost && resourcesOf(service.cost) })),
  ];
}
