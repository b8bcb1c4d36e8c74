import { WORKLOAD_COMPONENT_LABEL } from '../catalog/conventions.js';
import type { Catalog } from '../catalog/index.js';
import type { KubernetesClient, Workload } from '../kubernetes/client.js';
import type { Inventory, InventoryEntry } from './inventory.js';
import { components, monthlyUsd, type Prices, type Resources } from './pricing.js';
import type { PodUsage } from './usage.js';
import { GIB, sum } from './units.js';


export interface KubernetesInventoryOptions {
  /** One namespace, or every namespace. */
  readonly namespace?: string;
  /** Measured usage per pod (namespace/pod), when Prometheus has it: a workload is charged max(request, usage). */
  readonly usage?: PodUsage;
}

/**
 * Deployments and StatefulSets that carry the component label, charged as OpenCost charges them:
 * replicas x requests, or the measured usage where it is higher. A label value the catalog does not
 * know is reported, never dropped.
 */
export async function kubernetesInventory(client: KubernetesClient, catalog: Catalog, prices: Prices, options: KubernetesInventoryOptions = {}): Promise<Inventory> {
  const known = new Set(components(catalog).map((component) => component.id));
  const workloads = await client.workloads(WORKLOAD_COMPONENT_LABEL, options.namespace);
  const entries: InventoryEntry[] = [];
  const unknown: string[] = [];
  for (const workload of workloads) {
    const component = workload.labels[WORKLOAD_COMPONENT_LABEL] ?? '';
    const name = `${workload.kind} ${workload.namespace}/${workload.name}`;
    if (!known.has(component)) {
      unknown.push(`${name} (${WORKLOAD_COMPONENT_LABEL}=${component || '""'})`);
      continue;
    }
    const resources = charged(workload, options.usage);
    entries.push({ component, workload: name, resources, monthlyUsd: monthlyUsd(resources, prices) });
  }
  const scope = `${options.namespace ? `namespace ${options.namespace}` : 'every namespace'}, workloads labelled ${WORKLOAD_COMPONENT_LABEL}${options.usage ? ', max(request, usage) from Prometheus' : ', requests'}`;
  return { source: 'kubernetes', scope, entries, unknown, idleMonthlyUsd: undefined };
}

/** Replicas x requests, raised to the measured usage of the workload's pods where that is higher. */
export function charged(workload: Workload, usage: PodUsage | undefined): Resources {
  const requested = {
    cpuCores: workload.replicas * sum(workload.containers.map((c) => c.cpuCores ?? 0)),
    memoryGib: (workload.replicas * sum(workload.containers.map((c) => c.memoryBytes ?? 0))) / GIB,
  };
  if (!usage) return requested;
  const used = { cpuCores: 0, memoryGib: 0 };
  for (const [pod, resources] of usage) {
    if (!podBelongsTo(pod, workload)) continue;
    used.cpuCores += resources.cpuCores;
    used.memoryGib += resources.memoryGib;
  }
  return { cpuCores: Math.max(requested.cpuCores, used.cpuCores), memoryGib: Math.max(requested.memoryGib, used.memoryGib) };
}

/** Pods are named by their controller: `<deployment>-<replicaset hash>-<suffix>`, `<statefulset>-<ordinal>`. */
export function podBelongsTo(pod: string, workload: Workload): boolean {
  const prefix = `${workload.namespace}/${workload.name}-`;
  if (!pod.startsWith(prefix)) return false;
  const rest = pod.slice(prefix.length);
  return workload.kind === 'StatefulSet' ? /^\d+$/.test(rest) : /^[a-z0-9]{1,10}-[a-z0-9]{5}$/.test(rest);
}

