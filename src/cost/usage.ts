import type { PrometheusClient } from '../prometheus/client.js';
import type { Resources } from './pricing.js';
import { GIB } from './units.js';

/** Measured usage per pod, keyed `namespace/pod`, averaged over a window. */
export type PodUsage = ReadonlyMap<string, Resources>;

/** cAdvisor's per-container series; the pod-level aggregate (container="") and the pause container are left out. */
const CONTAINERS = 'container!="",container!="POD"';

/** Average CPU cores and working-set memory of every pod over the window, from the kubelet's cAdvisor metrics. */
export async function podUsage(prometheus: PrometheusClient, window: string, namespace?: string): Promise<PodUsage> {
  const scope = namespace ? `${CONTAINERS},namespace="${namespace}"` : CONTAINERS;
  const [cpu, memory] = await Promise.all([
    prometheus.query(`sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${scope}}[${window}]))`),
    prometheus.query(`sum by (namespace, pod) (avg_over_time(container_memory_working_set_bytes{${scope}}[${window}]))`),
  ]);
  const usage = new Map<string, { cpuCores: number; memoryGib: number }>();
  const at = (metric: Readonly<Record<string, string>>): { cpuCores: number; memoryGib: number } => {
    const key = `${metric.namespace ?? ''}/${metric.pod ?? ''}`;
    const found = usage.get(key) ?? { cpuCores: 0, memoryGib: 0 };
    usage.set(key, found);
    return found;
  };
  for (const sample of cpu) at(sample.metric).cpuCores = Number(sample.value[1]);
  for (const sample of memory) at(sample.metric).memoryGib = Number(sample.value[1]) / GIB;
  return usage;
}
