import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Catalog } from '../../../src/catalog/index.js';
import { generateArtifacts } from '../../../src/generate/artifacts.js';
import { writeArtifacts } from '../../../src/generate/writer.js';
import { findAlertmanager } from '../../../src/cli/up.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { freePorts } from '../../helpers/ports.js';
import { startStack, type Stack } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { requireTool } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait.js';
import { WebhookReceiver } from '../../helpers/webhook-receiver.js';

/**
 * The whole alerting path with real processes: traffic through the gateway, Prometheus scraping it
 * and evaluating the generated rules (1 s intervals, the real burn windows), Alertmanager routing
 * with the generated configuration, delivery to a webhook. Bounded: every wait has a deadline.
 */
let receiver: WebhookReceiver;
let test: TestCatalog;
let catalog: Catalog;
let stack: Stack;
let prometheusUrl: string;
const children: ChildProcess[] = [];
let trafficOn = true;
let traffic: Promise<void> = Promise.resolve();

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
  return body.data?.result ?? [];
}

function launch(command: string, args: string[], cwd: string): void {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  children.push(child);
}

async function sendTraffic(apiKey: string): Promise<void> {
  const paths = catalog.services.filter((s) => s.kind !== 'ai').map((s) => `${s.routes[0]?.prefix ?? ''}${s.kind === 'auth' ? '/.well-known/jwks.json' : ''}`);
  while (trafficOn) {
    await Promise.all(paths.map((path) => fetch(`${stack.gatewayUrl}${path}`, { headers: { 'x-api-key': apiKey } }).then((r) => r.arrayBuffer()).catch(() => undefined)));
    await sleep(100);
  }
}

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  const [prometheusPort, alertmanagerPort, otlpPort, collectorPort, grpcPort, healthPort] = await freePorts(6);
  test = await testCatalog((spec) => {
    (spec.alerting as Record<string, unknown>).control_plane_webhook_url = receiver.url;
    spec.stack = { prometheus: `127.0.0.1:${prometheusPort}`, alertmanager: `127.0.0.1:${alertmanagerPort}`, collector_otlp_http: `127.0.0.1:${otlpPort}`, collector_otlp_grpc: `127.0.0.1:${grpcPort}`, collector_health: `127.0.0.1:${healthPort}`, collector_metrics: `127.0.0.1:${collectorPort}`, scrape_interval: '1s', evaluation_interval: '1s' };
  });
  catalog = loadCatalog(test.file);
  writeArtifacts(generateArtifacts(catalog), test.dir);
  // Test mode: Alertmanager groups and repeats quickly; the burn windows stay the real ones.
  const amFile = join(test.dir, 'alerts/alertmanager.yml');
  const am = parse(readFileSync(amFile, 'utf8')) as { route: Record<string, unknown> & { routes: Record<string, unknown>[] } };
  Object.assign(am.route, { group_wait: '1s', group_interval: '2s' });
  for (const route of am.route.routes) Object.assign(route, { group_wait: '1s', group_interval: '2s' });
  writeFileSync(amFile, stringify(am));

  const collector = spawn(requireTool('otelcol-pyairtable'), [`--config=${join(process.cwd(), 'collector/otel-collector.yaml')}`], {
    cwd: test.dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      COLLECTOR_OTLP_HTTP_ENDPOINT: catalog.stack.collector_otlp_http,
      COLLECTOR_OTLP_GRPC_ENDPOINT: catalog.stack.collector_otlp_grpc,
      COLLECTOR_HEALTH_ENDPOINT: catalog.stack.collector_health,
      COLLECTOR_METRICS_ENDPOINT: catalog.stack.collector_metrics,
      COLLECTOR_FILE_EXPORT_PATH: join(test.dir, 'spans.jsonl'),
    },
  });
  collector.stderr.resume();
  children.push(collector);
  await waitFor('the collector to be healthy', 30_000, () => fetch(`http://${catalog.stack.collector_health}/`).then((r) => (r.ok ? true : undefined), () => undefined));
  stack = await startStack(test, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://${catalog.stack.collector_otlp_http}`, OTEL_BSP_SCHEDULE_DELAY: '200' });
  prometheusUrl = `http://${catalog.stack.prometheus}`;
  launch(findAlertmanager(), ['--config.file=alerts/alertmanager.yml', '--storage.path=am-data', `--web.listen-address=${catalog.stack.alertmanager}`, '--cluster.listen-address='], test.dir);
  launch(requireTool('prometheus'), ['--config.file=collector/prometheus.yml', '--storage.tsdb.path=prom-data', `--web.listen-address=${catalog.stack.prometheus}`, '--enable-feature=exemplar-storage'], test.dir);
  await waitFor('Prometheus and Alertmanager to be ready', 30_000, async () => {
    const ready = await Promise.all([prometheusUrl, `http://${catalog.stack.alertmanager}`].map((url) => fetch(`${url}/-/ready`).then((r) => r.ok, () => false)));
    return ready.every(Boolean) ? true : undefined;
  });
  traffic = sendTraffic(stackSecrets(test.dir).apiKey);
}, 90_000);

