import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { freePorts } from '../../../src/net/free-ports.js';
import { LOAD_TEST_KEY_ID, SECRET_FILES } from '../../../src/state/secrets.js';
import type { LoadTestReport } from '../../../src/loadtest/reports/report.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { startSre, startStack, type Stack } from '../../helpers/processes.js';
import { readApiKey } from '../../../src/loadtest/identities.js';

/**
 * The load gate as a release pipeline runs it: `sre loadtest` as a real process against the real
 * gateway and simulator, judged by its exit code and its reports.
 */
let catalog: TestCatalog;
let stack: Stack;

beforeAll(async () => {
  catalog = await testCatalog((edit) => {
    const traffic = edit.traffic as { profiles: Record<string, unknown>; services: Record<string, { peak_rps: number }> };
    // A short profile for the cases that need no 30 s of traffic to tell.
    traffic.profiles.quick = { executor: 'constant-arrival-rate', scale: 0.25, duration: '6s', min_samples: 5 };
  });
  stack = await startStack(catalog);
}, 60_000);

afterAll(async () => {
  await stack.stop();
});

afterEach(async () => {
  await fetch(`${stack.adminUrl}/faults`, { method: 'DELETE' });
});

interface GateRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: LoadTestReport | undefined;
  readonly out: string;
}

/** Runs the CLI without blocking this process's event loop (its keep-alive sockets must stay serviced). */
async function gate(profile: string, options: { target?: string; catalogFile?: string; extra?: string[] } = {}): Promise<GateRun> {
  const out = join(catalog.dir, `out-${profile}-${Date.now()}`);
  const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/sre.js', 'loadtest', profile, '--gate', '--catalog', options.catalogFile ?? catalog.file, '--target', options.target ?? stack.gatewayUrl, '--out', out, '--api-key-file', join(catalog.dir, SECRET_FILES.apiKeys), ...(options.extra ?? [])], {
      encoding: 'utf8',
      env: { ...process.env, SRE_STATE_DIR: catalog.dir },
      timeout: 120_000,
    }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
  let report: LoadTestReport | undefined;
  try {
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as LoadTestReport;
  } catch {
    report = undefined;
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, report, out };
}

async function fault(service: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.adminUrl}/faults/${service}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

