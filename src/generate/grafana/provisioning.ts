/** Grafana file provisioning: where dashboards are loaded from, and the three datasources. */
export const DASHBOARDS_MOUNT = '/var/lib/grafana/dashboards/pyairtable';

export function dashboardProvider(): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      { name: 'pyairtable', folder: 'PyAirtable', type: 'file', disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 30, options: { path: DASHBOARDS_MOUNT } },
    ],
  };
}

/** URLs come from the environment (docker-compose and Kubernetes set them), never from this file. */
export function datasources(): Record<string, unknown> {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: 'prometheus',
        type: 'prometheus',
        access: 'proxy',
        url: '${PROMETHEUS_URL}',
        isDefault: true,
        jsonData: { timeInterval: '15s', exemplarTraceIdDestinations: [{ name: 'trace_id', datasourceUid: 'jaeger' }] },
      },
      { name: 'Alertmanager', uid: 'alertmanager', type: 'alertmanager', access: 'proxy', url: '${ALERTMANAGER_URL}', jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false } },
      { name: 'Jaeger', uid: 'jaeger', type: 'jaeger', access: 'proxy', url: '${JAEGER_URL}' },
    ],
  };
}
