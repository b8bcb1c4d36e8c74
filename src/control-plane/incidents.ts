import { createHash, randomUUID } from 'node:crypto';
import type { Database, Queryable } from './store/database.js';
import { endedAt, type AlertmanagerAlert, type AlertmanagerPayload } from './webhooks/alertmanager.js';

export type Severity = 'critical' | 'warning';
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface Incident {
  readonly id: string;
  readonly service: string;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly title: string;
  /** When its first alert began firing: the clock of every response time. */
  readonly opened_at: number;
  /** When the control plane first heard of it. */
  readonly created_at: number;
  readonly acknowledged_at: number | null;
  readonly acknowledged_by: string | null;
  readonly resolved_at: number | null;
  readonly resolved_by: string | null;
  /** When the fault behind it began, as a chaos or load-test report says. */
  readonly fault_started_at: number | null;
  readonly pagerduty_dedup_key: string | null;
}

export interface IncidentEvent {
  readonly id: string;
  readonly incident_id: string;
  readonly at: number;
  readonly kind: 'opened' | 'alert_firing' | 'alert_resolved' | 'acknowledged' | 'note' | 'resolved' | 'fault_started';
  readonly actor: string | null;
  readonly detail: string;
}

export interface IncidentAlert {
  readonly fingerprint: string;
  readonly starts_at: number;
  readonly alertname: string;
  readonly severity: string;
  readonly service: string;
  readonly slo: string | null;
  readonly status: 'firing' | 'resolved';
  readonly ends_at: number | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** What changed, for the response-time metrics: each happens once per incident. */
export type Change =
  | { readonly kind: 'opened'; readonly incident: Incident }
  | { readonly kind: 'acknowledged'; readonly incident: Incident }
  | { readonly kind: 'resolved'; readonly incident: Incident }
  | { readonly kind: 'fault_linked'; readonly incident: Incident };

export interface IncidentFilter {
  readonly status?: IncidentStatus | 'unresolved' | undefined;
  readonly service?: string | undefined;
  readonly severity?: Severity | undefined;
  /** Opened at or after, epoch milliseconds. */
  readonly since?: number | undefined;
  readonly limit?: number | undefined;
}

export class IncidentNotFoundError extends Error {
  override name = 'IncidentNotFoundError';
}

export class IncidentStateError extends Error {
  override name = 'IncidentStateError';
}

const UNKNOWN_SERVICE = 'unknown';

/**
 * Turns Alertmanager deliveries into incidents: alerts deduplicated by fingerprint and start, the
 * firing ones of a service grouped into its one open incident, firing and resolution recorded on a
 * timeline; an incident resolves itself when its last alert does. Acknowledge, resolve and notes
 * come from people (the API, the status page) or the pager (PagerDuty's webhooks).
 */
export class Incidents {
  constructor(
    private readonly db: Database,
    /** Alertmanager's route key of the pager receiver: with it, a group's PagerDuty dedup key. */
    private readonly pagerRouteKey: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Stores the deliveries and applies them, all in one transaction: when it resolves, every
   * payload is on disk and its incidents are up to date. Deliveries arrive at least once;
   * applying one twice changes nothing.
   */
  async ingest(payloads: readonly AlertmanagerPayload[]): Promise<Change[]> {
    return this.db.transaction(async (tx) => {
      const changes: Change[] = [];
      // Services in one order in every batch: batches in flight together take their locks alike.
      for (const payload of [...payloads].sort((a, b) => (a.groupLabels.service ?? '').localeCompare(b.groupLabels.service ?? ''))) {
        await tx.run('INSERT INTO webhook_deliveries (id, source, received_at, payload) VALUES ($1, $2, $3, $4)', [randomUUID(), 'alertmanager', this.now(), JSON.stringify(payload)]);
        for (const alert of payload.alerts) changes.push(...(await this.apply(tx, alert, payload.groupKey)));
      }
      return changes;
    });
  }

  async list(filter: IncidentFilter = {}): Promise<Incident[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.status === 'unresolved') where.push("status <> 'resolved'");
    else if (filter.status) add('status = ?', filter.status);
    if (filter.service) add('service = ?', filter.service);
    if (filter.severity) add('severity = ?', filter.severity);
    if (filter.since !== undefined) add('opened_at >= ?', filter.since);
    params.push(filter.limit ?? 200);
    return this.db.query<Incident & Record<string, unknown>>(`SELECT * FROM incidents${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC LIMIT $${params.length}`, params);
  }

