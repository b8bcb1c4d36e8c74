import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FIELD_MANAGER, KubernetesClient, KubernetesError } from '../../../src/kubernetes/client.js';
import { installCrds } from '../../../src/kubernetes/manifests.js';
import { useKubernetes } from '../../helpers/kubernetes.js';

/**
 * The project's Kubernetes client against a real kube-apiserver: server-side apply that re-applies
 * idempotently, strict field validation, RBAC, workloads listed by label with their requests.
 */
const cluster = useKubernetes();

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'client-test' }, data });

function deployment(name: string, labels: Record<string, string>, replicas: number | undefined, requests: Record<string, string>) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'client-test', labels },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'registry.example/app:1', resources: { requests } }, { name: 'sidecar', image: 'registry.example/sidecar:1' }] } },
    },
  };
}

describe('the Kubernetes client on a real API server', () => {
  it('applies with server-side apply as pyairtable-sre, and re-applying the same object changes nothing', async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    await client.apply([namespace('client-test')]);
    const [first] = await client.apply([configMap({ level: 'info' })]);
    const [again] = await client.apply([configMap({ level: 'info' })]);
    expect(again?.metadata?.resourceVersion).toBe(first?.metadata?.resourceVersion);
    expect(again?.metadata?.managedFields?.map((field) => [field.manager, field.operation])).toEqual([[FIELD_MANAGER, 'Apply']]);
    const [changed] = await client.apply([configMap({ level: 'debug' })]);
    expect(changed?.metadata?.resourceVersion).not.toBe(first?.metadata?.resourceVersion);
    expect(await client.read(configMap({}))).toMatchObject({ data: { level: 'debug' } });
    expect(await client.read({ ...configMap({}), metadata: { name: 'missing', namespace: 'client-test' } })).toBeUndefined();
  });

  it('refuses a field the schema does not know, naming it, and stores nothing of it', async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    const unknown = { ...configMap({ level: 'info' }), metadata: { name: 'strict', namespace: 'client-test' }, spec: { level: 'info' } };
    // The API server refuses an apply patch with a field outside the schema before it validates fields.
    await expect(client.apply([unknown])).rejects.toThrow(/^applying ConfigMap client-test\/strict: 500 .*\.spec: field not declared in schema/);
    expect(await client.read(unknown)).toBeUndefined();
  });

  it('lists Deployments and StatefulSets by label with replicas and container requests', async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    await client.apply([
      deployment('user', { 'pyairtable.io/service': 'user' }, 3, { cpu: '250m', memory: '256Mi' }),
      deployment('auth', { 'pyairtable.io/service': 'auth' }, undefined, { cpu: '1', memory: '1Gi' }),
      deployment('unrelated', { team: 'other' }, 2, { cpu: '2' }),
      {
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'ledger', namespace: 'client-test', labels: { 'pyairtable.io/service': 'ledger' } },
        spec: { replicas: 2, serviceName: 'ledger', selector: { matchLabels: { app: 'ledger' } }, template: { metadata: { labels: { app: 'ledger' } }, spec: { containers: [{ name: 'db', image: 'registry.example/db:1', resources: { requests: { cpu: '500m', memory: '2G' } } }] } } },
      },
    ]);
    const workloads = await client.workloads('pyairtable.io/service', 'client-test');
    expect(workloads.map((w) => [w.kind, w.name, w.replicas, w.containers]).sort()).toEqual([
      ['Deployment', 'auth', 1, [{ name: 'main', cpuCores: 1, memoryBytes: 1024 ** 3 }, { name: 'sidecar', cpuCores: null, memoryBytes: null }]],
      ['Deployment', 'user', 3, [{ name: 'main', cpuCores: 0.25, memoryBytes: 256 * 1024 ** 2 }, { name: 'sidecar', cpuCores: null, memoryBytes: null }]],
      ['StatefulSet', 'ledger', 2, [{ name: 'db', cpuCores: 0.5, memoryBytes: 2e9 }]],
    ]);
    expect((await client.workloads('pyairtable.io/service=user')).map((w) => `${w.namespace}/${w.name}`)).toEqual(['client-test/user']);
  });

  it('is refused by RBAC as a user no role binds', async () => {
    const config = parse(readFileSync(cluster().kubeconfig, 'utf8')) as { users: { user: { token: string } }[] };
    const user = config.users[0];
    if (user) user.user.token = cluster().unprivilegedToken;
    const file = join(cluster().kubeconfig, '..', 'nobody.kubeconfig');
    writeFileSync(file, stringify(config));
    const nobody = KubernetesClient.connect(file);
    await expect(nobody.workloads('')).rejects.toThrow(/403 (deployments|statefulsets)\.apps is forbidden: User "nobody" cannot list resource "(deployments|statefulsets)"/);
  });

  it('installs the committed CRDs and waits until they are served', async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    expect((await installCrds(client)).sort()).toEqual([
      'httpchaos.chaos-mesh.org', 'networkchaos.chaos-mesh.org', 'podchaos.chaos-mesh.org',
      'prometheusrules.monitoring.coreos.com', 'scaledobjects.keda.sh', 'servicemonitors.monitoring.coreos.com', 'stresschaos.chaos-mesh.org',
    ]);
    // Served: a custom resource of each kind can be applied at once.
    const [rule] = await client.apply([{ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'probe', namespace: 'client-test' }, spec: { groups: [] } }]);
    expect(rule?.metadata?.uid).toBeDefined();
  });

  it('names a kubeconfig it cannot load', () => {
    expect(() => KubernetesClient.connect('/nonexistent/kubeconfig')).toThrow(KubernetesError);
    expect(() => KubernetesClient.connect('/nonexistent/kubeconfig')).toThrow(/^cannot load the kubeconfig \/nonexistent\/kubeconfig: /);
  });
});
