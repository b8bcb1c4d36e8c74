import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IncidentStateError, Incidents } from '../../../src/control-plane/incidents.js';
import { responseTimes } from '../../../src/control-plane/response-times.js';
import type { Database } from '../../../src/control-plane/store/database.js';
import { MIGRATIONS, migrate } from '../../../src/control-plane/store/migrations.js';
import { PostgresDatabase, postgresMigrationLock } from '../../../src/control-plane/store/postgres.js';
import { SqliteDatabase } from '../../../src/control-plane/store/sqlite.js';
import { PAGER_ROUTE_KEY } from '../../../src/generate/alertmanager/config.js';
import { payload } from '../../helpers/alertmanager-payloads.js';
import { usePostgres } from '../../helpers/postgres.js';

/**
 * One store suite, run against both: SQLite (embedded, the default) and a real PostgreSQL server
 * the test starts. The same migrations, the same statements, the same answers.
 */
const postgresDatabase = usePostgres();

const stores: readonly [string, () => Promise<Database>][] = [
  ['SQLite', () => Promise.resolve(SqliteDatabase.open(mkdtempSync(join(tmpdir(), 'sre-store-'))))],
  ['PostgreSQL', async () => PostgresDatabase.open(await postgresDatabase('store'))],
];

describe.each(stores)('the incident store on %s', (_name, open) => {
  async function fresh(now: () => number = () => Date.parse('2026-12-07T10:05:00Z')): Promise<{ db: Database; incidents: Incidents }> {
    const db = await open();
    await migrate(db, db.dialect === 'postgres' ? postgresMigrationLock : undefined);
    return { db, incidents: new Incidents(db, PAGER_ROUTE_KEY, now) };
  }

  it('applies every migration once', async () => {
    const db = await open();
    expect(await migrate(db, db.dialect === 'postgres' ? postgresMigrationLock : undefined)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db, db.dialect === 'postgres' ? postgresMigrationLock : undefined)).toEqual([]);
    await db.close();
  });

  it('turns a page into one incident, and the same delivery again into nothing new', async () => {
    const { db, incidents } = await fresh();
    const page = payload([{ service: 'user', fingerprint: 'a000000000000001' }]);
    const changes = await incidents.ingest([page]);
    expect(changes.map((c) => c.kind)).toEqual(['opened']);
    expect(await incidents.ingest([page])).toEqual([]);
    const [incident] = await incidents.list();
    expect(incident).toMatchObject({ service: 'user', severity: 'critical', status: 'open', opened_at: Date.parse('2026-12-07T10:00:00Z'), created_at: Date.parse('2026-12-07T10:05:00Z') });
    const { alerts, events } = await incidents.get(incident?.id ?? '');
    expect(alerts).toHaveLength(1);
    expect(events.map((e) => e.kind)).toEqual(['alert_firing', 'opened']);
    expect(await db.query('SELECT id FROM webhook_deliveries')).toHaveLength(2);
    await db.close();
  });

  it('groups a service\'s firing alerts into its open incident, which takes the highest severity', async () => {
    const { db, incidents } = await fresh();
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001', severity: 'warning', alertname: 'PyAirtableErrorBudgetBurnSlow' }])]);
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000002', startsAt: '2026-12-07T09:55:00Z' }])]);
    await incidents.ingest([payload([{ service: 'workspace', fingerprint: 'a000000000000003' }])]);
    const open = await incidents.list({ status: 'open' });
    expect(open.map((i) => [i.service, i.severity]).sort()).toEqual([['user', 'critical'], ['workspace', 'critical']]);
    const user = open.find((i) => i.service === 'user');
    expect(user?.opened_at).toBe(Date.parse('2026-12-07T09:55:00Z'));
    expect((await incidents.get(user?.id ?? '')).alerts).toHaveLength(2);
    expect(user?.pagerduty_dedup_key).toMatch(/^[0-9a-f]{64}$/);
    await db.close();
  });

  it('resolves an incident when its last alert resolves, at the alert\'s end', async () => {
    const { db, incidents } = await fresh();
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001' }, { service: 'user', fingerprint: 'a000000000000002' }])]);
    expect((await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001', status: 'resolved' }])])).map((c) => c.kind)).toEqual([]);
    const changes = await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000002', status: 'resolved', endsAt: '2026-12-07T10:30:00Z' }])]);
    expect(changes.map((c) => [c.kind, c.incident.status, c.incident.resolved_at, c.incident.resolved_by])).toEqual([['resolved', 'resolved', Date.parse('2026-12-07T10:30:00Z'), 'alertmanager']]);
    // A page of the same service after that is a new incident.
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001', startsAt: '2026-12-07T11:00:00Z' }])]);
    expect(await incidents.list({ service: 'user' })).toHaveLength(2);
    await db.close();
  });

  it('keeps an incident resolved by hand resolved when Alertmanager repeats the alert that still fires, and opens a new one for a new start', async () => {
    const { db, incidents } = await fresh();
    const firing = payload([{ service: 'user', fingerprint: 'a000000000000001' }]);
    await incidents.ingest([firing]);
    const [incident] = await incidents.list();
    await incidents.resolve(incident?.id ?? '', 'api-key:oncall', Date.parse('2026-12-07T10:09:00Z'));
    expect(await incidents.ingest([firing])).toEqual([]);
    expect(await incidents.list({ status: 'unresolved' })).toEqual([]);
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001', startsAt: '2026-12-07T11:00:00Z' }])]);
    expect((await incidents.list({ status: 'unresolved' })).map((i) => i.opened_at)).toEqual([Date.parse('2026-12-07T11:00:00Z')]);
    await db.close();
  });

  it('acknowledges once, and refuses to acknowledge a resolved incident', async () => {
    const { db, incidents } = await fresh();
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001' }])]);
    const [incident] = await incidents.list();
    const id = incident?.id ?? '';
    const at = Date.parse('2026-12-07T10:07:00Z');
    expect((await incidents.acknowledge(id, 'api-key:oncall', at)).map((c) => [c.kind, c.incident.acknowledged_at, c.incident.acknowledged_by])).toEqual([['acknowledged', at, 'api-key:oncall']]);
    expect(await incidents.acknowledge(id, 'api-key:someone-else')).toEqual([]);
    await incidents.note(id, 'api-key:oncall', 'rolled back release 42', Date.parse('2026-12-07T10:08:00Z'));
    await incidents.resolve(id, 'api-key:oncall', Date.parse('2026-12-07T10:09:00Z'));
    await expect(incidents.acknowledge(id, 'api-key:oncall')).rejects.toThrow(IncidentStateError);
    expect((await incidents.get(id)).events.map((e) => e.kind)).toEqual(['alert_firing', 'opened', 'acknowledged', 'note', 'resolved']);
    await db.close();
  });

  it('makes one incident of many concurrent deliveries for the same fingerprint', async () => {
    const { db, incidents } = await fresh();
    const page = payload([{ service: 'user', fingerprint: 'a000000000000001' }]);
    await Promise.all(Array.from({ length: 20 }, () => incidents.ingest([page])));
    expect(await incidents.list()).toHaveLength(1);
    expect(await db.query('SELECT fingerprint FROM alerts')).toHaveLength(1);
    await db.close();
  });

  it('filters by status, service, severity and time', async () => {
    const { db, incidents } = await fresh();
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001' }])]);
    await incidents.ingest([payload([{ service: 'auth', fingerprint: 'a000000000000002', severity: 'warning', startsAt: '2026-12-06T10:00:00Z' }])]);
    expect((await incidents.list({ severity: 'warning' })).map((i) => i.service)).toEqual(['auth']);
    expect((await incidents.list({ since: Date.parse('2026-12-07T00:00:00Z') })).map((i) => i.service)).toEqual(['user']);
    expect((await incidents.list({ service: 'auth', status: 'open' })).map((i) => i.service)).toEqual(['auth']);
    expect(await incidents.list({ status: 'resolved' })).toEqual([]);
    await db.close();
  });

  it('computes response times against the target from the incidents: acknowledged, resolved unacknowledged, still waiting', async () => {
    const { db, incidents } = await fresh(() => Date.parse('2026-12-07T12:00:00Z'));
    // Pages opening at 10:00 on three services, and a ticket.
    for (const [service, fingerprint] of [['user', 'a000000000000001'], ['auth', 'a000000000000002'], ['workspace', 'a000000000000003']] as const) await incidents.ingest([payload([{ service, fingerprint }])]);
    await incidents.ingest([payload([{ service: 'permission', fingerprint: 'a000000000000004', severity: 'warning', alertname: 'PyAirtableErrorBudgetBurnSlow' }])]);
    const id = async (service: string): Promise<string> => (await incidents.list({ service }))[0]?.id ?? '';
    await incidents.acknowledge(await id('user'), 'oncall', Date.parse('2026-12-07T10:05:00Z'));
    await incidents.resolve(await id('user'), 'oncall', Date.parse('2026-12-07T10:45:00Z'));
    // Resolved unacknowledged after 20 minutes: its time to acknowledge is its time to resolve, over the target.
    await incidents.ingest([payload([{ service: 'auth', fingerprint: 'a000000000000002', status: 'resolved', endsAt: '2026-12-07T10:20:00Z' }])]);
    await incidents.acknowledge(await id('permission'), 'oncall', Date.parse('2026-12-07T11:00:00Z'));
    const times = await responseTimes(db, { seconds: 900, objective: 0.95 }, 30, Date.parse('2026-12-07T12:00:00Z'));
    // Pages: user within, auth over, workspace still waiting after two hours, over too.
    expect(times).toMatchObject({ target_seconds: 900, objective: 0.95, incidents: 4, acknowledged_within_target: 1 / 3, met: false });
    // Acknowledged: user after 300 s, permission (a ticket) after 3600 s.
    expect(times.time_to_acknowledge_seconds).toEqual({ count: 2, p50: 300, p90: 3600, max: 3600 });
    expect(times.time_to_resolve_seconds).toEqual({ count: 2, p50: 1200, p90: 2700, max: 2700 });
    expect(times.time_to_detect_seconds).toEqual({ count: 0, p50: null, p90: null, max: null });
    expect((await responseTimes(db, { seconds: 1800, objective: 0.6 }, 30, Date.parse('2026-12-07T12:00:00Z'))).met).toBe(true);
    // At 10:10 the workspace page has waited 10 minutes, not yet past the target: not counted.
    expect((await responseTimes(db, { seconds: 900, objective: 0.95 }, 30, Date.parse('2026-12-07T10:10:00Z'))).acknowledged_within_target).toBe(0.5);
    expect((await responseTimes(db, { seconds: 900, objective: 0.95 }, 1, Date.parse('2026-12-09T12:00:00Z'))).incidents).toBe(0);
    await db.close();
  });

  it('links a reported fault to the first incident it caused, giving it a time to detect', async () => {
    const { db, incidents } = await fresh();
    await incidents.ingest([payload([{ service: 'user', fingerprint: 'a000000000000001' }])]);
    const changes = await incidents.linkFault('user', Date.parse('2026-12-07T09:58:30Z'), 'chaos report r1', 30 * 60_000);
    expect(changes.map((c) => [c.kind, (c.incident.opened_at - (c.incident.fault_started_at ?? 0)) / 1000])).toEqual([['fault_linked', 90]]);
    expect(await incidents.linkFault('user', Date.parse('2026-12-07T09:00:00Z'), 'chaos report r2', 30 * 60_000)).toEqual([]);
    await db.close();
  });
});
