import { amtoolCheckConfig, dashboardLint, jaegerValidate, metricsContract, otelcolValidate, promtoolCheckRules, promtoolTestRules, type CheckResult } from '../validate/checks.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';

export interface ValidateOptions {
  readonly catalog?: string;
}

/** Runs the real tools over the generated output; exits 1 on any finding. */
export async function validateCommand(options: ValidateOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const results: CheckResult[] = [];
  for (const check of [promtoolCheckRules, amtoolCheckConfig, () => otelcolValidate(), () => jaegerValidate(), () => Promise.resolve(dashboardLint()), () => metricsContract(catalog), promtoolTestRules]) {
    const started = Date.now();
    const result = await check();
    results.push(result);
    process.stdout.write(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name}: ${result.ok ? result.detail : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    if (!result.ok) process.stdout.write(`${result.detail}\n`);
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) throw new CliExit(1, `validate: ${failed.length} of ${results.length} checks failed: ${failed.map((r) => r.name).join(', ')}`);
}
