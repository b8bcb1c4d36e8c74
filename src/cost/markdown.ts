import type { CostReport } from './report.js';

export const usd = (value: number | null | undefined, digits = 2): string => (value === null || value === undefined ? '-' : `${value < 0 ? '-' : ''}$${Math.abs(value).toFixed(digits)}`);
export const pct = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : `${value.toFixed(1)} %`);

/** The rows both renderings share: one per component, then the retired services and the totals. */
export function costRows(report: CostReport): string[][] {
  const rows = report.components.map((row) => [
    row.component,
    row.consolidates.join(', ') || '-',
    usd(row.baseline_monthly_usd),
    usd(row.current_monthly_usd),
    usd(row.reduction_usd),
    pct(row.reduction_percent),
    usd(row.unit_cost?.usd_per_1k_requests, 5),
    usd(row.unit_cost?.usd_per_1k_good_requests, 5),
  ]);
  if (report.retired.length > 0) {
    const retired = report.retired.reduce((total, entry) => total + entry.monthly_usd, 0);
    rows.push(['(retired)', report.retired.map((entry) => entry.name).join(', '), usd(retired), usd(0), usd(retired), pct(100), '-', '-']);
  }
  const totals = report.totals;
  rows.push(['total', `${report.baseline.services} services`, usd(totals.baseline_monthly_usd), usd(totals.current_monthly_usd), usd(totals.reduction_usd), pct(totals.reduction_percent), usd(totals.unit_cost?.usd_per_1k_requests, 5), usd(totals.unit_cost?.usd_per_1k_good_requests, 5)]);
  return rows;
}

export const COST_HEADER = ['component', 'replaces', 'baseline /month', 'now /month', 'saved /month', 'reduction', 'per 1k requests', 'per 1k good'];

/** One line with the verdict and the figures behind it. */
export function verdictLine(report: CostReport): string {
  const { totals } = report;
  const figures = `${pct(totals.reduction_percent)} reduction (${usd(totals.baseline_monthly_usd)} -> ${usd(totals.current_monthly_usd)} a month) against a target of ${report.target_reduction_percent} % (at most ${usd(totals.target_monthly_usd)} a month)`;
  if (report.verdict === 'inconsistent') return `cost target: cannot judge, the inputs do not add up (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}); as they stand: ${figures}`;
  return `cost target ${report.verdict.toUpperCase()}: ${figures}`;
}

/** The inputs, so that every figure can be recomputed by hand. */
export function inputLines(report: CostReport): string[] {
  return [
    `source: ${report.source} (${report.scope})`,
    `prices: $${report.prices.cpu_core_hour_usd} per vCPU-hour, $${report.prices.memory_gib_hour_usd} per GiB-hour, ${report.prices.hours_per_month} hours a month`,
    `baseline: ${report.baseline.services} services, ${round(report.baseline.cpu_cores)} vCPU and ${round(report.baseline.memory_gib)} GiB requested (${report.catalog}, cost.baseline)`,
    ...(report.idle_monthly_usd === null ? [] : [`idle capacity (not attributed): ${usd(report.idle_monthly_usd)} a month`]),
    ...(report.traffic_window ? [`requests: the gateway's counters over the last ${report.traffic_window}; good = no 5xx and within every latency SLO of the service`] : ['requests: no Prometheus given, no cost per request']),
  ];
}

/** A Markdown report: verdict, a chart of baseline against now, the table, the inputs and any problems. */
export function costMarkdown(report: CostReport): string {
  const table = [COST_HEADER, COST_HEADER.map(() => '---'), ...costRows(report)].map((row) => `| ${row.join(' | ')} |`).join('\n');
  const bars = report.components.filter((row) => row.baseline_monthly_usd > 0 || row.current_monthly_usd > 0);
  const chart = [
    '```mermaid',
    'xychart-beta',
    '  title "Monthly cost: 22-service baseline (first bar) and consolidated (second), USD"',
    `  x-axis [${bars.map((row) => `"${row.component}"`).join(', ')}]`,
    '  y-axis "USD per month"',
    `  bar [${bars.map((row) => row.baseline_monthly_usd.toFixed(2)).join(', ')}]`,
    `  bar [${bars.map((row) => row.current_monthly_usd.toFixed(2)).join(', ')}]`,
    '```',
  ].join('\n');
  return [
    `# Cost against the ${report.target_reduction_percent} % target`,
    '',
    `**${verdictLine(report)}**`,
    '',
    chart,
    '',
    table,
    '',
    '## Inputs',
    '',
    ...inputLines(report).map((line) => `- ${line}`),
    ...(report.problems.length > 0 ? ['', '## Problems', '', ...report.problems.map((problem) => `- ${problem}`)] : []),
    '',
    `Generated ${report.generated_at} by \`sre cost report\`.`,
    '',
  ].join('\n');
}

function round(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
