import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_JOB, GATEWAY_JOB, PERIOD_BUDGET_REMAINING } from '../../../src/catalog/conventions.js';
import { loadCatalog } from '../../../src/catalog/index.js';
import type { SloStatusReport } from '../../../src/control-plane/slo-status.js';
import type { CostReport } from '../../../src/cost/report.js';
import { generateArtifacts } from '../../../src/generate/artifacts.js';
import { writeArtifacts } from '../../../src/generate/writer.js';
import { SECRET_FILES } from '../../../src/state/secrets.js';
import { payload } from '../../helpers/alertmanager-payloads.js';
import { launchChromium } from '../../helpers/browser.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { startSre, startStack, type StartedProcess, type Stack } from '../../helpers/processes.js';
import { startPrometheus, type RunningPrometheus } from '../../../src/dev/local-prometheus.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The control plane against a real Prometheus fed by the simulator and the gateway, evaluating the
 * generated recording rules: its SLO numbers checked against ratios computed here by hand, then
 * its status page in headless Chromium, down to the acknowledge button.
 */
let catalog: TestCatalog;
let stack: Stack;
let prometheus: RunningPrometheus;
let controlPlane: StartedProcess;
let url: string;
let key: string;
let browser: Browser;

/** Requests sent by hand to one route of user: the SLI must come out as these counts say. */
const BAD = 20;
const GOOD = 180;

beforeAll(async () => {
  catalog = await testCatalog((spec) => {
    spec.stack = { ...(spec.stack as Record<string, unknown>), scrape_interval: '1s', evaluation_interval: '1s' };
  });
  writeArtifacts(generateArtifacts(loadCatalog(catalog.file)), catalog.dir);
  stack = await startStack(catalog);
  const rules = ['recording', 'alerting'].flatMap((dir) => readdirSync(join(catalog.dir, 'alerts', dir)).map((file) => join(catalog.dir, 'alerts', dir, file)));
  mkdirSync(join(catalog.dir, 'prometheus'), { recursive: true });
  prometheus = await startPrometheus(join(catalog.dir, 'prometheus'), { [GATEWAY_JOB]: `127.0.0.1:${catalog.gatewayPort}`, [CONTROL_PLANE_JOB]: `127.0.0.1:${catalog.controlPlanePort}` }, rules);
  url = `http://127.0.0.1:${catalog.controlPlanePort}`;
  controlPlane = await startSre(['control-plane', '--prometheus', prometheus.url], catalog, `${url}/readyz`);
  key = stackSecrets(catalog.dir).apiKey;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser.close();
  await controlPlane.stop();
  await prometheus.stop();
  await stack.stop();
});

async function get(path: string): Promise<Response> {
  return fetch(`${stack.gatewayUrl}${path}`, { headers: { 'x-api-key': key } });
}

async function slos(): Promise<SloStatusReport> {
  return (await (await fetch(`${url}/api/slos`, { headers: { 'x-api-key': key } })).json()) as SloStatusReport;
}

