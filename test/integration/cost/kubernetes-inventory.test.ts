import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKLOAD_COMPONENT_LABEL } from '../../../src/catalog/conventions.js';
import { loadCatalog } from '../../../src/catalog/index.js';
import { kubernetesInventory } from '../../../src/cost/kubernetes-inventory.js';
import { pricesOf } from '../../../src/cost/pricing.js';
import { costReport } from '../../../src/cost/report.js';
import { podUsage } from '../../../src/cost/usage.js';
import { startPrometheus, type RunningPrometheus } from '../../../src/dev/local-prometheus.js';
import { KubernetesClient, type Manifest } from '../../../src/kubernetes/client.js';
import { installCrds, parseObjects } from '../../../src/kubernetes/manifests.js';
import { kubectl as runKubectl, useKubernetes, type KubectlRun } from '../../helpers/kubernetes.js';
import { runSre } from '../../helpers/sre-cli.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The Kubernetes inventory on a real API server holding the repository's own manifests
 * (deploy/kubernetes/base: the gateway) and a second namespace with the domain services, a workload
 * of another team (no component label) and one the catalog does not know.
 */
const cluster = useKubernetes();
const catalog = loadCatalog('slo/catalog.yaml');
const prices = pricesOf(catalog);
const GIB = 1024 ** 3;

const deployment = (namespace: string, name: string, replicas: number, cpu: string, memory: string, labels: Record<string, string>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: `registry.example/${name}:1`, resources: { requests: { cpu, memory } } }] } } },
});

/** The domain services as the catalog sizes them, each labelled with its component. */
function domainWorkloads(namespace: string): Manifest[] {
  return catalog.services.map((service) => {
    const cost = service.cost ?? { replicas: 0, cpu_request_cores: 0, memory_request_gib: 0 };
    return deployment(namespace, service.id, cost.replicas, `${cost.cpu_request_cores * 1000}m`, `${cost.memory_request_gib * 1024}Mi`, { [WORKLOAD_COMPONENT_LABEL]: service.id });
  });
}

const kubectl = (...args: string[]): Promise<KubectlRun> => runKubectl(cluster(), ...args);