afterAll(async () => {
  trafficOn = false;
  await traffic;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.filter((child) => child.exitCode === null).map((child) => new Promise((resolve) => child.once('exit', resolve))));
  await stack.stop();
  await receiver.close();
}, 60_000);

describe('the local stack, end to end', () => {
  it('scrapes the gateway as job "gateway" and every recording rule returns data', async () => {
    const records = [...new Set([...generateArtifacts(catalog)].filter(([path]) => path.startsWith('alerts/recording/')).flatMap(([, text]) => [...text.matchAll(/record: (\S+)/g)].map((m) => m[1] ?? '')))];
    expect(records.length).toBeGreaterThan(10);
    await waitFor('every recording rule to return data', 60_000, async () => {
      for (const record of records) if ((await query(record)).length === 0) return undefined;
      return true;
    });
    expect((await query('up{job="gateway"}'))[0]?.value[1]).toBe('1');
    // Every service with traffic has an availability SLI, computed as a number, never NaN.
    const ratios = await query('slo:sli_error:ratio_rate5m{slo="availability"}');
    expect(ratios.map((r) => r.metric.service).sort()).toEqual(catalog.services.filter((s) => s.kind !== 'ai').map((s) => s.id).sort());
    for (const ratio of ratios) expect(Number(ratio.value[1])).toBe(0);
  }, 90_000);

  it('carries one trace id from the caller through the gateway to the simulator and the collector, and span metrics reach Prometheus', async () => {
    const traceId = 'c0ffee0000000000000000000000beef';
    const response = await fetch(`${stack.gatewayUrl}/api/workspaces/ws-trace`, { headers: { 'x-api-key': stackSecrets(test.dir).apiKey, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(response.status).toBe(200);
    const received = (await (await fetch(`${stack.adminUrl}/services/workspace/requests?limit=50`)).json()) as { requests: { url: string; headers: Record<string, string> }[] };
    expect(received.requests.find((r) => r.url === '/api/workspaces/ws-trace')?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const spans = await waitFor('the collector file exporter to write the trace', 30_000, () => {
      const lines = readFileSync(join(test.dir, 'spans.jsonl'), { encoding: 'utf8', flag: 'a+' });
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

  it('pages on 100 % errors from one service: the alert reaches the webhook, other services stay quiet', async () => {
    await fetch(`${stack.adminUrl}/faults/user`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"error_ratio": 1}' });
    const started = Date.now();
    const delivered = await waitFor('the fast-burn page for user/availability at the webhook', 120_000, () =>
      receiver.alerts().find((a) => a.status === 'firing' && a.labels.alertname === 'PyAirtableErrorBudgetBurnFast' && a.labels.service === 'user' && a.labels.slo === 'availability'),
    );
    const seconds = (Date.now() - started) / 1000;
    expect(delivered.labels).toMatchObject({ severity: 'critical', burn_tier: '1' });
    expect(delivered.annotations.runbook_url).toMatch(/PyAirtableErrorBudgetBurnFast\.md$/);
    expect(receiver.payloads.find((p) => p.alerts.includes(delivered))).toMatchObject({ version: '4', receiver: 'control-plane' });
    expect(seconds).toBeLessThan(120);
    const firing = await query('ALERTS{alertstate="firing",alertname=~"PyAirtable.+"}');
    expect(firing.filter((a) => a.metric.service !== 'user')).toEqual([]);
    expect(receiver.alerts().filter((a) => a.labels.service !== 'user')).toEqual([]);

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

  it('resolves the page once the service is restored and the 5-minute window has cleared', async () => {
    await fetch(`${stack.adminUrl}/faults/user`, { method: 'DELETE' });
    const resolved = await waitFor('the resolved notification for user/availability', 420_000, () =>
      receiver.alerts().find((a) => a.status === 'resolved' && a.labels.alertname === 'PyAirtableErrorBudgetBurnFast' && a.labels.service === 'user'),
    2_000);
    expect(resolved.endsAt).not.toBe('0001-01-01T00:00:00Z');
  }, 450_000);
});