describe('the load gate', () => {
  it('passes the smoke profile on a healthy system, and writes every report', async () => {
    const run = await gate('smoke');
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('load test smoke: every SLO held');
    const report = run.report;
    expect(report).toMatchObject({ schema: 'pyairtable-sre/loadtest-report', version: 1, profile: 'smoke', verdict: 'pass', exit_code: 0, reasons: [] });
    expect(report?.slos).toHaveLength(14);
    expect(report?.slos.every((slo) => slo.verdict === 'held' && slo.requests >= 20)).toBe(true);
    // Thirty seconds at a quarter of the 400 req/s peak.
    expect(report?.engine.requests).toBeGreaterThan(2900);
    expect(report?.engine.dropped_arrivals).toBe(0);
    const summary = JSON.parse(readFileSync(join(run.out, 'k6-summary.json'), 'utf8')) as { metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }>; state: { testRunDurationMs: number } };
    expect(summary.metrics['http_req_duration{service:user}']?.thresholds).toEqual({ 'p(95)<100': { ok: true } });
    expect(summary.state.testRunDurationMs).toBeGreaterThan(29_000);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(run.out, 'junit.xml'), 'utf8')) as { testsuites: { testsuite: { '@_tests': string; '@_failures': string; '@_errors': string } } };
    expect(junit.testsuites.testsuite).toMatchObject({ '@_tests': '14', '@_failures': '0', '@_errors': '0' });
    expect(readFileSync(join(run.out, 'report.md'), 'utf8')).toContain('## Load gate `smoke`: ✅ every SLO held');
  }, 120_000);

  it('exits 1 naming airtable-domain latency, and only it, when the simulator adds 150 ms there', async () => {
    await fault('airtable-domain', { latency_ms: 150 });
    const run = await gate('smoke');
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.report?.verdict).toBe('fail');
    expect(run.report?.slos.filter((slo) => slo.verdict === 'broken').map((slo) => `${slo.service} ${slo.slo}`)).toEqual(['airtable-domain latency']);
    expect(run.report?.reasons[0]).toMatch(/^airtable-domain latency SLO broken: p\(95\) was 1\d\d\.\d ms over \d+ requests, \d+\.\d ms over the 100 ms threshold/);
    expect(run.stdout).toMatch(/BROKEN\s+airtable-domain latency/);
    // The gate stops at the break: abortOnFail after 10 s, not the profile's 30.
    expect(run.report?.duration_s).toBeLessThan(20);
    expect(run.report?.stopped_early).toMatch(/^airtable-domain latency SLO broken/);
  }, 120_000);

  it('exits 1 naming the availability SLO of the service that returns 1 % errors', async () => {
    await fault('airtable-domain', { error_ratio: 0.01, error_status: 503 });
    const run = await gate('smoke');
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.report?.slos.filter((slo) => slo.verdict === 'broken').map((slo) => `${slo.service} ${slo.slo}`)).toEqual(['airtable-domain availability']);
    expect(run.report?.reasons[0]).toMatch(/^airtable-domain availability SLO broken: \d\.\d+ % of \d+ requests failed, over the 0\.100 % budget/);
  }, 120_000);

  it('exits 2 for an unreachable target, and says so', async () => {
    const [port] = await freePorts(1);
    const run = await gate('quick', { target: `http://127.0.0.1:${port ?? 0}` });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`load test quick cannot run: the target http://127.0.0.1:${port ?? 0}/ is unreachable (ECONNREFUSED): nothing can be measured`);
  });

  it('exits 2 for a profile with no samples for a threshold: no data is never a pass', async () => {
    const text = readFileSync(catalog.file, 'utf8').replace(/(\n {4}ai-domain:\n {6}peak_rps:) 8/, '$1 0');
    expect(text).not.toBe(readFileSync(catalog.file, 'utf8'));
    const file = join(catalog.dir, 'no-ai-traffic.yaml');
    writeFileSync(file, text);
    const run = await gate('quick', { catalogFile: file });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(2);
    expect(run.report?.verdict).toBe('error');
    expect(run.report?.reasons).toEqual([
      'ai-domain availability: 0 requests, fewer than the 5 the profile needs to judge http_req_failed{service:ai-domain} rate<0.005',
      'ai-domain latency: 0 requests, fewer than the 5 the profile needs to judge http_req_duration{service:ai-domain} p(95)<2000',
    ]);
  });

  it('refuses an API key file that holds no key, naming it, and starts no load', async () => {
    const file = join(catalog.dir, 'empty-key');
    mkdirSync(catalog.dir, { recursive: true });
    writeFileSync(file, '');
    const run = await gate('quick', { extra: ['--api-key-file', file] });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${file} must hold the API key alone on one line`);
    expect(run.report).toBeUndefined();
  });

  it('sends its report to the control plane with the load key, and a refusal there changes no verdict', async () => {
    const url = `http://127.0.0.1:${catalog.controlPlanePort}`;
    const controlPlane = await startSre(['control-plane'], catalog, `${url}/readyz`);
    try {
      const run = await gate('quick', { extra: ['--control-plane', url] });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      const headers = { 'x-api-key': readApiKey(join(catalog.dir, SECRET_FILES.apiKeys)) };
      const { reports } = (await (await fetch(`${url}/api/reports`, { headers })).json()) as { reports: { id: string }[] };
      expect(reports).toMatchObject([{ kind: 'loadtest', verdict: 'pass', title: 'loadtest quick' }]);
      expect(await (await fetch(`${url}/api/reports/${reports[0]?.id ?? ''}`, { headers })).json()).toEqual(run.report);

      const forged = join(catalog.dir, 'forged-key');
      writeFileSync(forged, 'sre_not-a-key-anyone-has');
      const refused = await gate('quick', { extra: ['--control-plane', url, '--control-plane-key-file', forged] });
      expect(refused.status, `${refused.stdout}\n${refused.stderr}`).toBe(0);
      expect(refused.stderr).toContain(`the control plane at ${url} refused the report: 401`);
      expect((await (await fetch(`${url}/api/reports`, { headers })).json()) as { reports: unknown[] }).toMatchObject({ reports: [{ id: reports[0]?.id }] });
    } finally {
      await controlPlane.stop();
    }
  }, 60_000);

  it('sends with the load-test key of a generated api-keys.json', () => {
    const keys = JSON.parse(readFileSync(join(catalog.dir, SECRET_FILES.apiKeys), 'utf8')) as { id: string; rate_limit_per_minute?: number }[];
    expect(keys.find((key) => key.id === LOAD_TEST_KEY_ID)?.rate_limit_per_minute).toBeGreaterThan(1_000_000);
  });
});