describe('the Kubernetes inventory of sre cost report', () => {
  beforeAll(async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    await installCrds(client);
    const base = await kubectl('kustomize', 'deploy/kubernetes/base');
    expect(base.code, base.stderr).toBe(0);
    await client.apply(parseObjects(base.stdout, 'deploy/kubernetes/base'));
    await client.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'domains' } },
      ...domainWorkloads('domains'),
      // Another team's workload, without the component label: not the platform's, not counted.
      deployment('domains', 'search-indexer', 4, '2', '8Gi', { team: 'search' }),
    ]);
  }, 60_000);

  it('charges the repository\'s gateway and the domain services their replicas x requests: the catalog\'s figures', async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    const inventory = await kubernetesInventory(client, catalog, prices);
    expect(inventory.unknown).toEqual([]);
    expect(inventory.entries.map((entry) => `${entry.component} ${entry.workload}`).sort()).toEqual([
      ...catalog.services.map((service) => `${service.id} Deployment domains/${service.id}`),
      'gateway Deployment pyairtable/gateway',
    ].sort());
    // The gateway manifest: 3 replicas x (250m, 512Mi).
    expect(inventory.entries.find((entry) => entry.component === 'gateway')?.resources).toEqual({ cpuCores: 0.75, memoryGib: 1.5 });
    const report = costReport({ catalog, inventory });
    expect(report.source).toBe('kubernetes');
    expect(report.verdict).toBe('met');
    // Sized as the catalog says, the cluster costs what the catalog computes: (6.05 vCPU, 11.5 GiB) x prices x 730.
    expect(report.totals.current_monthly_usd).toBeCloseTo((6.05 * 0.031611 + 11.5 * 0.004237) * 730, 9);
  });

  it('names a labelled workload the catalog does not know and exits 2, through the command', async () => {
    const client = KubernetesClient.connect(cluster().kubeconfig);
    await client.apply([deployment('domains', 'legacy-reports', 2, '500m', '1Gi', { [WORKLOAD_COMPONENT_LABEL]: 'reports' })]);
    const run = await runSre(['cost', 'report', '--kubernetes', '--kubeconfig', cluster().kubeconfig]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(`problem: Deployment domains/legacy-reports (${WORKLOAD_COMPONENT_LABEL}=reports) is not a component the catalog knows (the gateway or one of its services)`);
    expect(run.stdout).toContain('source: kubernetes (every namespace, workloads labelled pyairtable.io/service, requests)');
    expect(run.stdout).toMatch(/^cost target: cannot judge, the inputs do not add up \(1 problem\)/m);
    // One namespace at a time: the domains alone lack the gateway, which is named too.
    const domains = await runSre(['cost', 'report', '--kubernetes', '--kubeconfig', cluster().kubeconfig, '--namespace', 'domains', '--json']);
    expect(domains.code).toBe(2);
    expect((JSON.parse(domains.stdout) as { problems: string[] }).problems).toContain('gateway has no workload in the kubernetes inventory (namespace domains, workloads labelled pyairtable.io/service, requests)');
    await kubectl('delete', '--namespace=domains', 'deployment', 'legacy-reports');
  });

  describe('with usage from Prometheus', () => {
    let exporter: Server;
    let prometheus: RunningPrometheus;
    let dir: string;
    const started = Date.now();
    beforeAll(async () => {
      // cAdvisor's series as a kubelet exposes them: the gateway's pods use more memory than they request.
      exporter = createServer((_, response) => {
        const seconds = (Date.now() - started) / 1000;
        const lines = ['# TYPE container_cpu_usage_seconds_total counter', '# TYPE container_memory_working_set_bytes gauge'];
        for (const pod of ['gateway-5d8f7c9b4-abcde', 'gateway-5d8f7c9b4-fghij', 'gateway-5d8f7c9b4-klmno']) {
          // A counter that started long before: 0.1 core since.
          lines.push(`container_cpu_usage_seconds_total{namespace="pyairtable",pod="${pod}",container="gateway"} ${(1000 + 0.1 * seconds).toFixed(3)}`);
          lines.push(`container_memory_working_set_bytes{namespace="pyairtable",pod="${pod}",container="gateway"} ${GIB}`);
          // The pod-level aggregate cAdvisor also exports: never counted twice.
          lines.push(`container_memory_working_set_bytes{namespace="pyairtable",pod="${pod}",container=""} ${GIB}`);
        }
        response.end(`${lines.join('\n')}\n`);
      }).listen(0, '127.0.0.1');
      await new Promise((resolve) => exporter.once('listening', resolve));
      dir = mkdtempSync(join(tmpdir(), 'cost-usage-'));
      prometheus = await startPrometheus(dir, { kubelet: `127.0.0.1:${(exporter.address() as AddressInfo).port}` });
    }, 60_000);
    afterAll(async () => {
      await prometheus.stop();
      exporter.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('charges max(request, usage): the gateway\'s 3 GiB in use over its 1.5 GiB requested, its CPU requests over its use', async () => {
      const usage = await waitFor('the kubelet series to have a rate', 30_000, async () => {
        const found = await podUsage(prometheus.client, '5s');
        return found.size === 3 && [...found.values()].every((pod) => pod.cpuCores > 0.05) ? found : undefined;
      }, 500);
      expect(usage.get('pyairtable/gateway-5d8f7c9b4-abcde')?.memoryGib).toBe(1);
      expect(usage.get('pyairtable/gateway-5d8f7c9b4-abcde')?.cpuCores).toBeCloseTo(0.1, 1);
      const inventory = await kubernetesInventory(KubernetesClient.connect(cluster().kubeconfig), catalog, prices, { usage });
      // Requested 3 x 250m = 0.75 vCPU (more than 0.3 used), 1.5 GiB (less than the 3 GiB used).
      expect(inventory.entries.find((entry) => entry.component === 'gateway')?.resources).toEqual({ cpuCores: 0.75, memoryGib: 3 });
      expect(inventory.entries.find((entry) => entry.component === 'auth')?.resources).toEqual({ cpuCores: 0.2, memoryGib: 0.25 });
    });
  });
});
