import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IdentityError, readApiKey } from '../loadtest/identities.js';
import { percent } from '../loadtest/judge.js';
import type { ControlPlaneTarget } from '../control-plane/report-client.js';
import { REPORT_FILES, TargetUnreachableError, loadTest } from '../loadtest/load-test.js';
import { PlanError } from '../loadtest/plan.js';
import { PrometheusError } from '../prometheus/client.js';
import { SECRET_FILES } from '../state/secrets.js';
import { stateDir } from '../state/state-dir.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';

export interface LoadtestOptions {
  readonly catalog?: string;
  readonly target?: string;
  readonly gate?: boolean;
  readonly out?: string;
  readonly prometheus?: string;
  readonly apiKeyFile?: string;
  readonly passwordFile?: string;
  readonly controlPlane?: string;
  readonly controlPlaneKeyFile?: string;
}

const MARK = { held: 'held      ', broken: 'BROKEN    ', 'not judged': 'NOT JUDGED' } as const;

/** `sre loadtest <profile>`: exit 0 when every SLO held, 1 when one broke, 2 when the run could not be judged. */
export async function loadtestCommand(profile: string, options: LoadtestOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const target = url('--target', options.target ?? `http://${catalog.gateway.listen}`);
  const apiKeyFile = options.apiKeyFile ?? process.env.SRE_LOADTEST_API_KEY_FILE ?? localApiKeys();
  const stop = new AbortController();
  const interrupt = (): void => {
    stop.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const { report } = await loadTest({
      catalog,
      profile,
      target,
      gate: options.gate ?? false,
      prometheus: options.prometheus === undefined ? undefined : url('--prometheus', options.prometheus),
      identities: { apiKeyFile, passwordFile: options.passwordFile ?? process.env.SRE_LOADTEST_PASSWORD_FILE },
      out: options.out,
      controlPlane: controlPlane(options, apiKeyFile),
      signal: stop.signal,
      progress: true,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    for (const slo of report.slos) {
      const measured = slo.k6.measured === null ? 'nothing' : slo.slo === 'availability' ? percent(slo.k6.measured) : `${slo.k6.measured.toFixed(1)} ms`;
      process.stdout.write(`${MARK[slo.verdict]} ${slo.service} ${slo.slo}: ${slo.k6.key} ${slo.k6.expression}, measured ${measured} over ${slo.requests} requests\n`);
    }
    if (report.capacity) process.stdout.write(`knee: ${report.capacity.knee_rps === null ? 'below the first step' : `${report.capacity.at_least ? '>= ' : ''}${report.capacity.knee_rps.toFixed(0)} req/s`}; target ${report.capacity.target_rps.toFixed(0)} req/s (10x peak); headroom ${report.capacity.headroom?.toFixed(2) ?? '-'}x\n`);
    for (const reason of report.reasons) process.stdout.write(`${reason}\n`);
    if (options.out) process.stdout.write(`reports: ${Object.values(REPORT_FILES).map((file) => relative(process.cwd(), join(options.out ?? '', file))).join(', ')}\n`);
    const summary = { pass: 'every SLO held', fail: 'an SLO broke', error: 'the run could not be judged' }[report.verdict];
    if (report.exit_code !== 0) throw new CliExit(report.exit_code, `load test ${profile}: ${summary}`);
    process.stdout.write(`load test ${profile}: ${summary}\n`);
  } catch (error) {
    if (error instanceof PlanError || error instanceof IdentityError || error instanceof TargetUnreachableError || error instanceof PrometheusError) throw new CliExit(2, `load test ${profile} cannot run: ${error.message}`);
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

function url(flag: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new CliExit(2, `${flag} must be a URL such as http://127.0.0.1:8000, got "${value}"`);
  }
}

/** The local stack's API keys, when they exist: what `sre up` generated. */
function localApiKeys(): string | undefined {
  const file = join(stateDir(), SECRET_FILES.apiKeys);
  return existsSync(file) ? file : undefined;
}

/** The control plane to send the report to, with its key read before any load: a bad key file fails at once. */
function controlPlane(options: LoadtestOptions, loadApiKeyFile: string | undefined): ControlPlaneTarget | undefined {
  const address = options.controlPlane ?? process.env.SRE_CONTROL_PLANE_URL;
  if (address === undefined) return undefined;
  const keyFile = options.controlPlaneKeyFile ?? process.env.SRE_CONTROL_PLANE_KEY_FILE ?? loadApiKeyFile;
  if (keyFile === undefined) throw new IdentityError('--control-plane needs an API key with the operator role: give --control-plane-key-file (or SRE_CONTROL_PLANE_KEY_FILE)');
  return { url: url('--control-plane', address), apiKey: readApiKey(keyFile) };
}
