import type { Catalog } from '../../catalog/index.js';
import { BURN_RATE_TIERS } from '../../catalog/burn-rate.js';
import { SLI_ABSENT_ALERT, TARGET_DOWN_ALERT } from '../../catalog/conventions.js';

/** Where receivers read their secrets: files mounted next to Alertmanager, never committed. */
export const RECEIVER_SECRET_FILES = {
  pagerRoutingKey: '/etc/alertmanager/secrets/pagerduty-routing-key',
  ticketWebhookUrl: '/etc/alertmanager/secrets/slack-webhook-url',
  /** The control plane's webhook bearer token; `sre up` points this at the local state's token file. */
  controlPlaneToken: '/etc/alertmanager/secrets/control-plane-webhook-token',
} as const;

/** The routes' matchers, each in Alertmanager's own spelling. */
const CONTROL_PLANE_MATCHERS = ['severity=~"critical|warning"'];
const PAGER_MATCHERS = ['severity="critical"'];

/**
 * Alertmanager's key of the pager route (`{}` for the root, then each route's matchers): the part of a
 * group key before the group's labels. PagerDuty's dedup key is the SHA-256 of that group key, which
 * is how the control plane knows which of its incidents a PagerDuty acknowledgement is about.
 */
export const PAGER_ROUTE_KEY = `{}/{${PAGER_MATCHERS.join(',')}}`;

/**
 * The route tree: everything with a severity also goes to the control plane (incident tracking),
 * critical pages, warning opens a ticket, anything else (info) goes nowhere. Slower burn-rate tiers
 * and tickets are inhibited while a faster tier or a page fires for the same service and SLO.
 */
export function alertmanagerConfig(catalog: Catalog): Record<string, unknown> {
  const slower = (rank: number): string => BURN_RATE_TIERS.filter((t) => t.rank > rank).map((t) => t.rank).join('|');
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'blackhole',
      group_by: ['alertname', 'service', 'slo'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: 'control-plane', matchers: CONTROL_PLANE_MATCHERS, group_wait: '10s', continue: true },
        { receiver: 'pager', matchers: PAGER_MATCHERS, repeat_interval: '1h' },
        { receiver: 'ticket', matchers: ['severity="warning"'], repeat_interval: '12h' },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service', 'slo'] },
      ...BURN_RATE_TIERS.filter((tier) => slower(tier.rank) !== '').map((tier) => ({
        source_matchers: [`burn_tier="${tier.rank}"`],
        target_matchers: [`burn_tier=~"${slower(tier.rank)}"`],
        equal: ['service', 'slo'],
      })),
      { source_matchers: [`alertname="${TARGET_DOWN_ALERT}"`], target_matchers: [`alertname="${SLI_ABSENT_ALERT}"`] },
    ],
    receivers: [
      { name: 'blackhole' },
      {
        name: 'control-plane',
        webhook_configs: [{ url: catalog.alerting.control_plane_webhook_url, send_resolved: true, max_alerts: 0, http_config: { authorization: { type: 'Bearer', credentials_file: RECEIVER_SECRET_FILES.controlPlaneToken } } }],
      },
      { name: 'pager', pagerduty_configs: [{ routing_key_file: RECEIVER_SECRET_FILES.pagerRoutingKey, send_resolved: true }] },
      {
        name: 'ticket',
        slack_configs: [
          {
            api_url_file: RECEIVER_SECRET_FILES.ticketWebhookUrl,
            channel: '#pyairtable-slo',
            send_resolved: true,
            title: '{{ .CommonLabels.alertname }} {{ .CommonLabels.service }}/{{ .CommonLabels.slo }}',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.runbook_url }}\n{{ end }}',
          },
        ],
      },
    ],
  };
}
