import { randomInt } from 'node:crypto';
import { CHAOS_OPT_IN_LABEL, WORKLOAD_COMPONENT_LABEL } from '../catalog/conventions.js';
import { FIELD_MANAGER, KubernetesClient, type Manifest } from '../kubernetes/client.js';
import type { KubernetesProvider } from './experiment.js';

/** What undoes a Kubernetes action, journaled before it is taken. `kubeconfig` null: the default one. */
export type KubernetesUndo =
  | { readonly type: 'kubernetes-pod-kill'; readonly kubeconfig: string | null; readonly namespace: string; readonly pods: readonly string[] }
  | { readonly type: 'kubernetes-scale'; readonly kubeconfig: string | null; readonly namespace: string; readonly deployment: string; readonly previous: number }
  | { readonly type: 'chaos-mesh'; readonly kubeconfig: string | null; readonly namespace: string; readonly kind: string; readonly name: string };

/** The experiment's limits on what Kubernetes actions may take away. */
export interface KubernetesLimits {
  readonly maxPodShare: number;
  /** A Chaos Mesh object without its own duration gets this one: Chaos Mesh ends it even if nobody rolls back. */
  readonly maxDurationMs: number;
}

export class KubernetesChaosError extends Error {
  override name = 'KubernetesChaosError';
}

export const CHAOS_MESH_API_VERSION = 'chaos-mesh.org/v1alpha1';
/** How long Chaos Mesh may take to report a new object injected (condition AllInjected). */
const INJECTED_WITHIN_MS = 30_000;
/** How long its controller may take to recover the pods and drop its finalizer after a delete. */
const GONE_WITHIN_MS = 60_000;
const POLL_MS = 250;

/** The component's pods that opted in: pyairtable.io/service=<service>,pyairtable.io/chaos=enabled. */
export const optedInSelector = (service: string): string => `${WORKLOAD_COMPONENT_LABEL}=${service},${CHAOS_OPT_IN_LABEL.name}=${CHAOS_OPT_IN_LABEL.value}`;

const connect = (kubeconfig: string | null): KubernetesClient => KubernetesClient.connect(kubeconfig ?? undefined);

/**
 * Reads the cluster and decides what the action will touch, refusing what the opt-in label and the
 * share cap do not allow: the pods to evict, the Deployment to scale and its replicas now.
 */
export async function planKubernetes(provider: KubernetesProvider, kubeconfig: string | null, name: string, limits: KubernetesLimits): Promise<KubernetesUndo> {
  const client = connect(kubeconfig);
  const { namespace, service } = provider;
  const where = `${namespace}/${service}`;
  if (provider.type === 'kubernetes-scale') {
    const deployments = await client.deployments(namespace, `${WORKLOAD_COMPONENT_LABEL}=${service}`);
    const [deployment, ...others] = deployments;
    if (!deployment) throw new KubernetesChaosError(`${where}: no Deployment labelled ${WORKLOAD_COMPONENT_LABEL}=${service} in namespace ${namespace}`);
    if (others.length > 0) throw new KubernetesChaosError(`${where}: ${deployments.length} Deployments are labelled ${WORKLOAD_COMPONENT_LABEL}=${service} (${deployments.map((d) => d.name).join(', ')}); scaling needs exactly one`);
    if (deployment.templateLabels[CHAOS_OPT_IN_LABEL.name] !== CHAOS_OPT_IN_LABEL.value) throw new KubernetesChaosError(`${where}: Deployment ${deployment.name} has not opted in: its pod template needs the label ${CHAOS_OPT_IN_LABEL.name}: ${CHAOS_OPT_IN_LABEL.value}`);
    if (provider.replicas >= deployment.replicas) throw new KubernetesChaosError(`${where}: scaling Deployment ${deployment.name} to ${provider.replicas} is no scale-down: it has ${deployment.replicas}`);
    const removed = deployment.replicas - provider.replicas;
    if (removed / deployment.replicas > limits.maxPodShare) throw new KubernetesChaosError(`${where}: scaling Deployment ${deployment.name} from ${deployment.replicas} to ${provider.replicas} takes ${removed} of its pods, more than blast_radius.max_pod_share ${limits.maxPodShare} allows (${Math.floor(deployment.replicas * limits.maxPodShare)})`);
    return { type: 'kubernetes-scale', kubeconfig, namespace, deployment: deployment.name, previous: deployment.replicas };
  }
  const pods = (await client.pods(namespace, optedInSelector(service))).filter((pod) => !pod.terminating);
  if (pods.length === 0) throw new KubernetesChaosError(`${where}: no pod in namespace ${namespace} is labelled ${optedInSelector(service)}; a pod opts in to chaos with ${CHAOS_OPT_IN_LABEL.name}: ${CHAOS_OPT_IN_LABEL.value}`);
  if (provider.type === 'chaos-mesh') return { type: 'chaos-mesh', kubeconfig, namespace, kind: provider.kind, name };
  const allowed = Math.floor(pods.length * limits.maxPodShare);
  if (provider.count > allowed) throw new KubernetesChaosError(`${where}: evicting ${provider.count} of ${pods.length} opted-in pods is more than blast_radius.max_pod_share ${limits.maxPodShare} allows (${allowed})`);
  // Any pod may be the one: a random choice, as Chaos Mesh's mode "fixed" makes.
  const remaining = pods.map((pod) => pod.name);
  const chosen: string[] = [];
  while (chosen.length < provider.count) chosen.push(...remaining.splice(randomInt(remaining.length), 1));
  return { type: 'kubernetes-pod-kill', kubeconfig, namespace, pods: chosen.sort() };
}

