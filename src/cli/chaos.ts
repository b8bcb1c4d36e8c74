import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExperimentError, loadExperiment, type Experiment } from '../chaos/experiment.js';
import { pendingJournals } from '../chaos/journal.js';
import { ChaosProviderError } from '../chaos/providers.js';
import { chaosMarkdown, controlPlaneReport } from '../chaos/report.js';
import { rollbackJournal } from '../chaos/rollback.js';
import { runExperiment } from '../chaos/runner.js';
import { AlertWatch } from '../chaos/alerts.js';
import { PrometheusSlis } from '../chaos/prometheus-slis.js';
import { GatewaySlis } from '../chaos/slis.js';
import { postReport } from '../control-plane/report-client.js';
import { PrometheusClient, PrometheusError } from '../prometheus/client.js';
import { startBackgroundTraffic, type BackgroundTraffic } from '../loadtest/background.js';
import { readApiKey } from '../loadtest/identities.js';
import { SECRET_FILES } from '../state/secrets.js';
import { stateDir } from '../state/state-dir.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';
import { formatTable } from './table.js';
import { DEFAULT_TRAFFIC_PROFILE, DEFAULT_TRAFFIC_SCALE } from './up.js';

export const CHAOS_DIR = 'chaos';
const journalDir = (): string => join(stateDir(), 'chaos');

export interface ChaosCommonOptions {
  readonly catalog?: string;
}

/** `sre chaos list`: the shipped experiments, validated, with what each touches and expects. */
export function chaosListCommand(options: ChaosCommonOptions): void {
  const catalog = catalogFrom(options.catalog);
  const files = readdirSync(CHAOS_DIR).filter((name) => /\.ya?ml$/.test(name)).sort();
  const rows = files.map((name) => {
    const experiment = load(join(CHAOS_DIR, name), catalog);
    return [join(CHAOS_DIR, name), experiment.title, experiment.touched.join(', '), experiment.extension.expect_breaks.join(', ') || '-', experiment.tags.join(', ')];
  });
  process.stdout.write(formatTable(['file', 'title', 'touches', 'expected to burn', 'tags'], rows));
}

/** `sre chaos validate <file>`: exit 0 when valid, 2 naming every problem. */
export function chaosValidateCommand(file: string, options: ChaosCommonOptions): void {
  const experiment = load(file, catalogFrom(options.catalog));
  process.stdout.write(`${file}: valid; touches ${experiment.touched.join(', ')}, expects ${experiment.extension.expect_breaks.join(', ') || 'no SLO'} to burn\n`);
}

export interface ChaosRunOptions extends ChaosCommonOptions {
  readonly dryRun?: boolean;
  readonly gateway?: string;
  readonly simulatorAdmin?: string;
  readonly toxiproxy?: string;
  readonly kubeconfig?: string;
  readonly prometheus?: string;
  readonly traffic?: string | boolean;
  readonly controlPlane?: string;
  readonly controlPlaneKeyFile?: string;
}

