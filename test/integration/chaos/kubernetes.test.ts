import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperiment, type Experiment } from '../../../src/chaos/experiment.js';
import { ChaosProviderError, inject, plannedUndo, undo, type Undo } from '../../../src/chaos/providers.js';
import { loadCatalog } from '../../../src/catalog/index.js';
import { KubernetesClient } from '../../../src/kubernetes/client.js';
import { installCrds } from '../../../src/kubernetes/manifests.js';
import { kubectl, markPodsReady, useKubernetes } from '../../helpers/kubernetes.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The Kubernetes provider against a real kube-apiserver holding deploy/kubernetes/overlays/chaos and
 * Chaos Mesh's CRDs. No kubelet or controller runs: the test creates the pods and writes the status
 * the kubelet, the disruption controller and Chaos Mesh's controller would.
 */
const cluster = useKubernetes();
const catalog = loadCatalog('slo/catalog.yaml');
const NS = 'pyairtable';
let client: KubernetesClient;

const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels },
  spec: { containers: [{ name: 'main', image: 'registry.example/app:1' }] },
});
const gatewayLabels = { 'app.kubernetes.io/name': 'gateway', 'pyairtable.io/service': 'gateway', 'pyairtable.io/chaos': 'enabled' };

beforeAll(async () => {
  client = KubernetesClient.connect(cluster().kubeconfig);
  await installCrds(client);
  const applied = await kubectl(cluster(), 'apply', '--server-side', '-k', 'deploy/kubernetes/overlays/chaos');
  expect(applied.code, applied.stderr).toBe(0);
  // The service-account controller would make this; pods need it.
  await client.apply([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } }]);
  await client.apply([
    pod('gateway-a', gatewayLabels),
    pod('gateway-b', gatewayLabels),
    pod('gateway-c', gatewayLabels),
    pod('airtable-domain-a', { 'pyairtable.io/service': 'airtable-domain', 'pyairtable.io/chaos': 'enabled' }),
    // Another team's pod of the same component, not opted in: never touched.
    pod('airtable-domain-private', { 'pyairtable.io/service': 'airtable-domain' }),
  ]);
  await markPodsReady(cluster(), NS, ['gateway-a', 'gateway-b', 'gateway-c', 'airtable-domain-a', 'airtable-domain-private']);
}, 60_000);

function shipped(name: string, edit: (text: string) => string = (text) => text): Experiment {
  return parseExperiment(edit(readFileSync(`chaos/${name}`, 'utf8')), name, catalog);
}

function limitsOf(experiment: Experiment) {
  return { maxPodShare: experiment.extension.blast_radius.max_pod_share, maxDurationMs: experiment.maxDurationMs };
}

async function plan(experiment: Experiment, name = 'sre-chaos-test-0'): Promise<Undo> {
  const provider = experiment.method[0]?.provider;
  if (!provider) throw new Error('no action');
  return plannedUndo(provider, { simulatorAdmin: '', toxiproxyApi: undefined, kubeconfig: cluster().kubeconfig }, name, limitsOf(experiment));
}

async function run(experiment: Experiment, planned: Undo, dryRun = false): Promise<string> {
  const provider = experiment.method[0]?.provider;
  if (!provider) throw new Error('no action');
  return inject(provider, planned, limitsOf(experiment), dryRun);
}

const names = async (resource: string): Promise<string[]> => (await kubectl(cluster(), 'get', resource, '-n', NS, '-o', 'name')).stdout.trim().split('\n').filter(Boolean).sort();

/** What the disruption controller would write: three healthy gateway pods, one disruption allowed. */
async function pdbAllowsOne(): Promise<void> {
  const pdb = (await client.read({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'gateway', namespace: NS } })) as { metadata: { generation: number } };
  const status = { observedGeneration: pdb.metadata.generation, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 };
  const patched = await kubectl(cluster(), 'patch', 'pdb', 'gateway', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status }));
  expect(patched.code, patched.stderr).toBe(0);
}

