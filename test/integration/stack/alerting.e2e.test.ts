import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, parseHostPort, type Catalog } from '../../../src/catalog/index.js';
import { generateArtifacts } from '../../../src/generate/artifacts.js';
import { writeArtifacts } from '../../../src/generate/writer.js';
import { isFree } from '../../../src/net/free-ports.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { findTool as requireTool } from '../../../src/tools/find-tool.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The local stack exactly as an SRE starts it: `sre up` on a test copy of the catalog (free ports,
 * 1 s scrape and evaluation, the real burn windows), then the whole path with real processes:
 * traffic through the gateway, Prometheus scraping it and evaluating the generated rules,
 * Alertmanager routing with the generated configuration, delivery to a webhook; traces through the
 * collector to its file exporter and to Jaeger. Bounded: every wait has a deadline.
 */
let test: TestCatalog;
let catalog: Catalog;
let up: ChildProcess;
let upOutput = '';
let upExit: Promise<number | string>;
let gatewayUrl: string;
let adminUrl: string;
let prometheusUrl: string;
let jaegerUrl: string;
let controlPlaneUrl: string;
let operatorKey: string;

interface IncidentJson {
  id: string;
  service: string;
  severity: string;
  status: string;
  opened_at: number;
  created_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  resolved_by: string | null;
  fault_started_at: number | null;
}

async function incidents(query = ''): Promise<IncidentJson[]> {
  const response = await fetch(`${controlPlaneUrl}/api/incidents${query}`, { headers: { 'x-api-key': operatorKey } });
  return ((await response.json()) as { incidents: IncidentJson[] }).incidents;
}

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
  return body.data?.result ?? [];
}

/** Every address the stack listens on: the test catalog's stack section, the gateway and the simulator. */
function stackAddresses(stack: Readonly<Record<string, string>>): string[] {
  return [...Object.values(stack), catalog.gateway.listen, `127.0.0.1:${test.adminPort}`, ...catalog.services.map((s) => `${s.upstreamHost}:${s.upstreamPort}`)];
}