/** `sre chaos run <file>`: exit 0 the hypothesis held, 1 it did not, 2 it could not run. */
export async function chaosRunCommand(file: string, options: ChaosRunOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const experiment = load(file, catalog);
  const gateway = options.gateway ?? `http://${catalog.gateway.listen}`;
  const prometheus = options.prometheus === undefined ? undefined : new PrometheusClient(new URL(options.prometheus));
  if (experiment.extension.expect_alerts.length > 0 && !prometheus) throw new CliExit(2, `${file} expects alerts (${experiment.extension.expect_alerts.map((a) => a.alert).join(', ')}): give the Prometheus that evaluates the rules, --prometheus URL`);
  const abort = new AbortController();
  const stop = (): void => {
    process.stderr.write('\ninterrupted: rolling back\n');
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let traffic: BackgroundTraffic | undefined;
  const terminal = process.stderr.isTTY;
  let ticks = 0;
  try {
    if (options.traffic !== undefined && options.traffic !== false) {
      const scale = typeof options.traffic === 'string' ? Number(options.traffic) : DEFAULT_TRAFFIC_SCALE;
      if (!(scale > 0)) throw new CliExit(2, `--traffic ${String(options.traffic)}: give the share of the catalog's ${DEFAULT_TRAFFIC_PROFILE} profile to offer, such as 0.1`);
      traffic = await startBackgroundTraffic(catalog, DEFAULT_TRAFFIC_PROFILE, scale, new URL(gateway), join(stateDir(), SECRET_FILES.apiKeys));
      process.stderr.write(`traffic: ${traffic.rate.toFixed(1)} requests/s through ${gateway}\n`);
    }
    const { journal, file: journalPath } = await runExperiment({
      catalog,
      experiment,
      slis: prometheus ? new PrometheusSlis(prometheus, catalog) : new GatewaySlis(`${gateway}/metrics`, catalog),
      ...(prometheus ? { alerts: new AlertWatch(prometheus) } : {}),
      targets: { simulatorAdmin: options.simulatorAdmin ?? `http://${catalog.simulatorAdmin.host}:${catalog.simulatorAdmin.port}`, toxiproxyApi: options.toxiproxy ?? (catalog.stack.toxiproxy_in_path ? `http://${catalog.stack.toxiproxy}` : undefined), kubeconfig: kubeconfigOf(options.kubeconfig) },
      journalDir: journalDir(),
      dryRun: options.dryRun === true,
      signal: abort.signal,
      log: (line) => process.stderr.write(`${terminal ? '\r\x1b[K' : ''}${line}\n`),
      progress: (line) => {
        if (terminal) process.stderr.write(`\r\x1b[K${line}`);
        else if (ticks++ % 5 === 0) process.stderr.write(`${line}\n`);
      },
    });
    const report = journalPath.replace(/\.json$/, '.md');
    writeFileSync(report, chaosMarkdown(journal));
    process.stdout.write(`${journal.verdict ?? 'not run'}: ${journal.reasons.join('; ') || 'as expected'}\njournal ${journalPath}\nreport ${report}\n`);
    if (options.controlPlane && !options.dryRun) {
      const apiKey = readApiKey(options.controlPlaneKeyFile ?? join(stateDir(), SECRET_FILES.apiKeys));
      try {
        await postReport({ url: new URL(options.controlPlane), apiKey }, controlPlaneReport(journal));
      } catch (error) {
        throw new CliExit(2, (error as Error).message);
      }
      process.stdout.write(`report sent to ${options.controlPlane}\n`);
    }
    if (journal.verdict !== 'held') throw new CliExit(journal.verdict === 'not held' ? 1 : 2, `chaos: ${journal.verdict ?? 'not run'}`);
  } catch (error) {
    if (error instanceof ChaosProviderError || error instanceof PrometheusError) throw new CliExit(2, `chaos: ${error.message}`);
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await traffic?.stop();
  }
}

/** `sre chaos rollback [journal]`: undoes what a killed run left injected; every pending journal without an argument. */
export async function chaosRollbackCommand(file: string | undefined): Promise<void> {
  const files = file ? [file] : pendingJournals(journalDir());
  if (files.length === 0) {
    process.stdout.write(`nothing to roll back in ${journalDir()}\n`);
    return;
  }
  let undone = 0;
  for (const journal of files) undone += await rollbackJournal(journal, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${undone} injection${undone === 1 ? '' : 's'} rolled back from ${files.length} journal${files.length === 1 ? '' : 's'}\n`);
}

/** The kubeconfig the journal records, so that `sre chaos rollback` reaches the same cluster from another shell. */
function kubeconfigOf(option: string | undefined): string | undefined {
  const fromEnvironment = process.env.KUBECONFIG;
  return option ?? (fromEnvironment && !fromEnvironment.includes(':') ? fromEnvironment : undefined);
}

function load(file: string, catalog: Parameters<typeof loadExperiment>[1]): Experiment {
  try {
    return loadExperiment(file, catalog);
  } catch (error) {
    if (error instanceof ExperimentError) throw new CliExit(2, `invalid experiment:\n${error.message}`);
    throw error;
  }
}
