import { z } from 'zod';
import type { Catalog } from '../catalog/index.js';
import type { Inventory, InventoryEntry } from './inventory.js';
import { components, CostInputError, type Prices } from './pricing.js';
import { GIB } from './units.js';

/** One allocation of OpenCost's /allocation/compute answer, the fields the report reads. */
const allocationSchema = z.object({
  name: z.string(),
  properties: z.object({ namespace: z.string().optional(), controller: z.string().optional(), controllerKind: z.string().optional() }).loose().optional(),
  window: z.object({ start: z.string(), end: z.string() }).loose(),
  cpuCoreHours: z.number().optional(),
  ramByteHours: z.number().optional(),
  totalCost: z.number(),
}).loose();

const responseSchema = z.object({
  code: z.number(),
  data: z.array(z.record(z.string(), allocationSchema)),
}).loose();

export type Allocation = z.output<typeof allocationSchema>;

const IDLE = '__idle__';
const HOUR_MS = 3_600_000;

/** OpenCost's allocation API: what each controller cost over a window, by its own prices and usage. */
export class OpenCostClient {
  constructor(
    readonly url: URL,
    private readonly timeoutMs = 30_000,
  ) {}

  /** `/allocation/compute`, aggregated by controller and accumulated over the window into one set. */
  async allocations(window: string, namespace?: string): Promise<Allocation[]> {
    const params = new URLSearchParams({ window, aggregate: 'controller', accumulate: 'true', includeIdle: 'true' });
    if (namespace) params.set('filter', `namespace:"${namespace}"`);
    const url = new URL(`allocation/compute?${params.toString()}`, this.url.href.endsWith('/') ? this.url : `${this.url.href}/`);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new CostInputError(`cannot reach OpenCost at ${this.url.origin}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new CostInputError(`OpenCost answered ${response.status} to ${url.pathname}?${params.toString()}: ${text.slice(0, 300)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CostInputError(`OpenCost's answer to ${url.pathname} is not JSON: ${text.slice(0, 120)}`);
    }
    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CostInputError(`OpenCost's answer to ${url.pathname} is not an allocation response: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unreadable'}`);
    }
    if (parsed.data.code !== 200) throw new CostInputError(`OpenCost answered code ${parsed.data.code} to ${url.pathname}`);
    return parsed.data.data.flatMap((set) => Object.values(set));
  }
}

/**
 * Allocations by controller as an inventory: OpenCost's totals as they are, turned into a monthly
 * rate over the window. A controller is attributed to the component of its name (`deployment:gateway`
 * is the gateway); idle cost is shown apart; anything else is named as unknown.
 */
export function openCostInventory(allocations: readonly Allocation[], catalog: Catalog, prices: Prices, scope: string): Inventory {
  const known = new Set(components(catalog).map((component) => component.id));
  const entries: InventoryEntry[] = [];
  const unknown: string[] = [];
  let idle: number | undefined;
  for (const allocation of allocations) {
    const hours = (Date.parse(allocation.window.end) - Date.parse(allocation.window.start)) / HOUR_MS;
    if (!(hours > 0)) throw new CostInputError(`OpenCost's allocation ${allocation.name} has an empty or unreadable window ${allocation.window.start} - ${allocation.window.end}`);
    const monthly = (allocation.totalCost / hours) * prices.hoursPerMonth;
    if (allocation.name === IDLE) {
      idle = (idle ?? 0) + monthly;
      continue;
    }
    const controller = allocation.properties?.controller ?? allocation.name.slice(allocation.name.lastIndexOf(':') + 1);
    if (!known.has(controller)) {
      unknown.push(`${allocation.name}${allocation.properties?.namespace ? ` in ${allocation.properties.namespace}` : ''}`);
      continue;
    }
    const resources = allocation.cpuCoreHours !== undefined && allocation.ramByteHours !== undefined ? { cpuCores: allocation.cpuCoreHours / hours, memoryGib: allocation.ramByteHours / GIB / hours } : undefined;
    entries.push({ component: controller, workload: allocation.name, resources, monthlyUsd: monthly });
  }
  return { source: 'opencost', scope, entries, unknown, idleMonthlyUsd: idle };
}
