import type { RuleFile } from '../prometheus/rule-types.js';

/** The generated rule groups as a PrometheusRule, as kube-prometheus-stack discovers them. */
export function prometheusRule(name: string, files: readonly RuleFile[]): Record<string, unknown> {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name,
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'pyairtable-sre', release: 'kube-prometheus-stack' },
    },
    spec: { groups: files.flatMap((file) => file.groups) },
  };
}