  async get(id: string): Promise<{ incident: Incident; alerts: IncidentAlert[]; events: IncidentEvent[] }> {
    const [incident] = await this.db.query<Incident & Record<string, unknown>>('SELECT * FROM incidents WHERE id = $1', [id]);
    if (!incident) throw new IncidentNotFoundError(`no incident ${id}`);
    const alerts = (await this.db.query<Record<string, unknown>>('SELECT * FROM alerts WHERE incident_id = $1 ORDER BY starts_at', [id])).map(alertRow);
    const events = await this.db.query<IncidentEvent & Record<string, unknown>>('SELECT * FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [id]);
    return { incident, alerts, events };
  }

  /** Acknowledges an open incident; acknowledging one already acknowledged changes nothing. */
  async acknowledge(id: string, actor: string, at = this.now()): Promise<Change[]> {
    return this.db.transaction(async (tx) => {
      const incident = await this.load(tx, id);
      if (incident.status === 'resolved') throw new IncidentStateError(`incident ${id} is resolved; there is nothing to acknowledge`);
      if (incident.status === 'acknowledged') return [];
      await tx.run("UPDATE incidents SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND status = 'open'", [id, at, actor]);
      await event(tx, id, at, 'acknowledged', actor, `acknowledged by ${actor}`);
      return [{ kind: 'acknowledged', incident: await this.load(tx, id) }];
    });
  }

  async resolve(id: string, actor: string, at = this.now()): Promise<Change[]> {
    return this.db.transaction(async (tx) => {
      const incident = await this.load(tx, id);
      if (incident.status === 'resolved') return [];
      return this.close(tx, incident, actor, at);
    });
  }

  async note(id: string, actor: string, text: string, at = this.now()): Promise<IncidentEvent> {
    return this.db.transaction(async (tx) => {
      await this.load(tx, id);
      return event(tx, id, at, 'note', actor, text);
    });
  }

  /** The incident PagerDuty knows by this dedup key (Alertmanager's hash of the pager group's key), if any. */
  async byDedupKey(key: string): Promise<Incident | undefined> {
    const [incident] = await this.db.query<Incident & Record<string, unknown>>('SELECT * FROM incidents WHERE pagerduty_dedup_key = $1 ORDER BY opened_at DESC LIMIT 1', [key]);
    return incident;
  }

  /**
   * Tells the incidents of a service that a fault began at `at` (a chaos or load-test report says
   * so): the first incident opened after it, within `windowMs`, gets it, and with it a time to detect.
   */
  async linkFault(service: string, at: number, source: string, windowMs: number): Promise<Change[]> {
    return this.db.transaction(async (tx) => {
      const [incident] = await tx.query<Incident & Record<string, unknown>>('SELECT * FROM incidents WHERE service = $1 AND opened_at >= $2 AND opened_at <= $3 AND fault_started_at IS NULL ORDER BY opened_at LIMIT 1', [service, at, at + windowMs]);
      if (!incident) return [];
      await tx.run('UPDATE incidents SET fault_started_at = $2 WHERE id = $1', [incident.id, at]);
      await event(tx, incident.id, at, 'fault_started', source, `the fault behind it began (${source}); detected after ${Math.round((incident.opened_at - at) / 1000)} s`);
      return [{ kind: 'fault_linked', incident: await this.load(tx, incident.id) }];
    });
  }

  private async apply(tx: Queryable, alert: AlertmanagerAlert, groupKey: string): Promise<Change[]> {
    const startsAt = Date.parse(alert.startsAt);
    const service = alert.labels.service ?? UNKNOWN_SERVICE;
    const severity = alert.labels.severity === 'critical' ? 'critical' : 'warning';
    const name = alert.labels.alertname ?? 'unnamed alert';
    const [known] = await tx.query<{ incident_id: string; status: string; incident_status: string }>(
      'SELECT a.incident_id, a.status, i.status AS incident_status FROM alerts a JOIN incidents i ON i.id = a.incident_id WHERE a.fingerprint = $1 AND a.starts_at = $2',
      [alert.fingerprint, startsAt],
    );
    const changes: Change[] = [];
    const now = this.now();
    if (alert.status === 'firing') {
      // Alertmanager sends every firing alert of a group again with each notification: one known
      // to an incident still open changes nothing.
      if (known && known.incident_status !== 'resolved') {
        if (known.status === 'resolved') {
          await tx.run("UPDATE alerts SET status = 'firing', ends_at = NULL, updated_at = $3 WHERE fingerprint = $1 AND starts_at = $2", [alert.fingerprint, startsAt, now]);
          await event(tx, known.incident_id, now, 'alert_firing', 'alertmanager', `${name} firing again`);
        }
        return changes;
      }
      // Resolved by a person while this very alert fired: Alertmanager's next notification of the
      // group repeats it, and that repeat is not a new page. A new start of the alert is.
      if (known && known.status === 'firing') return changes;
      const open = await this.openIncident(tx, service, severity, `${name} on ${service}`, startsAt, changes);
      await tx.run(
        `INSERT INTO alerts (fingerprint, starts_at, incident_id, alertname, severity, service, slo, status, ends_at, labels, annotations, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'firing', NULL, $8, $9, $10)
         ON CONFLICT (fingerprint, starts_at) DO UPDATE SET incident_id = $3, status = 'firing', ends_at = NULL, updated_at = $10`,
        [alert.fingerprint, startsAt, open.id, name, severity, service, alert.labels.slo ?? null, JSON.stringify(alert.labels), JSON.stringify(alert.annotations), now],
      );
      await event(tx, open.id, startsAt, 'alert_firing', 'alertmanager', `${name} firing${alert.labels.slo ? ` (${alert.labels.slo})` : ''}: ${alert.annotations.summary ?? ''}`.trim());
      // The incident opens with its earliest alert; a critical one makes it critical and gives it the pager's key.
      await tx.run(
        `UPDATE incidents SET
           severity = CASE WHEN $2 = 'critical' THEN 'critical' ELSE severity END,
           pagerduty_dedup_key = CASE WHEN $2 = 'critical' AND pagerduty_dedup_key IS NULL THEN $3 ELSE pagerduty_dedup_key END,
           opened_at = CASE WHEN opened_at > $4 THEN $4 ELSE opened_at END
         WHERE id = $1`,
        [open.id, severity, this.dedupKey(groupKey), startsAt],
      );
      return changes;
    }
    if (!known || known.status === 'resolved') return changes;
    const ended = endedAt(alert) ?? now;
    await tx.run("UPDATE alerts SET status = 'resolved', ends_at = $3, updated_at = $4 WHERE fingerprint = $1 AND starts_at = $2", [alert.fingerprint, startsAt, ended, now]);
    await event(tx, known.incident_id, ended, 'alert_resolved', 'alertmanager', `${name} resolved`);
    const incident = await this.load(tx, known.incident_id);
    const [firing] = await tx.query<{ count: number }>("SELECT COUNT(*) AS count FROM alerts WHERE incident_id = $1 AND status = 'firing'", [incident.id]);
    if ((firing?.count ?? 0) === 0 && incident.status !== 'resolved') changes.push(...(await this.close(tx, incident, 'alertmanager', ended)));
    return changes;
  }

  /** The open incident of a service, made when there is none; concurrent makers agree on one (a unique index). */
  private async openIncident(tx: Queryable, service: string, severity: Severity, title: string, openedAt: number, changes: Change[]): Promise<Incident> {
    const id = randomUUID();
    const now = this.now();
    const created = await tx.run(
      `INSERT INTO incidents (id, service, severity, status, title, opened_at, created_at) VALUES ($1, $2, $3, 'open', $4, $5, $6)
       ON CONFLICT (service) WHERE status <> 'resolved' DO NOTHING`,
      [id, service, severity, title, openedAt, now],
    );
    const [open] = await tx.query<Incident & Record<string, unknown>>("SELECT * FROM incidents WHERE service = $1 AND status <> 'resolved'", [service]);
    if (!open) throw new Error(`no open incident for ${service} after making one`);
    if (created > 0) {
      await event(tx, open.id, now, 'opened', 'alertmanager', title);
      changes.push({ kind: 'opened', incident: open });
    }
    return open;
  }

  private async close(tx: Queryable, incident: Incident, actor: string, at: number): Promise<Change[]> {
    await tx.run("UPDATE incidents SET status = 'resolved', resolved_at = $2, resolved_by = $3 WHERE id = $1 AND status <> 'resolved'", [incident.id, at, actor]);
    await event(tx, incident.id, at, 'resolved', actor, `resolved by ${actor}`);
    return [{ kind: 'resolved', incident: await this.load(tx, incident.id) }];
  }

  private async load(tx: Queryable, id: string): Promise<Incident> {
    const [incident] = await tx.query<Incident & Record<string, unknown>>('SELECT * FROM incidents WHERE id = $1', [id]);
    if (!incident) throw new IncidentNotFoundError(`no incident ${id}`);
    return incident;
  }

  /**
   * PagerDuty's dedup key for the group, as Alertmanager makes it: the SHA-256 of the pager route's
   * group key. The webhook's own group key names the control-plane route; the labels part is shared.
   */
  dedupKey(groupKey: string): string {
    const labels = groupKey.slice(groupKey.indexOf('}:{') + 1);
    return createHash('sha256').update(`${this.pagerRouteKey}${labels}`).digest('hex');
  }
}

async function event(tx: Queryable, incidentId: string, at: number, kind: IncidentEvent['kind'], actor: string | null, detail: string): Promise<IncidentEvent> {
  const row: IncidentEvent = { id: randomUUID(), incident_id: incidentId, at, kind, actor, detail };
  await tx.run('INSERT INTO incident_events (id, incident_id, at, kind, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)', [row.id, row.incident_id, row.at, row.kind, row.actor, row.detail]);
  return row;
}

function alertRow(row: Record<string, unknown>): IncidentAlert {
  return { ...(row as unknown as IncidentAlert), labels: JSON.parse(String(row.labels)) as Record<string, string>, annotations: JSON.parse(String(row.annotations)) as Record<string, string> };
}
