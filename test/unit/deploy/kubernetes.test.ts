/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any -- Kubernetes manifests are untyped YAML; these assertions are their type check. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { selectorsOf } from '../../../src/promql/selectors.js';

type Doc = Record<string, any>;

function docs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as Doc);
}

/** Every manifest a kustomization pulls in, following nested kustomizations. */
function build(dir: string): Doc[] {
  const kustomization = docs(join(dir, 'kustomization.yaml'))[0] ?? {};
  return (kustomization.resources as string[]).flatMap((resource) => {
    const path = join(dir, resource);
    expect(existsSync(path), path).toBe(true);
    return existsSync(join(path, 'kustomization.yaml')) ? build(path) : docs(path);
  });
}

const base = build('deploy/kubernetes/base');
const find = (kind: string, name?: string): Doc => {
  const found = base.find((doc) => doc.kind === kind && (name === undefined || doc.metadata?.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''}`);
  return found;
};
const catalog = loadCatalog('slo/catalog.yaml');

describe('deploy/kubernetes', () => {
  it('the base holds the gateway, its scaling and monitoring, and the generated rules and dashboards', () => {
    expect(base.map((doc) => doc.kind).sort()).toEqual(expect.arrayContaining(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceMonitor']));
  });

  it('probes the gateway on its own liveness and readiness endpoints and drains before SIGKILL', () => {
    const deployment = find('Deployment', 'gateway');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } });
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(catalog.gateway.drain_timeout);
    expect(container.args.slice(0, 1)).toEqual(['gateway']);
  });

  it('is scraped as job "gateway", the job every SLO rule selects', () => {
    const service = find('Service', 'gateway');
    const monitor = find('ServiceMonitor', 'gateway');
    const pods = find('Deployment', 'gateway').spec.template.metadata.labels;
    // The Service selects the gateway's pods, and only by the label the Deployment selects them by.
    expect(pods).toMatchObject(service.spec.selector);
    expect(service.spec.selector).toEqual(find('Deployment', 'gateway').spec.selector.matchLabels);
    expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
    expect(service.spec.ports.map((p: Doc) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(monitor.spec.endpoints[0].path).toBe('/metrics');
  });

  it('keeps a disruption budget below the autoscaler minimum, with the platform HPA targets', () => {
    const hpa = find('HorizontalPodAutoscaler', 'gateway');
    const pdb = find('PodDisruptionBudget', 'gateway');
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 15, scaleTargetRef: { kind: 'Deployment', name: 'gateway' } });
    expect(hpa.spec.metrics.map((m: Doc) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 70], ['memory', 80]]);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    expect(pdb.spec.selector.matchLabels).toEqual(find('Deployment', 'gateway').spec.selector.matchLabels);
    expect(find('Deployment', 'gateway').spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
  });

  it('ships every generated alert in the PrometheusRule', () => {
    const rule = find('PrometheusRule');
    const alerts = new Set((rule.spec.groups as Doc[]).flatMap((g) => (g.rules as Doc[]).map((r) => r.alert as string | undefined)).filter(Boolean));
    expect([...alerts].sort()).toEqual(['PyAirtableControlPlaneDown', 'PyAirtableCostPerRequestRegression', 'PyAirtableErrorBudgetBurnFast', 'PyAirtableErrorBudgetBurnMedium', 'PyAirtableErrorBudgetBurnSlow', 'PyAirtableErrorBudgetBurnVerySlow', 'PyAirtableGatewaySpansDropped', 'PyAirtableGatewayTargetDown', 'PyAirtableGatewayUpstreamCircuitOpen', 'PyAirtableIncidentUnacknowledged', 'PyAirtableSLIMetricsAbsent']);
    expect(base.filter((doc) => doc.kind === 'ConfigMap' && doc.metadata.labels?.grafana_dashboard === '1')).toHaveLength(5);
  });

  it('the KEDA overlay replaces the HPA with a ScaledObject on request rate and p95 of job "gateway"', () => {
    const overlay = docs('deploy/kubernetes/overlays/keda/kustomization.yaml')[0] ?? {};
    expect(overlay.patches[0].target).toEqual({ kind: 'HorizontalPodAutoscaler', name: 'gateway' });
    expect(overlay.patches[0].patch).toContain('$patch: delete');
    const scaled = docs(join(dirname('deploy/kubernetes/overlays/keda/kustomization.yaml'), 'gateway-scaledobject.yaml'))[0] ?? {};
    expect(scaled.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 25, scaleTargetRef: { name: 'gateway' } });
    const queries = (scaled.spec.triggers as Doc[]).filter((t) => t.type === 'prometheus').map((t) => t.metadata.query as string);
    expect(queries).toHaveLength(2);
    for (const query of queries) {
      for (const selector of selectorsOf(query)) expect(selector.matchers).toContainEqual({ name: 'job', op: '=', value: 'gateway' });
    }
  });
});
