import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubernetesClient } from '../../../src/kubernetes/client.js';
import { installCrds, parseObjects } from '../../../src/kubernetes/manifests.js';
import { kubectl as runKubectl, useKubernetes, type KubectlRun } from '../../helpers/kubernetes.js';

/**
 * deploy/kubernetes as its README documents it: both kustomizations rendered by the built kubectl
 * with kustomize's default load restrictions, and applied with server-side apply and strict
 * validation to a real kube-apiserver holding the upstream CRDs.
 */
const cluster = useKubernetes();


const kubectl = (...args: string[]): Promise<KubectlRun> => runKubectl(cluster(), ...args);

interface Object_ {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

describe('deploy/kubernetes on a real API server', () => {
  it('renders both kustomizations with the default load restrictions', async () => {
    const base = await kubectl('kustomize', 'deploy/kubernetes/base');
    expect(base.code, base.stderr).toBe(0);
    const kinds = parseObjects(base.stdout, 'base').map((object) => `${object.kind}/${object.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['Namespace/pyairtable', 'Deployment/gateway', 'Service/gateway', 'PodDisruptionBudget/gateway', 'HorizontalPodAutoscaler/gateway', 'ServiceMonitor/gateway', 'PrometheusRule/pyairtable-slo']));
    expect(kinds.filter((kind) => kind.startsWith('ConfigMap/'))).toHaveLength(5);
    const keda = await kubectl('kustomize', 'deploy/kubernetes/overlays/keda');
    expect(keda.code, keda.stderr).toBe(0);
    const overlay = parseObjects(keda.stdout, 'overlays/keda').map((object) => object.kind);
    expect(overlay).toContain('ScaledObject');
    expect(overlay).not.toContain('HorizontalPodAutoscaler');
  });

  it('applies the base with server-side apply and strict validation, every object there with the labels its selectors need', async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    await installCrds(client);
    const applied = await kubectl('apply', '--server-side', '--field-manager=pyairtable-sre', '--validate=strict', '-k', 'deploy/kubernetes/base');
    expect(applied.code, applied.stderr).toBe(0);
    const get = async (kind: string, name: string): Promise<Object_> => {
      const run = await kubectl('get', '--namespace=pyairtable', kind, name, '--output=json');
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as Object_;
    };
    const service = await get('service', 'gateway');
    const monitor = await get('servicemonitor', 'gateway');
    const deployment = await get('deployment', 'gateway');
    const budget = await get('poddisruptionbudget', 'gateway');
    const hpa = await get('horizontalpodautoscaler', 'gateway');
    const rule = await get('prometheusrule', 'pyairtable-slo');
    // The ServiceMonitor selects the Service; the Service and the budget select the Deployment's pods.
    expect(service.metadata.labels).toMatchObject((monitor.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels);
    const podLabels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(podLabels).toMatchObject((service.spec as { selector: Record<string, string> }).selector);
    expect(podLabels).toMatchObject((budget.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels);
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'gateway' } });
    for (const object of [service, monitor, deployment, budget, hpa, rule]) expect(object.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'pyairtable-sre' });
    const dashboards = await kubectl('get', '--namespace=pyairtable', 'configmaps', '--selector=grafana_dashboard=1', '--output=name');
    expect(dashboards.stdout.trim().split('\n')).toHaveLength(5);
    // Applying again changes nothing.
    const again = await kubectl('apply', '--server-side', '--field-manager=pyairtable-sre', '--validate=strict', '-k', 'deploy/kubernetes/base');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/configured|created/);
  }, 60_000);

  it('applies the KEDA overlay: its ScaledObject passes the CRD schema', async () => {
    const rendered = await kubectl('kustomize', 'deploy/kubernetes/overlays/keda');
    const objects = parseObjects(rendered.stdout, 'overlays/keda').filter((object) => object.kind === 'ScaledObject');
    expect(objects).toHaveLength(1);
    const [scaled] = await KubernetesClient.connect(cluster().kubeconfig).apply(objects);
    expect(scaled).toMatchObject({ kind: 'ScaledObject', metadata: { name: 'gateway', namespace: 'pyairtable' }, spec: { scaleTargetRef: { name: 'gateway' } } });
  });

  it('is refused by the API server when a PrometheusRule expression is not a string', async () => {
    const broken = join(cluster().kubeconfig, '..', 'broken-rule.yaml');
    writeFileSync(broken, [
      'apiVersion: monitoring.coreos.com/v1',
      'kind: PrometheusRule',
      'metadata: { name: broken, namespace: pyairtable }',
      'spec:',
      '  groups:',
      '    - name: broken',
      '      rules:',
      '        - alert: Broken',
      '          expr: { sum: up }',
      '',
    ].join('\n'));
    const refused = await kubectl('apply', '--server-side', '--validate=strict', '--filename', broken);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/spec\.groups\[0\]\.rules\[0\]\.expr/);
    expect((await kubectl('get', '--namespace=pyairtable', 'prometheusrule', 'broken')).code).not.toBe(0);
  });
});
