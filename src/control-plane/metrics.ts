import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONTROL_PLANE_METRICS, COST_METRICS, RESPONSE_TIME_BUCKETS, RETIRED_SERVICES } from '../catalog/conventions.js';
import type { CostReport } from '../cost/report.js';
import type { Change, Incident } from './incidents.js';
import type { Database } from './store/database.js';

/**
 * The control plane's /metrics: response times per incident (to detect, acknowledge and resolve)
 * as histograms, and the open incidents read from the database at scrape time, so every replica
 * reports the same state. Names from the SLI contract (catalog/conventions.ts).
 */
export class ControlPlaneMetrics {
  readonly registry = new Registry();
  readonly timeToAcknowledge = new Histogram({ ...CONTROL_PLANE_METRICS.timeToAcknowledge, buckets: [...RESPONSE_TIME_BUCKETS], registers: [this.registry] });
  readonly timeToResolve = new Histogram({ ...CONTROL_PLANE_METRICS.timeToResolve, buckets: [...RESPONSE_TIME_BUCKETS], registers: [this.registry] });
  readonly timeToDetect = new Histogram({ ...CONTROL_PLANE_METRICS.timeToDetect, buckets: [...RESPONSE_TIME_BUCKETS], registers: [this.registry] });
  readonly webhookDeliveries = new Counter({ ...CONTROL_PLANE_METRICS.webhookDeliveries, registers: [this.registry] });
  readonly reports = new Counter({ ...CONTROL_PLANE_METRICS.reports, registers: [this.registry] });

  /** Every catalog service and severity is there from the start, so that rates and ratios over them exist before the first page. */
  constructor(db: Database, services: readonly string[], now: () => number = Date.now) {
    for (const histogram of [this.timeToAcknowledge, this.timeToResolve, this.timeToDetect]) for (const service of services) for (const severity of ['critical', 'warning']) histogram.zero({ service, severity });
    new Gauge({
      ...CONTROL_PLANE_METRICS.openIncidents,
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await db.query<{ service: string; severity: string; status: string; count: number }>("SELECT service, severity, status, COUNT(*) AS count FROM incidents WHERE status <> 'resolved' GROUP BY service, severity, status");
        for (const row of rows) this.set({ service: row.service, severity: row.severity, status: row.status }, row.count);
      },
    });
    new Gauge({
      ...CONTROL_PLANE_METRICS.oldestUnacknowledged,
      registers: [this.registry],
      async collect() {
        const rows = await db.query<{ severity: string; oldest: number | null }>("SELECT severity, MIN(opened_at) AS oldest FROM incidents WHERE status = 'open' GROUP BY severity");
        for (const severity of ['critical', 'warning']) {
          const oldest = rows.find((row) => row.severity === severity)?.oldest;
          this.set({ severity }, oldest === undefined || oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
        }
      },
    });
    for (const source of ['alertmanager', 'pagerduty']) for (const outcome of ['stored', 'refused']) this.webhookDeliveries.inc({ source, outcome }, 0);
    for (const kind of ['loadtest', 'chaos']) this.reports.inc({ kind }, 0);
    collectDefaultMetrics({ register: this.registry, prefix: 'control_plane_' });
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) this.registry.removeSingleMetric(`control_plane_nodejs_${name}`);
  }

  /** The cost figures, per component and per hour (a month is hours_per_month of them). */
  exportCost(report: CostReport): void {
    const hours = report.prices.hours_per_month;
    const hourly = new Gauge({ ...COST_METRICS.hourly, registers: [this.registry] });
    const baseline = new Gauge({ ...COST_METRICS.baselineHourly, registers: [this.registry] });
    for (const row of report.components) {
      hourly.set({ service: row.component }, row.current_monthly_usd / hours);
      baseline.set({ service: row.component }, row.baseline_monthly_usd / hours);
    }
    baseline.set({ service: RETIRED_SERVICES }, report.retired.reduce((sum, entry) => sum + entry.monthly_usd, 0) / hours);
    new Gauge({ ...COST_METRICS.targetReduction, registers: [this.registry] }).set(report.target_reduction_percent / 100);
  }

  /**
   * Each response time is observed once per incident, by the process that saw the change. The
   * acknowledgement SLI counts every page: one resolved without acknowledgement counts its time to
   * resolution, late by definition if it took longer than the target.
   */
  observe(changes: readonly Change[]): void {
    for (const change of changes) {
      const { incident } = change;
      const labels = { service: incident.service, severity: incident.severity };
      if (change.kind === 'acknowledged' && incident.acknowledged_at !== null) this.timeToAcknowledge.observe(labels, seconds(incident.acknowledged_at, incident));
      if (change.kind === 'resolved' && incident.resolved_at !== null) {
        this.timeToResolve.observe(labels, seconds(incident.resolved_at, incident));
        if (incident.acknowledged_at === null) this.timeToAcknowledge.observe(labels, seconds(incident.resolved_at, incident));
      }
      if (change.kind === 'fault_linked' && incident.fault_started_at !== null) this.timeToDetect.observe(labels, Math.max(0, (incident.opened_at - incident.fault_started_at) / 1000));
    }
  }
}

function seconds(at: number, incident: Incident): number {
  return Math.max(0, (at - incident.opened_at) / 1000);
}
