import { ALERT_NAME_PATTERN, LABEL } from '../catalog/conventions.js';
import type { PrometheusClient } from '../prometheus/client.js';

/** An alert of the catalog that fired while an experiment ran. */
export interface FiredAlert {
  readonly alertname: string;
  readonly service: string;
  readonly slo: string | null;
  readonly severity: string;
  /** When Prometheus found its expression true (its activeAt). */
  readonly active_at: string;
  /** The first time the run saw it firing. */
  readonly firing_seen_at: string;
  /** The last time the run saw it firing. */
  last_seen_at: string;
}

const OUR_ALERTS = new RegExp(`^${ALERT_NAME_PATTERN}$`);

/**
 * Follows the catalog's alerts in Prometheus while an experiment runs, from the rules' own
 * evaluation (GET /api/v1/alerts): which fired, for what, and when.
 */
export class AlertWatch {
  private readonly seen = new Map<string, FiredAlert>();
  readonly description: string;

  constructor(private readonly prometheus: PrometheusClient) {
    this.description = `Prometheus at ${prometheus.url.origin}`;
  }

  /** Reads the firing alerts now; returns those seen firing for the first time. */
  async poll(): Promise<FiredAlert[]> {
    const now = new Date().toISOString();
    const fresh: FiredAlert[] = [];
    for (const alert of await this.prometheus.alerts()) {
      const name = alert.labels.alertname ?? '';
      if (alert.state !== 'firing' || !OUR_ALERTS.test(name)) continue;
      const key = JSON.stringify([name, alert.labels[LABEL.service], alert.labels[LABEL.slo], alert.labels.severity, alert.activeAt]);
      const known = this.seen.get(key);
      if (known) {
        known.last_seen_at = now;
        continue;
      }
      const fired: FiredAlert = { alertname: name, service: alert.labels[LABEL.service] ?? '', slo: alert.labels[LABEL.slo] ?? null, severity: alert.labels.severity ?? '', active_at: alert.activeAt, firing_seen_at: now, last_seen_at: now };
      this.seen.set(key, fired);
      fresh.push(fired);
    }
    return fresh;
  }

  get fired(): FiredAlert[] {
    return [...this.seen.values()].sort((a, b) => a.firing_seen_at.localeCompare(b.firing_seen_at));
  }
}
