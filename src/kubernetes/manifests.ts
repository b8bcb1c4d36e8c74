import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT } from '../project-root.js';
import { KubernetesError, type KubernetesClient, type Manifest } from './client.js';

/** The upstream CRDs the manifests use (PrometheusRule, ServiceMonitor, ScaledObject), committed with their source. */
export const CRDS_DIR = join(PROJECT_ROOT, 'deploy/kubernetes/crds');

/** Every object of a multi-document YAML text; a document that is no Kubernetes object is an error naming it. */
export function parseObjects(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((document, index) => {
    if (document.errors.length > 0) throw new KubernetesError(`${source}, document ${index + 1}: ${document.errors[0]?.message ?? 'not YAML'}`);
    const object = document.toJS() as Manifest | null;
    if (object === null) return [];
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof (object.metadata as Manifest['metadata'] | undefined)?.name !== 'string') {
      throw new KubernetesError(`${source}, document ${index + 1}: not a Kubernetes object (apiVersion, kind and metadata.name are needed)`);
    }
    return [object];
  });
}

/** Applies the committed CRDs and waits until the API server serves each of them. */
export async function installCrds(client: KubernetesClient, timeoutMs = 30_000): Promise<string[]> {
  const files = readdirSync(CRDS_DIR).filter((file) => /^[a-z].*\.yaml$/.test(file) && file !== 'kustomization.yaml').sort();
  const crds = files.flatMap((file) => parseObjects(readFileSync(join(CRDS_DIR, file), 'utf8'), join('deploy/kubernetes/crds', file)));
  await client.apply(crds);
  const names = crds.map((crd) => crd.metadata.name);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = (await client.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } })) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
      if (crd?.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')) break;
      if (Date.now() > deadline) throw new KubernetesError(`the CRD ${name} is not established after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return names;
}
