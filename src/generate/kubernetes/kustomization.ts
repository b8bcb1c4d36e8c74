/**
 * The kustomization of the generated manifests: a directory the base lists as one resource, so that
 * `kubectl apply -k deploy/kubernetes/base` loads them with kustomize's default load restrictions
 * (a base may include another kustomization outside its root, never a loose file).
 */
export function generatedKustomization(resources: readonly string[]): Record<string, unknown> {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] };
}
