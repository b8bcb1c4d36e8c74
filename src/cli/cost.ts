import { writeFileSync } from 'node:fs';
import { parseDuration } from '../catalog/index.js';
import { catalogInventory, type Inventory } from '../cost/inventory.js';
import { kubernetesInventory } from '../cost/kubernetes-inventory.js';
import { COST_HEADER, costMarkdown, costRows, inputLines, verdictLine } from '../cost/markdown.js';
import { OpenCostClient, openCostInventory } from '../cost/opencost.js';
import { CostInputError, pricesOf } from '../cost/pricing.js';
import { costReport, exitCodeOf, type CostReport } from '../cost/report.js';
import { trafficOver, type Traffic } from '../cost/traffic.js';
import { podUsage } from '../cost/usage.js';
import { KubernetesClient, KubernetesError } from '../kubernetes/client.js';
import { PrometheusClient, PrometheusError } from '../prometheus/client.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';
import { formatTable } from './table.js';

export interface CostReportOptions {
  readonly catalog?: string;
  readonly opencost?: string;
  readonly kubernetes?: boolean;
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly prometheus?: string;
  readonly window: string;
  readonly json?: boolean;
  readonly markdown?: string | boolean;
}

/**
 * `sre cost report`: the consolidated platform's monthly cost against the 22-service baseline and
 * the catalog's target, from OpenCost, else the Kubernetes API, else the catalog itself. Exit 0 when
 * the target is met, 1 when it is not, 2 when the inputs are missing or do not add up.
 */
export async function costReportCommand(options: CostReportOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const window = options.window;
  const windowMs = parseDuration(window);
  if (windowMs === undefined || windowMs <= 0) throw new CliExit(2, `cost report: --window ${window} is not a duration; use Prometheus' form, such as 1h, 7d or 30d`);
  let report: CostReport;
  try {
    const prices = pricesOf(catalog);
    const prometheus = options.prometheus ? new PrometheusClient(new URL(options.prometheus)) : undefined;
    let inventory: Inventory;
    if (options.opencost) {
      const allocations = await new OpenCostClient(new URL(options.opencost)).allocations(window, options.namespace);
      inventory = openCostInventory(allocations, catalog, prices, `${options.opencost} /allocation/compute, window ${window}, by controller${options.namespace ? `, namespace ${options.namespace}` : ''}`);
    } else if (options.kubernetes) {
      const usage = prometheus ? await podUsage(prometheus, window, options.namespace) : undefined;
      inventory = await kubernetesInventory(KubernetesClient.connect(options.kubeconfig), catalog, prices, { namespace: options.namespace, usage });
    } else {
      inventory = catalogInventory(catalog, prices);
    }
    const traffic: Traffic | undefined = prometheus ? await trafficOver(prometheus, catalog, window) : undefined;
    report = costReport({ catalog, inventory, traffic, trafficHours: windowMs / 3_600_000 });
  } catch (error) {
    if (error instanceof CostInputError || error instanceof KubernetesError || error instanceof PrometheusError) throw new CliExit(2, `cost report: ${error.message}`);
    throw error;
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (typeof options.markdown === 'string') writeFileSync(options.markdown, costMarkdown(report));
  else if (options.markdown) process.stdout.write(costMarkdown(report));
  else process.stdout.write(`${formatTable(COST_HEADER, costRows(report))}\n${inputLines(report).join('\n')}\n${report.problems.map((problem) => `problem: ${problem}\n`).join('')}${verdictLine(report)}\n`);
  const code = exitCodeOf(report);
  // The table ends with the verdict already; JSON and Markdown readers get it on stderr.
  if (code !== 0) throw new CliExit(code, options.json || options.markdown ? verdictLine(report) : `exit ${code}: ${report.verdict}`);
}