/** Takes the action (or, with dryRun, has the API server validate it and persist nothing); says what was done. */
export async function injectKubernetes(provider: KubernetesProvider, plan: KubernetesUndo, limits: KubernetesLimits, dryRun: boolean): Promise<string> {
  const client = connect(plan.kubeconfig);
  const would = dryRun ? 'dry run accepted: ' : '';
  if (plan.type === 'kubernetes-pod-kill') {
    const outcomes: string[] = [];
    for (const pod of plan.pods) {
      const result = await client.evict(plan.namespace, pod, { dryRun });
      outcomes.push(result.evicted ? `${would}evicted pod ${plan.namespace}/${pod}` : `the PodDisruptionBudget kept pod ${plan.namespace}/${pod}: ${result.reason}`);
    }
    return outcomes.join('; ');
  }
  if (plan.type === 'kubernetes-scale') {
    const replicas = provider.type === 'kubernetes-scale' ? provider.replicas : plan.previous;
    await client.scaleDeployment(plan.namespace, plan.deployment, replicas, { dryRun });
    return `${would}scaled Deployment ${plan.namespace}/${plan.deployment} from ${plan.previous} to ${replicas} replicas`;
  }
  if (provider.type !== 'chaos-mesh') throw new KubernetesChaosError(`a ${plan.type} plan for a ${provider.type} action`);
  const object = chaosMeshObject(provider, plan.name, limits);
  await client.create(object, { dryRun });
  if (dryRun) return `${would}create ${plan.kind} ${plan.namespace}/${plan.name} selecting ${selectedPods(provider.share)} of ${optedInSelector(provider.service)}`;
  await waitForInjected(client, object);
  return `created ${plan.kind} ${plan.namespace}/${plan.name}; Chaos Mesh reports it injected`;
}

/** Undoes what the action did; undoing what is already undone is no error (rollback may run twice). */
export async function undoKubernetes(record: KubernetesUndo): Promise<void> {
  const client = connect(record.kubeconfig);
  // Evicted pods are not restored: their controller replaces them.
  if (record.type === 'kubernetes-pod-kill') return;
  if (record.type === 'kubernetes-scale') {
    await client.scaleDeployment(record.namespace, record.deployment, record.previous);
    return;
  }
  const object: Manifest = { apiVersion: CHAOS_MESH_API_VERSION, kind: record.kind, metadata: { name: record.name, namespace: record.namespace } };
  await client.delete(object);
  // Chaos Mesh recovers the pods before it lets the object go (its finalizer): gone means recovered.
  const deadline = Date.now() + GONE_WITHIN_MS;
  while ((await client.read(object)) !== undefined) {
    if (Date.now() > deadline) throw new KubernetesChaosError(`${record.kind} ${record.namespace}/${record.name} is still there ${GONE_WITHIN_MS / 1000} s after its deletion: Chaos Mesh has not recovered its pods (is chaos-controller-manager running?)`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function describeKubernetesUndo(record: KubernetesUndo): string {
  if (record.type === 'kubernetes-pod-kill') return `nothing to restore for evicted pods ${record.pods.map((pod) => `${record.namespace}/${pod}`).join(', ')}: their controller replaces them`;
  if (record.type === 'kubernetes-scale') return `scale Deployment ${record.namespace}/${record.deployment} back to ${record.previous} replicas`;
  return `delete ${record.kind} ${record.namespace}/${record.name}`;
}

/** The Chaos Mesh object of an action: its spec, with the selector, mode and duration the provider owns. */
export function chaosMeshObject(provider: Extract<KubernetesProvider, { type: 'chaos-mesh' }>, name: string, limits: KubernetesLimits): Manifest {
  const mode = provider.share >= 1 ? { mode: 'all' } : { mode: 'fixed-percent', value: String(Math.max(1, Math.floor(provider.share * 100))) };
  return {
    apiVersion: CHAOS_MESH_API_VERSION,
    kind: provider.kind,
    metadata: { name, namespace: provider.namespace, labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER, [WORKLOAD_COMPONENT_LABEL]: provider.service } },
    spec: {
      duration: `${Math.ceil(limits.maxDurationMs / 1000)}s`,
      ...provider.spec,
      selector: { namespaces: [provider.namespace], labelSelectors: { [WORKLOAD_COMPONENT_LABEL]: provider.service, [CHAOS_OPT_IN_LABEL.name]: CHAOS_OPT_IN_LABEL.value } },
      ...mode,
    },
  };
}

function selectedPods(share: number): string {
  return share >= 1 ? 'all pods' : `${Math.max(1, Math.floor(share * 100))} %`;
}

/** Chaos Mesh's controller marks what it did in status.conditions; AllInjected True means every selected pod has the fault. */
async function waitForInjected(client: KubernetesClient, object: Manifest): Promise<void> {
  const deadline = Date.now() + INJECTED_WITHIN_MS;
  for (;;) {
    const current = (await client.read(object)) as { status?: { conditions?: { type: string; status: string; reason?: string }[] } } | undefined;
    const conditions = current?.status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'AllInjected' && c.status === 'True')) return;
    const unselected = conditions.find((c) => c.type === 'Selected' && c.status === 'False');
    if (unselected) throw new KubernetesChaosError(`${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: Chaos Mesh selected no pod${unselected.reason ? ` (${unselected.reason})` : ''}`);
    if (Date.now() > deadline) throw new KubernetesChaosError(`${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: Chaos Mesh did not report it injected (condition AllInjected) within ${INJECTED_WITHIN_MS / 1000} s; is chaos-controller-manager running, and the namespace annotated chaos-mesh.org/inject=enabled where it filters namespaces?`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
