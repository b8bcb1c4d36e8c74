import type { Database, Queryable } from './database.js';

/**
 * The one migration history of the control plane's schema, for both dialects: each migration's
 * statements are SQL that SQLite and PostgreSQL both accept (BIGINT epoch milliseconds, TEXT ids
 * and JSON, partial unique indexes, ON CONFLICT). Applied in order, each in its own transaction.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'incidents, alerts, their timeline, webhook deliveries and reports',
    statements: [
      `CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        payload TEXT NOT NULL
      )`,
      `CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        title TEXT NOT NULL,
        opened_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        acknowledged_at BIGINT,
        acknowledged_by TEXT,
        resolved_at BIGINT,
        resolved_by TEXT,
        fault_started_at BIGINT,
        pagerduty_dedup_key TEXT
      )`,
      // One open incident per service: what makes concurrent deliveries, on one process or several, agree.
      `CREATE UNIQUE INDEX incidents_one_open_per_service ON incidents (service) WHERE status <> 'resolved'`,
      'CREATE INDEX incidents_by_opened_at ON incidents (opened_at)',
      'CREATE INDEX incidents_by_dedup_key ON incidents (pagerduty_dedup_key)',
      `CREATE TABLE alerts (
        fingerprint TEXT NOT NULL,
        starts_at BIGINT NOT NULL,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        alertname TEXT NOT NULL,
        severity TEXT NOT NULL,
        service TEXT NOT NULL,
        slo TEXT,
        status TEXT NOT NULL,
        ends_at BIGINT,
        labels TEXT NOT NULL,
        annotations TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (fingerprint, starts_at)
      )`,
      'CREATE INDEX alerts_by_incident ON alerts (incident_id)',
      `CREATE TABLE incident_events (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        detail TEXT NOT NULL
      )`,
      'CREATE INDEX incident_events_by_incident ON incident_events (incident_id, at)',
      `CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        started_at BIGINT,
        verdict TEXT,
        title TEXT NOT NULL,
        body TEXT NOT NULL
      )`,
      'CREATE INDEX reports_by_received_at ON reports (received_at)',
    ],
  },
];

/**
 * Brings the schema up to date. `lock` serializes concurrent runners inside the transaction (an
 * advisory lock on PostgreSQL; SQLite's write transaction already does).
 */
export async function migrate(db: Database, lock: (tx: Queryable) => Promise<void> = () => Promise.resolve()): Promise<number[]> {
  await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    await db.transaction(async (tx) => {
      await lock(tx);
      const done = await tx.query('SELECT id FROM schema_migrations WHERE id = $1', [migration.id]);
      if (done.length > 0) return;
      for (const statement of migration.statements) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [migration.id, migration.name, Date.now()]);
      applied.push(migration.id);
    });
  }
  return applied;
}
