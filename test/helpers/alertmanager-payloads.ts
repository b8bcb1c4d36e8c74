import type { AlertmanagerPayload } from '../../src/control-plane/webhooks/alertmanager.js';

export const CONTROL_PLANE_ROUTE_KEY = '{}/{severity=~"critical|warning"}';

/** An Alertmanager webhook payload (version 4) for one group, as the generated route tree makes them. */
export function payload(alerts: readonly { service: string; fingerprint: string; status?: 'firing' | 'resolved'; severity?: 'critical' | 'warning'; startsAt?: string; endsAt?: string; alertname?: string; slo?: string }[]): AlertmanagerPayload {
  const first = alerts[0];
  const alertname = first?.alertname ?? 'PyAirtableErrorBudgetBurnFast';
  const groupLabels = { alertname, service: first?.service ?? '', slo: first?.slo ?? 'availability' };
  return {
    version: '4',
    groupKey: `${CONTROL_PLANE_ROUTE_KEY}:{alertname="${alertname}", service="${groupLabels.service}", slo="${groupLabels.slo}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'control-plane',
    groupLabels,
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.test',
    alerts: alerts.map((alert) => ({
      status: alert.status ?? 'firing',
      labels: { alertname: alert.alertname ?? alertname, service: alert.service, slo: alert.slo ?? 'availability', severity: alert.severity ?? 'critical' },
      annotations: { summary: `${alert.service} is burning its budget` },
      startsAt: alert.startsAt ?? '2026-12-07T10:00:00Z',
      endsAt: alert.endsAt ?? ((alert.status ?? 'firing') === 'firing' ? '0001-01-01T00:00:00Z' : '2026-12-07T10:20:00Z'),
      generatorURL: 'http://prometheus.test/graph',
      fingerprint: alert.fingerprint,
    })),
  };
}
