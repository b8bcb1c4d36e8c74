import type { Selector } from '../promql/selectors.js';
import type { ExposedSeries } from './exposition.js';

/** Labels Prometheus adds at scrape time; they never appear in an exposition. */
const TARGET_LABELS = new Set(['job', 'instance']);
/** Series Prometheus makes itself. */
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE']);

export interface ContractFinding {
  readonly where: string;
  readonly problem: string;
}

/**
 * Checks that every selector of the generated rules and dashboards can match what the services
 * really export: the metric exists, every label it names exists on it, and every exact value it
 * asks for (a service id, an `le` spelling) is one the live exposition has. This is the check
 * whose absence let the platform's old alerts filter on a label no service exported.
 */
export function checkContract(uses: readonly { where: string; selector: Selector }[], live: readonly ExposedSeries[], recorded: ReadonlySet<string>): ContractFinding[] {
  const byMetric = new Map<string, ExposedSeries[]>();
  for (const series of live) byMetric.set(series.metric, [...(byMetric.get(series.metric) ?? []), series]);
  const findings: ContractFinding[] = [];
  for (const { where, selector } of uses) {
    const { metric } = selector;
    if (SYNTHETIC.has(metric)) continue;
    if (metric.includes(':')) {
      if (!recorded.has(metric)) findings.push({ where, problem: `${metric} is not produced by any generated recording rule` });
      continue;
    }
    const series = byMetric.get(metric);
    if (!series) {
      findings.push({ where, problem: `metric ${metric} is not in the live /metrics of the gateway or the simulator` });
      continue;
    }
    for (const matcher of selector.matchers) {
      if (TARGET_LABELS.has(matcher.name) || matcher.name === '__name__') continue;
      if (!series.some((s) => matcher.name in s.labels)) {
        findings.push({ where, problem: `${metric} has no label "${matcher.name}" (it has: ${[...new Set(series.flatMap((s) => Object.keys(s.labels)))].join(', ')})` });
      } else if (matcher.op === '=' && !matcher.value.includes('$') && !series.some((s) => s.labels[matcher.name] === matcher.value)) {
        const values = [...new Set(series.map((s) => s.labels[matcher.name]).filter((v) => v !== undefined))].slice(0, 20);
        findings.push({ where, problem: `${metric}{${matcher.name}="${matcher.value}"} matches nothing live; values seen: ${values.join(', ')}` });
      }
    }
  }
  return findings;
}

/**
 * Checks the other side of the contract: every metric the SLI contract declares for a component
 * (the gateway, the control plane) is in its live exposition, with every label the contract gives it.
 */
export function checkDeclaredMetrics(declared: Readonly<Record<string, { readonly name: string; readonly labelNames: readonly string[] }>>, live: readonly ExposedSeries[]): ContractFinding[] {
  const findings: ContractFinding[] = [];
  const names = new Set(live.map((series) => series.metric));
  for (const metric of Object.values(declared)) {
    // A histogram is exposed as _bucket, _sum and _count; its count carries every label but `le`.
    const exposed = names.has(metric.name) ? metric.name : `${metric.name}_count`;
    const series = live.filter((s) => s.metric === exposed);
    if (series.length === 0) {
      findings.push({ where: 'src/catalog/conventions.ts', problem: `nothing live exports ${metric.name}, which the SLI contract declares` });
      continue;
    }
    for (const label of metric.labelNames) {
      if (!series.some((s) => label in s.labels)) findings.push({ where: 'src/catalog/conventions.ts', problem: `${exposed} has no label "${label}", which the SLI contract declares` });
    }
  }
  return findings;
}