describe('the control plane on a real Prometheus', () => {
  it('reports the SLI and burn rates the hand-counted requests give', async () => {
    const fault = (body: string): Promise<Response> => fetch(`${stack.adminUrl}/faults/user`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    // First one of each, so that both series exist before the counted ones (rate() misses what a
    // series held at its first scrape), then three scrapes.
    await fault('{"error_ratio": 1}');
    await (await get('/api/users/u-1')).arrayBuffer();
    await fetch(`${stack.adminUrl}/faults`, { method: 'DELETE' });
    await (await get('/api/users/u-1')).arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // One bad request, then nine good ones, twenty times: never the breaker's five failures in a row.
    for (let round = 0; round < BAD; round++) {
      await fault('{"error_ratio": 1}');
      expect((await get('/api/users/u-1')).status).toBe(500);
      await fetch(`${stack.adminUrl}/faults`, { method: 'DELETE' });
      for (let index = 0; index < GOOD / BAD; index++) expect((await get('/api/users/u-1')).status).toBe(200);
    }
    const errorRatio = BAD / (BAD + GOOD);
    // rate() extrapolates a little past the first and last samples, and not equally for series that
    // grew by different amounts: over traffic of a few seconds the ratio reads within a scrape's worth.
    const status = await waitFor('the recording rules to see every request', 30_000, async () => {
      const report = await slos();
      const user = report.slos.find((s) => s.service === 'user' && s.slo === 'availability');
      const stable = user?.sli['5m'] !== null && user?.sli['5m'] !== undefined && Math.abs(user.sli['5m'] - (1 - errorRatio)) < 0.015;
      return stable ? report : undefined;
    }, 500);
    const user = status.slos.find((s) => s.service === 'user' && s.slo === 'availability');
    // Exactly what Prometheus answers for the recording rule at the report's time.
    const recorded = await prometheus.query('slo:sli_error:ratio_rate5m{service="user",slo="availability"}', new Date(status.at));
    expect(user?.sli['5m']).toBe(1 - Number(recorded[0]?.value[1]));
    // Burn rate: the error ratio over the 0.1 % budget, about 0.1 / 0.001.
    expect(user?.burn_rates['5m']).toBeCloseTo(Number(recorded[0]?.value[1]) / 0.001, 6);
    expect(Math.abs((user?.burn_rates['1h'] ?? 0) - errorRatio / 0.001)).toBeLessThan(15);
    const latency = status.slos.find((s) => s.service === 'user' && s.slo === 'latency');
    expect(latency?.sli['5m']).toBe(1);
    // No traffic, no number: never a NaN dressed as 0.
    expect(status.slos.find((s) => s.service === 'ai-domain' && s.slo === 'availability')?.sli['5m']).toBeNull();
    expect(status.slos.map((s) => `${s.service}/${s.slo}`)).toContain('on-call/acknowledgement');
  }, 60_000);

  it('prices the hand-counted requests: cost per 1,000 requests from the same counts, in the API and in Prometheus', async () => {
    const headers = { 'x-api-key': key };
    const report = (await (await fetch(`${url}/api/cost?days=1`, { headers })).json()) as CostReport;
    const user = report.components.find((row) => row.component === 'user');
    const counted = user?.unit_cost;
    if (!user || !counted) throw new Error('no cost per request for user');
    // increase() sees a series from its first scrape on and extrapolates the rest: near the 202
    // requests sent (the first of each series unseen), 181 of them good.
    expect(counted.requests).toBeGreaterThan(BAD + GOOD - 60);
    expect(counted.requests).toBeLessThan(BAD + GOOD + 60);
    expect(Math.abs(counted.good_requests / counted.requests - GOOD / (BAD + GOOD))).toBeLessThan(0.05);
    // A day of user's cost over its requests: monthly / 730 x 24, per 1,000.
    expect(counted.usd_per_1k_requests).toBeCloseTo((((user.current_monthly_usd / 730) * 24) / counted.requests) * 1000, 9);
    expect(counted.usd_per_1k_good_requests).toBeCloseTo((((user.current_monthly_usd / 730) * 24) / counted.good_requests) * 1000, 9);
    // Prometheus records the control plane's cost gauges and divides them by the gateway's rate.
    // The cost group evaluates once a minute: its first evaluation may be up to a minute away.
    const [hourly] = await waitFor('the cost recording rules', 90_000, async () => {
      const found = await prometheus.query('service:cost_hourly_usd:max{service="user"}');
      return found.length > 0 ? found : undefined;
    }, 500);
    expect(Number(hourly?.value[1])).toBeCloseTo(user.current_monthly_usd / 730, 12);
    const [reduction] = await prometheus.query('cost:reduction:ratio');
    expect(Number(reduction?.value[1])).toBeCloseTo(report.totals.reduction_percent / 100, 9);
    // Evaluated once a minute: compare at the instant the rule ran, from the same samples.
    const evaluated = await waitFor('cost per 1,000 requests of user', 90_000, async () => {
      const [found] = await prometheus.query('timestamp(service:cost_usd_per_1k_requests:rate1h{service="user"})');
      return found ? new Date(Number(found.value[1]) * 1000) : undefined;
    }, 500);
    const [perThousand] = await prometheus.query('service:cost_usd_per_1k_requests:rate1h{service="user"}', evaluated);
    const [rate] = await prometheus.query('sum(rate(http_server_request_duration_seconds_count{job="gateway",service="user"}[1h]))', evaluated);
    expect(Number(perThousand?.value[1])).toBeCloseTo(Number(hourly?.value[1]) / (Number(rate?.value[1]) * 3.6), 12);
    expect((await fetch(`${url}/api/cost?days=0`, { headers })).status).toBe(400);
  }, 240_000);

  it('prints the same status with `sre slo status`, and exits 1 naming the SLO out of budget', async () => {
    const run = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
      execFile(process.execPath, ['bin/sre.js', 'slo', 'status', '--catalog', catalog.file, '--prometheus', prometheus.url, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      });
    });
    // The budget rules evaluate once a minute: wait for their first sample.
    await waitFor('the period budget of user availability', 90_000, async () => ((await prometheus.query(`${PERIOD_BUDGET_REMAINING}{service="user",slo="availability"}`)).length > 0 ? true : undefined), 1_000);
    const json = await run('--json');
    expect(json.code, json.stderr).toBe(1);
    expect(json.stderr).toContain('out of error budget: user availability');
    const printed = JSON.parse(json.stdout) as SloStatusReport;
    const user = printed.slos.find((s) => s.service === 'user' && s.slo === 'availability');
    expect(user?.budget_remaining).toBeLessThan(0);
    expect(printed.slos.filter((s) => (s.budget_remaining ?? 0) < 0).map((s) => `${s.service} ${s.slo}`)).toEqual(['user availability']);
    const table = await run();
    expect(table.code).toBe(1);
    const line = table.stdout.split('\n').find((text) => /^user\s+availability\s/.test(text));
    // objective, then the SLIs, then a spent budget: below zero.
    expect(line).toMatch(/^user\s+availability\s+99\.900 %\s.* -\d+\.\d{3} %\s/);
    const unreachable = await run('--prometheus', 'http://127.0.0.1:1');
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('cannot reach Prometheus at http://127.0.0.1:1');
  }, 120_000);

  it('renders the status page in Chromium with the API\'s numbers, and acknowledges from it', async () => {
    const token = readFileSync(join(catalog.dir, SECRET_FILES.controlPlaneWebhookToken), 'utf8').trim();
    const delivered = await fetch(`${url}/api/v1/alertmanager/webhook`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(payload([{ service: 'user', fingerprint: 'b000000000000001', startsAt: new Date(Date.now() - 240_000).toISOString() }])) });
    expect(delivered.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    try {
      await page.goto(url);
      expect(page.url()).toBe(`${url}/login`);
      await page.fill('input[name=api_key]', key);
      await page.click('button[type=submit]');
      await page.waitForSelector('#slos table');
      const api = await slos();
      const user = api.slos.find((s) => s.service === 'user' && s.slo === 'availability');
      const row = page.locator('tr[data-service="user"][data-slo="availability"]');
      // The page and the API read Prometheus a moment apart, while the rate windows slide.
      expect(await row.locator('.sli-5m').textContent()).toMatch(/^\d+\.\d{3} %$/);
      expect(Number.parseFloat((await row.locator('.sli-5m').textContent()) ?? '')).toBeCloseTo((user?.sli['5m'] ?? 0) * 100, 1);
      expect(await row.locator('.burn-1h').textContent()).toMatch(/^\d+\.\d{2}x$/);
      expect(Number.parseFloat((await row.locator('.burn-1h').textContent()) ?? '')).toBeCloseTo(user?.burn_rates['1h'] ?? 0, 0);
      expect(await page.locator('tr[data-service="user"][data-slo="availability"] svg.sparkline').count()).toBe(1);
      // The cost section: the API's verdict and figures.
      const cost = (await (await fetch(`${url}/api/cost`, { headers: { 'x-api-key': key } })).json()) as CostReport;
      expect(await page.locator('#cost .reduction').textContent()).toBe(`${cost.totals.reduction_percent.toFixed(1)} %`);
      expect(await page.locator('#cost tr[data-component="ai-domain"] td:nth-child(4)').textContent()).toBe(`$${(cost.components.find((c) => c.component === 'ai-domain')?.current_monthly_usd ?? 0).toFixed(2)}`);
      expect(await page.locator('#cost .met').textContent()).toBe('met');
      const incident = page.locator('#incidents tr[data-incident]');
      expect(await incident.count()).toBe(1);
      expect(await incident.locator('.status').textContent()).toBe('open');
      await page.screenshot({ path: join('test-results', 'status-page.png'), fullPage: true });
      await incident.getByRole('button', { name: 'Acknowledge' }).click();
      await page.waitForSelector('#incidents tr[data-incident] .status:text("acknowledged")');
      const { incidents } = (await (await fetch(`${url}/api/incidents?service=user`, { headers: { 'x-api-key': key } })).json()) as { incidents: { status: string; acknowledged_by: string; acknowledged_at: number; opened_at: number }[] };
      expect(incidents[0]).toMatchObject({ status: 'acknowledged', acknowledged_by: 'api-key:local-operator' });
      // The page's own time to acknowledge: about four minutes, as the alert began then.
      expect(((incidents[0]?.acknowledged_at ?? 0) - (incidents[0]?.opened_at ?? 0)) / 1000).toBeGreaterThan(239);
      expect(await page.locator('#incidents tr[data-incident] .tta').textContent()).toMatch(/^4 min/);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('refuses a form sent from another site', async () => {
    const response = await fetch(`${url}/incidents/x/acknowledge`, { method: 'POST', headers: { 'x-api-key': key, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(response.status).toBe(403);
  });
});