describe('the Kubernetes chaos provider on a real API server', () => {
  it('plans an eviction among the opted-in pods of the component only, within the share cap', async () => {
    const planned = await plan(shipped('kubernetes-gateway-pod-kill.yaml'));
    expect(planned).toMatchObject({ type: 'kubernetes-pod-kill', namespace: NS, kubeconfig: cluster().kubeconfig });
    expect((planned as Extract<Undo, { type: 'kubernetes-pod-kill' }>).pods).toEqual([expect.stringMatching(/^gateway-[abc]$/)]);
    // Two of three is past 0.34 of the pods.
    await expect(plan(shipped('kubernetes-gateway-pod-kill.yaml', (t) => t.replace('count: 1', 'count: 2')))).rejects.toThrow(
      new ChaosProviderError('pyairtable/gateway: evicting 2 of 3 opted-in pods is more than blast_radius.max_pod_share 0.34 allows (1)'),
    );
    // A component whose pods did not opt in: nothing to choose from.
    await expect(plan(shipped('kubernetes-gateway-pod-kill.yaml', (t) => t.replace('service: gateway', 'service: auth')))).rejects.toThrow(/^pyairtable\/auth: no pod in namespace pyairtable is labelled pyairtable.io\/service=auth,pyairtable.io\/chaos=enabled; a pod opts in to chaos with pyairtable.io\/chaos: enabled$/);
  });

  it('evicts through the Eviction API: dry run changes nothing, then the PodDisruptionBudget lets one pod go and keeps the next', async () => {
    await pdbAllowsOne();
    const experiment = shipped('kubernetes-gateway-pod-kill.yaml');
    const first = await plan(experiment);
    const victim = (first as Extract<Undo, { type: 'kubernetes-pod-kill' }>).pods[0] ?? '';
    expect(await run(experiment, first, true)).toBe(`dry run accepted: evicted pod ${NS}/${victim}`);
    expect(await names('pods')).toContain(`pod/${victim}`);
    expect(await run(experiment, first)).toBe(`evicted pod ${NS}/${victim}`);
    // No kubelet holds it back: an evicted pod is deleted at once.
    expect(await names('pods')).not.toContain(`pod/${victim}`);
    await undo(first);
    // The ReplicaSet's replacement (as its controller would make it); the budget is still spent, since
    // the API server took the disruption off it: the next eviction is refused, and that is no error.
    await client.apply([pod(victim, gatewayLabels)]);
    await markPodsReady(cluster(), NS, [victim]);
    const second = await plan(experiment);
    expect(await run(experiment, second)).toMatch(new RegExp(`^the PodDisruptionBudget kept pod ${NS}/gateway-[abc]: Cannot evict pod as it would violate the pod's disruption budget`));
    expect(await names('pods')).toEqual(['pod/airtable-domain-a', 'pod/airtable-domain-private', 'pod/gateway-a', 'pod/gateway-b', 'pod/gateway-c']);
  });

  it('scales a Deployment down within the share cap and restores its replicas, also when undone twice', async () => {
    const experiment = shipped('kubernetes-gateway-pod-kill.yaml', (t) => t.replace('{ type: kubernetes-pod-kill, service: gateway, namespace: pyairtable, count: 1 }', '{ type: kubernetes-scale, service: gateway, replicas: 2 }'));
    const replicas = async () => JSON.parse((await kubectl(cluster(), 'get', 'deployment', 'gateway', '-n', NS, '-o', 'jsonpath={.spec.replicas}')).stdout) as number;
    const planned = await plan(experiment);
    expect(planned).toEqual({ type: 'kubernetes-scale', kubeconfig: cluster().kubeconfig, namespace: NS, deployment: 'gateway', previous: 3 });
    expect(await run(experiment, planned, true)).toBe('dry run accepted: scaled Deployment pyairtable/gateway from 3 to 2 replicas');
    expect(await replicas()).toBe(3);
    expect(await run(experiment, planned)).toBe('scaled Deployment pyairtable/gateway from 3 to 2 replicas');
    expect(await replicas()).toBe(2);
    await undo(planned);
    await undo(planned);
    expect(await replicas()).toBe(3);
    await expect(plan(shipped('kubernetes-gateway-pod-kill.yaml', (t) => t.replace('{ type: kubernetes-pod-kill, service: gateway, namespace: pyairtable, count: 1 }', '{ type: kubernetes-scale, service: gateway, replicas: 1 }')))).rejects.toThrow(
      'pyairtable/gateway: scaling Deployment gateway from 3 to 1 takes 2 of its pods, more than blast_radius.max_pod_share 0.34 allows (1)',
    );
  });

  it('creates a Chaos Mesh object the API server accepts, waits for Chaos Mesh to report it injected, and deletes it as the rollback', async () => {
    const experiment = shipped('kubernetes-airtable-domain-network-delay.yaml');
    const planned = await plan(experiment, 'sre-chaos-delay-0');
    expect(await run(experiment, planned, true)).toBe('dry run accepted: create NetworkChaos pyairtable/sre-chaos-delay-0 selecting all pods of pyairtable.io/service=airtable-domain,pyairtable.io/chaos=enabled');
    expect(await names('networkchaos')).toEqual([]);

    const injecting = run(experiment, planned);
    let settled = false;
    void injecting.finally(() => (settled = true)).catch(() => undefined);
    await waitFor('the NetworkChaos', 10_000, async () => ((await names('networkchaos')).length > 0 ? true : undefined));
    const created = JSON.parse((await kubectl(cluster(), 'get', 'networkchaos', 'sre-chaos-delay-0', '-n', NS, '-o', 'json')).stdout) as { spec: Record<string, unknown> };
    expect(created.spec).toEqual({
      action: 'delay',
      direction: 'to',
      delay: { latency: '200ms', jitter: '20ms', correlation: '25' },
      duration: '300s',
      mode: 'all',
      selector: { namespaces: [NS], labelSelectors: { 'pyairtable.io/service': 'airtable-domain', 'pyairtable.io/chaos': 'enabled' } },
    });
    // Not injected until Chaos Mesh says so.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(settled).toBe(false);
    await reportInjected('networkchaos', 'sre-chaos-delay-0');
    expect(await injecting).toBe('created NetworkChaos pyairtable/sre-chaos-delay-0; Chaos Mesh reports it injected');

    // Chaos Mesh's finalizer holds the object until it has recovered the pods: the rollback waits for that.
    expect((await kubectl(cluster(), 'patch', 'networkchaos', 'sre-chaos-delay-0', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":["chaos-mesh/records"]}}')).code).toBe(0);
    let undone = false;
    const undoing = undo(planned).then(() => (undone = true));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(undone).toBe(false);
    expect((await kubectl(cluster(), 'patch', 'networkchaos', 'sre-chaos-delay-0', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":null}}')).code).toBe(0);
    await undoing;
    expect(await names('networkchaos')).toEqual([]);
    await undo(planned);
  });

  it('refuses a malformed Chaos Mesh object with the API server\'s own words, and creates nothing', async () => {
    const experiment = shipped('kubernetes-airtable-domain-network-delay.yaml', (t) => t.replace('action: delay', 'action: slowdown'));
    const planned = await plan(experiment, 'sre-chaos-bad-0');
    await expect(run(experiment, planned, true)).rejects.toThrow(/^creating NetworkChaos pyairtable\/sre-chaos-bad-0: 422 .*spec\.action: Unsupported value: "slowdown": supported values: "netem", "delay"/);
    await expect(run(experiment, planned)).rejects.toThrow(ChaosProviderError);
    expect(await names('networkchaos')).toEqual([]);
  });

  it('creates an HTTPChaos on one route as the shipped experiment says', async () => {
    const experiment = shipped('kubernetes-workflows-http-abort.yaml', (t) => t.replace('service: automation-domain', 'service: airtable-domain').replace('[automation-domain/availability]', '[airtable-domain/availability]'));
    const planned = await plan(experiment, 'sre-chaos-abort-0');
    expect(await run(experiment, planned, true)).toMatch(/^dry run accepted: create HTTPChaos pyairtable\/sre-chaos-abort-0/);
    expect(await names('httpchaos')).toEqual([]);
  });
});

/** What Chaos Mesh's controller writes once every selected pod has the fault. */
async function reportInjected(resource: string, name: string): Promise<void> {
  const status = { experiment: {}, conditions: [{ type: 'Selected', status: 'True' }, { type: 'AllInjected', status: 'True' }, { type: 'AllRecovered', status: 'False' }, { type: 'Paused', status: 'False' }] };
  const patched = await kubectl(cluster(), 'patch', resource, name, '-n', NS, '--type=merge', '-p', JSON.stringify({ status }));
  expect(patched.code, patched.stderr).toBe(0);
}
