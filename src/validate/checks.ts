import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { CONTROL_PLANE_METRICS, GATEWAY_METRICS } from '../catalog/conventions.js';
import type { Catalog } from '../catalog/index.js';
import { findTool } from '../tools/find-tool.js';
import { checkContract, checkDeclaredMetrics } from './contract.js';
import { lintDashboard } from './dashboard-lint.js';
import { parseExposition } from './exposition.js';
import { liveExpositions } from './live-metrics.js';
import { selectorsOf, type Selector } from '../promql/selectors.js';

const exec = promisify(execFile);

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export const RULE_DIRS = ['alerts/recording', 'alerts/alerting'] as const;
export const TEST_DIR = 'alerts/tests';
export const ALERTMANAGER_CONFIG = 'alerts/alertmanager.yml';

export function ruleFiles(): string[] {
  return RULE_DIRS.flatMap((dir) => filesIn(dir, '.rules.yml'));
}

export async function promtoolCheckRules(): Promise<CheckResult> {
  const files = ruleFiles();
  return runTool('promtool check rules', 'promtool', ['check', 'rules', ...files], `${files.length} rule files`);
}

/** Generated and hand-written promtool tests, two at a time (the machine has two cores). */
export async function promtoolTestRules(): Promise<CheckResult> {
  const promtool = findTool('promtool');
  const files = filesIn(TEST_DIR, '.test.yml');
  const failures: string[] = [];
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      try {
        await exec(promtool, ['test', 'rules', file], { maxBuffer: 16 << 20 });
      } catch (error) {
        // promtool prints FAILED details on stderr; a signal means it was killed, not that a test failed.
        const failed = error as { stdout?: string; stderr?: string; signal?: string | null; code?: number | string };
        const how = failed.signal ? `killed by ${failed.signal}` : `exit ${String(failed.code ?? '?')}`;
        failures.push(`${file} (${how}):\n${failed.stdout ?? ''}${failed.stderr ?? String(error)}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return { name: 'promtool test rules', ok: failures.length === 0 && files.length > 0, detail: failures.length ? failures.join('\n') : `${files.length} test files passed` };
}

export const COLLECTOR_CONFIG = 'collector/otel-collector.yaml';

/** Dry-runs the collector configuration with the very binary the stack runs. */
export async function otelcolValidate(config = COLLECTOR_CONFIG): Promise<CheckResult> {
  return runTool('otelcol validate', 'otelcol-pyairtable', ['validate', `--config=${config}`], config);
}

export const JAEGER_CONFIG = 'collector/jaeger.yaml';

/** Jaeger v2 is a collector distribution: it dry-runs its own configuration the same way. */
export async function jaegerValidate(config = JAEGER_CONFIG): Promise<CheckResult> {
  return runTool('jaeger validate', 'jaeger', ['validate', `--config=${config}`], config);
}

export async function amtoolCheckConfig(): Promise<CheckResult> {
  return runTool('amtool check-config', 'amtool', ['check-config', ALERTMANAGER_CONFIG], ALERTMANAGER_CONFIG);
}

export const DASHBOARD_DIR = 'dashboards';

export function dashboardLint(): CheckResult {
  const files = filesIn(DASHBOARD_DIR, '.json');
  const findings = files.flatMap((file) => lintDashboard(file, JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof lintDashboard>[1]).findings);
  return { name: 'dashboard lint', ok: findings.length === 0 && files.length > 0, detail: findings.length ? findings.join('\n') : `${files.length} dashboards` };
}

/** Every selector of every rule and dashboard, against the live gateway and simulator expositions. */
export async function metricsContract(catalog: Catalog): Promise<CheckResult> {
  const uses: { where: string; selector: Selector }[] = [];
  for (const file of filesIn(DASHBOARD_DIR, '.json')) uses.push(...lintDashboard(file, JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof lintDashboard>[1]).selectors);
  const recorded = new Set<string>();
  for (const file of ruleFiles()) {
    const doc = parse(readFileSync(file, 'utf8')) as { groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[] };
    for (const group of doc.groups) {
      for (const rule of group.rules) {
        if (rule.record) recorded.add(rule.record);
        for (const selector of selectorsOf(rule.expr)) uses.push({ where: `${file} ${rule.record ?? rule.alert ?? group.name}`, selector });
      }
    }
  }
  const live = await liveExpositions(catalog);
  const gateway = parseExposition(live.gateway);
  const controlPlane = parseExposition(live.controlPlane);
  const findings = [...checkDeclaredMetrics(GATEWAY_METRICS, gateway), ...checkDeclaredMetrics(CONTROL_PLANE_METRICS, controlPlane), ...checkContract(uses, [...gateway, ...parseExposition(live.simulator), ...controlPlane], recorded)];
  return {
    name: 'metrics contract',
    ok: findings.length === 0,
    detail: findings.length ? findings.map((f) => `${f.where}: ${f.problem}`).join('\n') : `${uses.length} selectors match the live /metrics`,
  };
}

async function runTool(name: string, tool: string, args: readonly string[], subject: string): Promise<CheckResult> {
  try {
    await exec(findTool(tool), args, { maxBuffer: 16 << 20 });
    return { name, ok: true, detail: subject };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    return { name, ok: false, detail: `${failed.stdout ?? ''}${failed.stderr ?? failed.message}` };
  }
}

function filesIn(dir: string, suffix: string): string[] {
  try {
    return readdirSync(dir)
      .filter((file) => file.endsWith(suffix))
      .sort()
      .map((file) => join(dir, file));
  } catch {
    return [];
  }
}
