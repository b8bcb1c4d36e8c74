import { sloStatus, type SloStatus } from '../control-plane/slo-status.js';
import { PrometheusClient, PrometheusError } from '../prometheus/client.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';
import { formatTable } from './table.js';

export interface SloStatusOptions {
  readonly catalog?: string;
  readonly prometheus?: string;
  readonly json?: boolean;
}

/**
 * `sre slo status`: every SLO's SLI, budget and burn rates, as the control plane's /api/slos has
 * them. Exit 1 while an SLO has spent more than its period's budget, 2 when Prometheus cannot answer.
 */
export async function sloStatusCommand(options: SloStatusOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const prometheus = new PrometheusClient(new URL(options.prometheus ?? `http://${catalog.stack.prometheus}`));
  let report;
  try {
    report = await sloStatus(catalog, prometheus);
  } catch (error) {
    if (error instanceof PrometheusError) throw new CliExit(2, `slo status: ${error.message}`);
    throw error;
  }
  const exhausted = report.slos.filter((slo) => slo.budget_remaining !== null && slo.budget_remaining < 0);
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printTable(report.slos);
  if (exhausted.length > 0) throw new CliExit(1, `out of error budget: ${exhausted.map((slo) => `${slo.service} ${slo.slo}`).join(', ')}`);
}

function printTable(slos: readonly SloStatus[]): void {
  const header = ['service', 'slo', 'objective', 'sli 5m', 'sli 1h', 'sli 1d', 'sli period', 'budget left', 'burn 1h', 'burn 6h', 'firing'];
  const rows = slos.map((slo) => [
    slo.service,
    slo.slo,
    percent(slo.objective),
    percent(slo.sli['5m']),
    percent(slo.sli['1h']),
    percent(slo.sli['1d']),
    percent(slo.sli.period),
    percent(slo.budget_remaining),
    times(slo.burn_rates['1h']),
    times(slo.burn_rates['6h']),
    slo.firing.join(', ') || '-',
  ]);
  process.stdout.write(formatTable(header, rows));
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(value * 100).toFixed(3)} %`;
}

function times(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${value.toFixed(2)}x`;
}
