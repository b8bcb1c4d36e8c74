import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_FILES } from '../../../src/state/secrets.js';
import { payload } from '../../helpers/alertmanager-payloads.js';
import { startAlertmanager, type RunningAlertmanager } from '../../helpers/alertmanager.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { JsonReceiver } from '../../helpers/json-receiver.js';
import { startSre, type StartedProcess } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The control plane's webhooks with their real senders: Alertmanager with the generated
 * configuration delivers to it (and pages a stand-in PagerDuty events endpoint, for the dedup key
 * Alertmanager really computes), then PagerDuty's v3 webhooks come back signed; malformed and
 * forged deliveries are refused and store nothing.
 */
let catalog: TestCatalog;
let controlPlane: StartedProcess;
let url: string;
let alertmanager: RunningAlertmanager;
let pagerduty: JsonReceiver;
const pages: Record<string, unknown>[] = [];
let token: string;
let secret: string;
let key: string;
const VIEWER_KEY = `sre_${'v'.repeat(40)}`;

beforeAll(async () => {
  catalog = await testCatalog();
  url = `http://127.0.0.1:${catalog.controlPlanePort}`;
  mkdirSync(join(catalog.dir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(join(catalog.dir, SECRET_FILES.apiKeys), JSON.stringify([
    { id: 'oncall', tenant: 'sre', key: `sre_${'o'.repeat(40)}`, role: 'operator' },
    { id: 'dashboard', tenant: 'sre', key: VIEWER_KEY, role: 'viewer' },
  ]), { mode: 0o600 });
  controlPlane = await startSre(['control-plane'], catalog, `${url}/readyz`);
  token = readFileSync(join(catalog.dir, SECRET_FILES.controlPlaneWebhookToken), 'utf8').trim();
  secret = readFileSync(join(catalog.dir, SECRET_FILES.pagerDutyWebhookSecret), 'utf8').trim();
  key = stackSecrets(catalog.dir).apiKey;
  pagerduty = await JsonReceiver.start((_path, body) => pages.push(body as Record<string, unknown>), '{"status":"success"}');
  const routingKey = join(catalog.dir, 'pagerduty-routing-key');
  writeFileSync(routingKey, 'r0ut1ngk3y00000000000000000000\n');
  alertmanager = await startAlertmanager(catalog.dir, (config) => {
    for (const receiver of config.receivers) {
      const webhooks = receiver.webhook_configs as { url: string; http_config: { authorization: { credentials_file: string } } }[] | undefined;
      for (const webhook of webhooks ?? []) {
        webhook.url = `${url}/api/v1/alertmanager/webhook`;
        webhook.http_config.authorization.credentials_file = join(catalog.dir, SECRET_FILES.controlPlaneWebhookToken);
      }
      const pager = receiver.pagerduty_configs as Record<string, unknown>[] | undefined;
      for (const config of pager ?? []) Object.assign(config, { routing_key_file: routingKey, url: `${pagerduty.origin}/v2/enqueue` });
    }
    config.receivers = config.receivers.filter((receiver) => receiver.name !== 'ticket').concat({ name: 'ticket' });
  });
}, 60_000);

afterAll(async () => {
  await alertmanager.stop();
  await pagerduty.close();
  await controlPlane.stop();
});

async function api<T>(path: string): Promise<T> {
  return (await (await fetch(`${url}${path}`, { headers: { 'x-api-key': key } })).json()) as T;
}

async function deliveries(): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/^control_plane_webhook_deliveries_total\{source="alertmanager",outcome="stored"\} (\d+)/m.exec(metrics)?.[1] ?? Number.NaN);
}

function signed(body: string, signingSecret = secret): Record<string, string> {
  return { 'content-type': 'application/json', 'x-pagerduty-signature': `v1=${createHmac('sha256', signingSecret).update(body).digest('hex')}` };
}

interface IncidentJson { id: string; service: string; status: string; severity: string; acknowledged_by: string | null; pagerduty_dedup_key: string | null }