beforeAll(async () => {
  test = await testCatalog((spec) => {
    spec.stack = { ...(spec.stack as Record<string, unknown>), scrape_interval: '1s', evaluation_interval: '1s' };
  });
  catalog = loadCatalog(test.file);
  writeArtifacts(generateArtifacts(catalog), test.dir);
  // The hand-written configurations, beside the generated ones, as in the repository.
  for (const file of ['collector/otel-collector.yaml', 'collector/jaeger.yaml']) copyFileSync(file, join(test.dir, file));
  // Test mode: Alertmanager groups and repeats quickly; the burn windows stay the real ones.
  const amFile = join(test.dir, 'alerts/alertmanager.yml');
  const am = parse(readFileSync(amFile, 'utf8')) as { route: Record<string, unknown> & { routes: Record<string, unknown>[] } };
  Object.assign(am.route, { group_wait: '1s', group_interval: '2s' });
  for (const route of am.route.routes) Object.assign(route, { group_wait: '1s', group_interval: '2s' });
  writeFileSync(amFile, stringify(am));

  requireTool('otelcol-pyairtable');
  requireTool('jaeger');
  // The traffic is sre up's own: a tenth of the catalog's load profile, every service and route of its mix.
  up = spawn(process.execPath, [join(process.cwd(), 'bin/sre.js'), 'up', '--catalog', test.file, '--status-interval', '2', '--traffic', '--traffic-scale', '0.1'], {
    cwd: test.dir,
    env: { ...process.env, SRE_STATE_DIR: test.dir, OTEL_BSP_SCHEDULE_DELAY: '200', PATH: `${join(process.cwd(), '.tools/bin')}:${process.env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  upExit = new Promise((resolve) => up.once('exit', (code, signal) => { resolve(code ?? signal ?? 'unknown'); }));
  up.stdout?.on('data', (chunk: Buffer) => (upOutput += chunk.toString()));
  up.stderr?.on('data', (chunk: Buffer) => (upOutput += chunk.toString()));
  await waitFor('sre up to start every component', 120_000, () => {
    if (up.exitCode !== null) throw new Error(`sre up exited with ${up.exitCode}:\n${upOutput}`);
    return upOutput.includes('Ctrl-C stops everything') ? true : undefined;
  });
  const printed = (name: string): string => {
    const url = new RegExp(`^${name} (http://\\S+)$`, 'm').exec(upOutput)?.[1];
    if (!url) throw new Error(`sre up printed no URL for ${name}:\n${upOutput}`);
    return url;
  };
  gatewayUrl = printed('gateway');
  adminUrl = printed('simulator');
  prometheusUrl = printed('prometheus');
  jaegerUrl = printed('jaeger');
  controlPlaneUrl = printed('control-plane');
  operatorKey = stackSecrets(test.dir).apiKey;
}, 150_000);

afterAll(async () => {
  if (up.exitCode === null) up.kill('SIGTERM');
  await upExit;
}, 90_000);

describe('the local stack, end to end', () => {
  it('sre up prints one working URL per component, including Jaeger', async () => {
    const health: Readonly<Record<string, string>> = { jaeger: '/api/services', collector: '/', simulator: '/healthz', gateway: '/healthz', 'control-plane': '/readyz', alertmanager: '/-/ready', prometheus: '/-/ready' };
    for (const [name, path] of Object.entries(health)) {
      const url = new RegExp(`^${name} (http://\\S+)$`, 'm').exec(upOutput)?.[1];
      expect(url, `${name} in:\n${upOutput}`).toBeDefined();
      expect((await fetch(`${url ?? ''}${path}`)).status, name).toBe(200);
    }
    expect(jaegerUrl).toBe(`http://${catalog.stack.jaeger_ui}`);
    expect(upOutput).toMatch(/^traffic: the load profile at 0\.1x, 40\.0 req\/s through the gateway$/m);
    const up = await waitFor('Prometheus to scrape every target', 30_000, async () => {
      const targets = await query('up');
      return targets.length >= 7 && targets.every((t) => t.value[1] === '1') ? targets : undefined;
    });
    expect(up.map((t) => t.metric.job).sort()).toEqual(['alertmanager', 'control-plane', 'gateway', 'jaeger', 'otel-collector', 'prometheus', 'simulator']);
    // The status line it streams: everything healthy, and the gateway's traffic as Prometheus sees it.
    await waitFor('a status line with gateway traffic', 30_000, () => (/^status \S+ · 7\/7 healthy · gateway [1-9][\d.]* req\/s, 5xx 0\.00 % · incidents open: 0 · firing: none$/m.test(upOutput) ? true : undefined));
  }, 60_000);

  it('scrapes the gateway as job "gateway" and every recording rule returns data', async () => {
    const records = [...new Set([...generateArtifacts(catalog)].filter(([path]) => path.startsWith('alerts/recording/')).flatMap(([, text]) => [...text.matchAll(/record: (\S+)/g)].map((m) => m[1] ?? '')))];
    expect(records.length).toBeGreaterThan(10);
    await waitFor('every recording rule to return data', 60_000, async () => {
      for (const record of records) if ((await query(record)).length === 0) return undefined;
      return true;
    });
    expect((await query('up{job="gateway"}'))[0]?.value[1]).toBe('1');
    // The background traffic reaches every service: each has an availability SLI, a number, never NaN.
    const ratios = await query('slo:sli_error:ratio_rate5m{slo="availability"}');
    expect(ratios.map((r) => r.metric.service).sort()).toEqual(catalog.services.map((s) => s.id).sort());
    for (const ratio of ratios) expect(Number(ratio.value[1])).toBe(0);
  }, 90_000);

  it('carries one trace id from the caller through the gateway to the simulator and the collector, and span metrics reach Prometheus', async () => {
    const traceId = 'c0ffee0000000000000000000000beef';
    const response = await fetch(`${gatewayUrl}/api/workspaces/ws-trace`, { headers: { 'x-api-key': stackSecrets(test.dir).apiKey, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(response.status).toBe(200);
    const received = (await (await fetch(`${adminUrl}/services/workspace/requests?limit=50`)).json()) as { requests: { url: string; headers: Record<string, string> }[] };
    expect(received.requests.find((r) => r.url === '/api/workspaces/ws-trace')?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const spans = await waitFor('the collector file exporter to write the trace', 30_000, () => {
      const lines = readFileSync(join(test.dir, 'collector', 'spans.jsonl'), { encoding: 'utf8', flag: 'a+' });
      const count = (lines.match(new RegExp(`"traceId":"${traceId}"`, 'g')) ?? []).length;
      return count >= 2 ? count : undefined;
    });
    expect(spans).toBeGreaterThanOrEqual(2);
    const metrics = await waitFor('span metrics in Prometheus', 60_000, async () => {
      const result = await query('traces_span_metrics_calls_total{job="otel-collector"}');
      return result.length > 0 ? result : undefined;
    });
    expect(metrics.some((m) => m.metric.service_name === 'pyairtable-gateway')).toBe(true);
  }, 120_000);

  it('keeps a slow trace through tail sampling and Jaeger serves it, server and client span', async () => {
    // ai-domain answers in 1-2 s: over the collector's 100 ms "slow" policy, so always kept.
    const traceId = '5107000000000000000000000000beef';
    const response = await fetch(`${gatewayUrl}/api/tools`, { headers: { 'x-api-key': stackSecrets(test.dir).apiKey, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(response.status).toBe(200);
    const spans = await waitFor('Jaeger to serve the trace', 60_000, async () => {
      const answer = await fetch(`${jaegerUrl}/api/traces/${traceId}`);
      if (!answer.ok) return undefined;
      const body = (await answer.json()) as { data: { spans: { operationName: string; tags: { key: string; value: unknown }[] }[] }[] };
      const found = body.data[0]?.spans ?? [];
      return found.length >= 2 ? found : undefined;
    }, 1_000);
    const kinds = spans.map((span) => span.tags.find((tag) => tag.key === 'span.kind')?.value).sort();
    expect(kinds).toEqual(['client', 'server']);
    expect(spans.map((span) => span.operationName)).toContain('GET /api/tools');
  }, 90_000);

  let faultStarted = 0;
  let incidentId = '';

  it('pages on 100 % errors from one service: the page becomes one incident in the control plane within seconds, other services stay quiet', async () => {
    faultStarted = Date.now();
    await fetch(`${adminUrl}/faults/user`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"error_ratio": 1}' });
    const [incident] = await waitFor('an incident for user in the control plane', 120_000, async () => {
      const found = await incidents('?service=user&status=open');
      return found.length > 0 ? found : undefined;
    });
    if (!incident) throw new Error('no incident');
    incidentId = incident.id;
    const seconds = (Date.now() - faultStarted) / 1000;
    expect(incident).toMatchObject({ service: 'user', severity: 'critical', status: 'open', acknowledged_at: null });
    expect(seconds).toBeLessThan(120);
    // The page as Alertmanager delivered it (webhook version 4, the generated route and its bearer token).
    const detail = (await (await fetch(`${controlPlaneUrl}/api/incidents/${incident.id}`, { headers: { 'x-api-key': operatorKey } })).json()) as { alerts: { alertname: string; labels: Record<string, string>; annotations: Record<string, string> }[]; events: { kind: string }[] };
    expect(detail.alerts.map((a) => a.alertname)).toContain('PyAirtableErrorBudgetBurnFast');
    expect(detail.alerts.find((a) => a.alertname === 'PyAirtableErrorBudgetBurnFast')?.labels).toMatchObject({ severity: 'critical', burn_tier: '1', slo: 'availability' });
    expect(detail.alerts[0]?.annotations.runbook_url).toMatch(/PyAirtable\w+\.md$/);
    // The timeline in time order: the alert began firing before the control plane heard of it.
    expect(detail.events.map((e) => e.kind).slice(0, 2)).toEqual(['alert_firing', 'opened']);
    await waitFor('the page in the status line of sre up', 30_000, () => (/^status .* · incidents open: 1 · firing: .*PyAirtableErrorBudgetBurnFast\{service=user,slo=availability\}/m.test(upOutput) ? true : undefined));
    const firing = await query('ALERTS{alertstate="firing",alertname=~"PyAirtable.+"}');
    expect(firing.filter((a) => a.metric.service !== 'user')).toEqual([]);
    expect((await incidents()).filter((i) => i.service !== 'user')).toEqual([]);

    // While the page fires, every query of every generated dashboard panel returns data. The budget
    // groups evaluate once a minute at their own offset: allow them one full interval to appear.
    const panels: { where: string; expr: string }[] = [];
    for (const [path, text] of generateArtifacts(catalog)) {
      if (!/^dashboards\/[^/]+\.json$/.test(path)) continue;
      const model = JSON.parse(text) as { panels: { title: string; targets: { expr: string }[] }[] };
      for (const panel of model.panels) {
        for (const target of panel.targets) panels.push({ where: `${path} "${panel.title}"`, expr: target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$service', 'user') });
      }
    }
    let empty: string[] = [];
    await waitFor('every dashboard query to return data', 90_000, async () => {
      empty = [];
      for (const panel of panels) if ((await query(panel.expr)).length === 0) empty.push(`${panel.where}: ${panel.expr}`);
      return empty.length === 0 ? true : undefined;
    }, 2_000).catch(() => undefined);
    expect(empty).toEqual([]);
  }, 240_000);

  it('records the acknowledgement made through the API, the time to acknowledge, and the fault behind it', async () => {
    const response = await fetch(`${controlPlaneUrl}/api/incidents/${incidentId}/acknowledge`, { method: 'POST', headers: { 'x-api-key': operatorKey } });
    expect(response.status).toBe(200);
    const acknowledged = (await response.json()) as IncidentJson;
    expect(acknowledged.status).toBe('acknowledged');
    expect(acknowledged.acknowledged_at).toBeGreaterThanOrEqual(acknowledged.opened_at);
    // A chaos-style report says when the fault began: the incident gets its time to detect.
    const report = await fetch(`${controlPlaneUrl}/api/v1/reports`, { method: 'POST', headers: { 'x-api-key': operatorKey, 'content-type': 'application/json' }, body: JSON.stringify({ schema: 'pyairtable-sre/chaos-report', version: 1, title: '100 % errors on user', faults: [{ service: 'user', started_at: new Date(faultStarted).toISOString() }] }) });
    expect(report.status).toBe(201);
    const [linked] = await incidents('?service=user');
    expect(linked?.fault_started_at).toBe(faultStarted);
    const metrics = await (await fetch(`${controlPlaneUrl}/metrics`)).text();
    expect(metrics).toMatch(/^control_plane_incident_time_to_acknowledge_seconds_count\{service="user",severity="critical"\} 1$/m);
    expect(metrics).toMatch(/^control_plane_incident_time_to_detect_seconds_count\{service="user",severity="critical"\} 1$/m);
    // The status page shows it, acknowledged.
    const page = await (await fetch(controlPlaneUrl, { headers: { 'x-api-key': operatorKey } })).text();
    expect(page).toMatch(new RegExp(`data-incident="${incidentId}"[\\s\\S]*?<td class="status">acknowledged</td>`));
  }, 60_000);

  it('records the page\'s resolution once the service is restored, and closes the incident with it or by hand', async () => {
    await fetch(`${adminUrl}/faults/user`, { method: 'DELETE' });
    // The fast tier resolves once its 5-minute window has cleared. The slower tiers, inhibited while
    // it fired, may go on burning over their 30-minute and longer windows: the policy pages on, and
    // the incident stays open exactly while an alert of it fires.
    type Detail = { incident: IncidentJson; alerts: { alertname: string; status: string; labels: Record<string, string> }[] };
    const detailOf = async (): Promise<Detail> => (await (await fetch(`${controlPlaneUrl}/api/incidents/${incidentId}`, { headers: { 'x-api-key': operatorKey } })).json()) as Detail;
    await waitFor('the fast burn alert of user to resolve in the control plane', 420_000, async () => ((await detailOf()).alerts.find((a) => a.alertname === 'PyAirtableErrorBudgetBurnFast')?.status === 'resolved' ? true : undefined), 2_000);
    // Alertmanager now delivers the slower pages it held back while the fast one fired. The incident
    // closes with its last alert; a page still burning after that is rightly an incident of its own.
    // Wait until every page of user that Prometheus fires is held by an open incident.
    await waitFor('every page of user still firing to be held by an open incident', 90_000, async () => {
      const open = await incidents('?status=unresolved&severity=critical&service=user');
      const held = new Set<string>();
      for (const incident of open) {
        const found = (await (await fetch(`${controlPlaneUrl}/api/incidents/${incident.id}`, { headers: { 'x-api-key': operatorKey } })).json()) as Detail;
        for (const alert of found.alerts) if (alert.status === 'firing') held.add(alert.alertname);
      }
      const pages = (await query('ALERTS{alertstate="firing",service="user",severity="critical"}')).map((a) => a.metric.alertname ?? '');
      return pages.every((name) => held.has(name)) ? true : undefined;
    }, 1_000);
    const detail = await detailOf();
    const stillFiring = detail.alerts.filter((a) => a.status === 'firing');
    expect(detail.incident.status === 'resolved').toBe(stillFiring.length === 0);
    const firingInPrometheus = new Set((await query('ALERTS{alertstate="firing",service="user"}')).map((a) => a.metric.alertname));
    for (const alert of stillFiring) expect(firingInPrometheus).toContain(alert.alertname);
    // What still pages, on-call resolves by hand; Alertmanager's repeats of those alerts open nothing new.
    for (const open of await incidents('?status=unresolved&severity=critical&service=user')) {
      const response = await fetch(`${controlPlaneUrl}/api/incidents/${open.id}/resolve`, { method: 'POST', headers: { 'x-api-key': operatorKey } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'resolved', resolved_by: 'api-key:local-operator' });
    }
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await incidents('?status=unresolved&severity=critical&service=user')).toEqual([]);
    const resolved = await incidents('?status=resolved&severity=critical&service=user');
    const metrics = await (await fetch(`${controlPlaneUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^control_plane_incident_time_to_resolve_seconds_count\\{service="user",severity="critical"\\} ${resolved.length}$`, 'm'));
    const page = await (await fetch(controlPlaneUrl, { headers: { 'x-api-key': operatorKey } })).text();
    expect(page).not.toContain(`data-incident="${incidentId}"`);
  }, 450_000);

  it('stops every component on SIGTERM, exits 0 and leaves nothing listening', async () => {
    up.kill('SIGTERM');
    expect(await upExit).toBe(0);
    const taken: string[] = [];
    for (const address of stackAddresses(test.stack)) {
      const { host, port } = parseHostPort(address);
      if (!(await isFree(port, host))) taken.push(address);
    }
    expect(taken).toEqual([]);
  }, 90_000);
});
