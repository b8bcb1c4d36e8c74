import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CostReport } from '../../../src/cost/report.js';
import { runSre } from '../../helpers/sre-cli.js';

// The shipped catalog, computed by hand from slo/catalog.yaml at OpenCost's default prices.
const CPU = 0.031611;
const GIB = 0.004237;
const month = (cores: number, gib: number): number => (cores * CPU + gib * GIB) * 730;
// 22 services: api-gateway 3 x (0.25, 0.5); ten Go services 2 x (0.1, 0.125); airtable-gateway 2 x (0.125, 0.25);
// eight 2 x (0.25, 0.5); llm-orchestrator and ai-platform 2 x (0.5, 1).
const BASELINE = month(0.75 + 10 * 0.2 + 0.25 + 8 * 0.5 + 2 * 1, 1.5 + 10 * 0.25 + 0.5 + 8 * 1 + 2 * 2);
// Gateway 3 x (0.25, 0.5); airtable-domain 3 x (0.5, 1); automation-domain 2 x (0.5, 1); ai-domain 2 x (1, 2); four Go services 2 x (0.1, 0.125).
const CURRENT = month(0.75 + 1.5 + 1 + 2 + 4 * 0.2, 1.5 + 3 + 2 + 4 + 4 * 0.25);

describe('sre cost report on the shipped catalog', () => {
  it('prints baseline, current, reduction and verdict against 30 %, with every input, and exits 0', async () => {
    expect(BASELINE).toBeCloseTo(258.72, 2);
    const run = await runSre(['cost', 'report']);
    expect(run.code, run.stderr).toBe(0);
    const reduction = ((BASELINE - CURRENT) / BASELINE) * 100;
    expect(run.stdout).toContain(`cost target MET: ${reduction.toFixed(1)} % reduction ($${BASELINE.toFixed(2)} -> $${CURRENT.toFixed(2)} a month) against a target of 30 % (at most $${(BASELINE * 0.7).toFixed(2)} a month)`);
    expect(run.stdout).toMatch(new RegExp(`^total\\s+22 services\\s+\\$${BASELINE.toFixed(2)}\\s+\\$${CURRENT.toFixed(2)}\\s+\\$${(BASELINE - CURRENT).toFixed(2)}\\s+${reduction.toFixed(1)} %`, 'm'));
    expect(run.stdout).toMatch(/^ai-domain\s+llm-orchestrator, ai-platform, mcp-server\s+\$73\.16\s+\$58\.52\s+\$14\.63\s+20\.0 %/m);
    expect(run.stdout).toMatch(/^\(retired\)\s+tenant-service, file-service, sync-service, audit-service, automation-services, platform-services, saga-orchestrator\s+\$65\.45/m);
    expect(run.stdout).toContain('source: catalog (slo/catalog.yaml: replicas x requests)');
    expect(run.stdout).toContain('prices: $0.031611 per vCPU-hour, $0.004237 per GiB-hour, 730 hours a month');
    expect(run.stdout).toContain('baseline: 22 services, 9 vCPU and 16.5 GiB requested');
  });

  it('prints the versioned JSON report for scripts', async () => {
    const run = await runSre(['cost', 'report', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as CostReport;
    expect(report).toMatchObject({ schema: 'pyairtable-sre/cost-report', version: 1, source: 'catalog', verdict: 'met', target_reduction_percent: 30, problems: [] });
    expect(report.totals.baseline_monthly_usd).toBeCloseTo(BASELINE, 9);
    expect(report.totals.current_monthly_usd).toBeCloseTo(CURRENT, 9);
    expect(report.components.map((row) => row.component)).toEqual(['gateway', 'airtable-domain', 'automation-domain', 'ai-domain', 'auth', 'user', 'workspace', 'permission']);
  });

  it('exits 1 when the target is missed and 2 on a window that is not a duration', async () => {
    // ai-domain at 3 replicas instead of 2: one more (1 vCPU, 2 GiB).
    const dir = mkdtempSync(join(tmpdir(), 'cost-'));
    const file = join(dir, 'catalog.yaml');
    writeFileSync(file, readFileSync('slo/catalog.yaml', 'utf8').replace('cost: { replicas: 2, cpu_request_cores: 1, memory_request_gib: 2 }', 'cost: { replicas: 3, cpu_request_cores: 1, memory_request_gib: 2 }'));
    const missed = await runSre(['cost', 'report', '--catalog', file]);
    expect(missed.code, missed.stderr).toBe(1);
    const reduction = ((BASELINE - CURRENT - month(1, 2)) / BASELINE) * 100;
    expect(missed.stdout).toContain(`cost target NOT MET: ${reduction.toFixed(1)} % reduction`);
    expect(missed.stderr).toBe('exit 1: not met\n');
    rmSync(dir, { recursive: true });
    const bad = await runSre(['cost', 'report', '--window', 'a week']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cost report: --window a week is not a duration; use Prometheus\' form, such as 1h, 7d or 30d');
  });
});