describe('webhooks from the real senders', () => {
  it('takes Alertmanager\'s page as one incident, and knows the dedup key PagerDuty was given', async () => {
    await alertmanager.fire([{ labels: { alertname: 'PyAirtableErrorBudgetBurnFast', service: 'user', slo: 'availability', severity: 'critical', burn_tier: '1' }, annotations: { summary: 'user is burning its budget' } }]);
    const [incident] = await waitFor('the incident from Alertmanager', 30_000, async () => {
      const found = (await api<{ incidents: IncidentJson[] }>('/api/incidents?service=user')).incidents;
      return found.length > 0 ? found : undefined;
    }, 200);
    expect(incident).toMatchObject({ service: 'user', status: 'open', severity: 'critical' });
    const page = await waitFor('the page at the stand-in PagerDuty', 30_000, () => pages.find((p) => p.event_action === 'trigger'), 200);
    expect(incident?.pagerduty_dedup_key).toBe(page.dedup_key);
  }, 60_000);

  it('records PagerDuty\'s signed acknowledgement against that incident, and refuses a forged one', async () => {
    const [incident] = (await api<{ incidents: IncidentJson[] }>('/api/incidents?service=user')).incidents;
    const event = JSON.stringify({ event: { id: '01DEN8J6NT7QJMHUYCZHXGU1XW', event_type: 'incident.acknowledged', resource_type: 'incident', occurred_at: new Date().toISOString(), agent: { id: 'PLH1HKV', summary: 'Tenex Engineer', type: 'user_reference' }, client: null, data: { id: 'PGR0VU2', type: 'incident', status: 'acknowledged', incident_key: incident?.pagerduty_dedup_key, title: 'user availability burn' } } });
    const forged = await fetch(`${url}/api/v1/pagerduty/webhook`, { method: 'POST', headers: signed(event, 'not-the-secret'), body: event });
    expect(forged.status).toBe(401);
    expect((await api<{ incident: IncidentJson }>(`/api/incidents/${incident?.id ?? ''}`)).incident.status).toBe('open');
    const tampered = await fetch(`${url}/api/v1/pagerduty/webhook`, { method: 'POST', headers: signed(event), body: event.replace('Tenex', 'Evil') });
    expect(tampered.status).toBe(401);
    const accepted = await fetch(`${url}/api/v1/pagerduty/webhook`, { method: 'POST', headers: signed(event), body: event });
    expect(accepted.status).toBe(200);
    expect((await api<{ incident: IncidentJson }>(`/api/incidents/${incident?.id ?? ''}`)).incident).toMatchObject({ status: 'acknowledged', acknowledged_by: 'pagerduty:Tenex Engineer' });
    const malformed = JSON.stringify({ event: { event_type: 'incident.acknowledged' } });
    expect((await fetch(`${url}/api/v1/pagerduty/webhook`, { method: 'POST', headers: signed(malformed), body: malformed })).status).toBe(400);
  });

  it('keeps the incident open while one of its alerts fires, and closes it with Alertmanager\'s resolution of the last', async () => {
    // Two pages of one service that inhibit nothing of each other: its availability and its latency.
    const fast = { alertname: 'PyAirtableErrorBudgetBurnFast', service: 'workspace', slo: 'availability', severity: 'critical', burn_tier: '1' };
    const latency = { ...fast, slo: 'latency' };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await alertmanager.fire([{ labels: fast, startsAt }, { labels: latency, startsAt }]);
    const incident = await waitFor('the incident for workspace with both alerts', 30_000, async () => {
      const [found] = (await api<{ incidents: IncidentJson[] }>('/api/incidents?service=workspace')).incidents;
      const detail = found ? await api<{ alerts: { alertname: string }[] }>(`/api/incidents/${found.id}`) : undefined;
      return found && detail?.alerts.length === 2 ? found : undefined;
    }, 200);
    const ended = new Date().toISOString();
    await alertmanager.fire([{ labels: fast, startsAt, endsAt: ended }]);
    await waitFor('the availability page resolved on the incident', 30_000, async () => {
      const detail = await api<{ alerts: { slo: string; status: string }[] }>(`/api/incidents/${incident.id}`);
      return detail.alerts.find((a) => a.slo === 'availability')?.status === 'resolved' ? true : undefined;
    }, 200);
    expect((await api<{ incident: IncidentJson }>(`/api/incidents/${incident.id}`)).incident.status).toBe('open');
    await alertmanager.fire([{ labels: latency, startsAt, endsAt: ended }]);
    const resolved = await waitFor('the incident resolved by Alertmanager', 30_000, async () => {
      const { incident: now } = await api<{ incident: IncidentJson & { resolved_by: string | null; resolved_at: number | null } }>(`/api/incidents/${incident.id}`);
      return now.status === 'resolved' ? now : undefined;
    }, 200);
    expect(resolved).toMatchObject({ resolved_by: 'alertmanager', resolved_at: Date.parse(ended) });
  }, 90_000);

  it.each([
    ['no token', {}, JSON.stringify(payload([{ service: 'auth', fingerprint: 'c000000000000001' }])), 401, 'unauthorized'],
    ['a wrong token', { authorization: 'Bearer guess' }, JSON.stringify(payload([{ service: 'auth', fingerprint: 'c000000000000001' }])), 401, 'unauthorized'],
    ['a body that is not JSON', 'token', '{"version": "4",', 400, 'invalid_payload'],
    ['another webhook version', 'token', JSON.stringify({ ...payload([{ service: 'auth', fingerprint: 'c000000000000001' }]), version: '3' }), 400, 'invalid_payload'],
    ['an alert without a fingerprint', 'token', JSON.stringify(payload([{ service: 'auth', fingerprint: 'nothex' }])), 400, 'invalid_payload'],
    ['no alerts', 'token', JSON.stringify({ ...payload([{ service: 'auth', fingerprint: 'c000000000000001' }]), alerts: [] }), 400, 'invalid_payload'],
    ['a timestamp that is not one', 'token', JSON.stringify(payload([{ service: 'auth', fingerprint: 'c000000000000001', startsAt: 'yesterday' }])), 400, 'invalid_payload'],
  ])('refuses an Alertmanager delivery with %s, and stores nothing', async (_case, auth, body, status, error) => {
    const before = await deliveries();
    const headers = { 'content-type': 'application/json', ...(auth === 'token' ? { authorization: `Bearer ${token}` } : (auth as Record<string, string>)) };
    const response = await fetch(`${url}/api/v1/alertmanager/webhook`, { method: 'POST', headers, body });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(error);
    expect(await deliveries()).toBe(before);
    expect((await api<{ incidents: IncidentJson[] }>('/api/incidents?service=auth')).incidents).toEqual([]);
  });

  it('refuses changes from a viewer and unauthenticated reads', async () => {
    const [incident] = (await api<{ incidents: IncidentJson[] }>('/api/incidents?service=user')).incidents;
    expect((await fetch(`${url}/api/incidents`, { headers: { 'x-api-key': VIEWER_KEY } })).status).toBe(200);
    const viewer = await fetch(`${url}/api/incidents/${incident?.id ?? ''}/resolve`, { method: 'POST', headers: { 'x-api-key': VIEWER_KEY } });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { message: string }).message).toBe('operator role needed; api-key:dashboard is a viewer');
    expect((await fetch(`${url}/api/incidents`)).status).toBe(401);
    expect((await fetch(`${url}/api/incidents`, { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(401);
  });

  it.each([
    ['/api/incidents?status=sleeping', 'status must be one of open, acknowledged, resolved, unresolved, got "sleeping"'],
    ['/api/incidents?severity=info', 'severity must be one of critical, warning, got "info"'],
    ['/api/incidents?since=last-week', 'since must be a duration such as 24h or an RFC 3339 time, got "last-week"'],
    ['/api/incidents?limit=0', 'limit must be a whole number from 1 to 1000, got "0"'],
    ['/api/response-times?days=1e9', 'days must be a whole number from 1 to 365, got "1e9"'],
    ['/api/response-times?days=2.5', 'days must be a whole number from 1 to 365, got "2.5"'],
  ])('answers %s with 400 and what would be valid', async (path, message) => {
    const response = await fetch(`${url}${path}`, { headers: { 'x-api-key': key } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(message);
  });
});
