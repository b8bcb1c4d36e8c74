/** Dashboards as ConfigMaps labelled for the kube-prometheus-stack Grafana sidecar. */
export function dashboardConfigMaps(files: ReadonlyMap<string, string>): Record<string, unknown>[] {
  return [...files].map(([name, json]) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `grafana-dashboard-${name.replace(/\.json$/, '')}`,
      namespace: 'monitoring',
      labels: { grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'pyairtable-sre' },
      annotations: { grafana_folder: 'PyAirtable' },
    },
    data: { [name]: json },
  }));
}
