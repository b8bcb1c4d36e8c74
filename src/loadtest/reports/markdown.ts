import { percent } from '../judge.js';
import type { LoadTestReport, SloOutcome } from './report.js';

const ICON: Readonly<Record<SloOutcome['verdict'], string>> = { held: '✅ held', broken: '❌ broken', 'not judged': '⚠️ not judged' };
const HEADLINE: Readonly<Record<LoadTestReport['verdict'], string>> = { pass: '✅ every SLO held', fail: '❌ an SLO broke', error: '⚠️ the run could not be judged' };
const CHART_POINTS = 60;

/** A pull-request comment: the verdict, each SLO against its objective, the reasons, and a chart of the run. */
export function markdownReport(report: LoadTestReport): string {
  const lines = [
    `## Load gate \`${report.profile}\`: ${HEADLINE[report.verdict]}`,
    '',
    `${report.engine.requests} requests to ${report.target} in ${report.duration_s} s (${report.started_at}${report.stopped_early ? `; stopped early: ${report.stopped_early}` : ''}).`,
    '',
  ];
  if (report.reasons.length > 0) lines.push(...report.reasons.map((reason) => `- ${reason}`), '');
  lines.push('| service | SLO | threshold (k6) | measured | bad events (client / server) | requests | verdict |', '|---|---|---|---|---|---|---|');
  for (const slo of report.slos) {
    const measured = slo.k6.measured === null ? 'no data' : slo.k6.key.startsWith('http_req_failed') ? percent(slo.k6.measured) : `${slo.k6.measured.toFixed(1)} ms`;
    const bad = `${slo.error_ratio === null ? '-' : percent(slo.error_ratio)} / ${slo.server_error_ratio === null ? '-' : percent(slo.server_error_ratio)}${slo.disagreement ? ' (disagree)' : ''}`;
    lines.push(`| ${slo.service} | ${slo.slo} | \`${slo.k6.expression}\` | ${measured} | ${bad} | ${slo.requests} | ${ICON[slo.verdict]} |`);
  }
  if (report.capacity) {
    const { capacity } = report;
    lines.push('', `**Knee:** ${capacity.knee_rps === null ? 'below the first step' : `${capacity.at_least ? 'at least ' : ''}${capacity.knee_rps.toFixed(0)} req/s`} against ${capacity.target_rps.toFixed(0)} req/s, ten times the peak (headroom ${capacity.headroom === null ? '-' : `${capacity.headroom.toFixed(2)}x`}).`, '');
    lines.push('| step | req/s | verdict |', '|---|---|---|');
    capacity.steps.forEach((step, index) => lines.push(`| ${index + 1} (${step.scale.toFixed(2)}x peak) | ${step.rps.toFixed(0)} | ${step.verdict}${step.reasons[0] ? `: ${step.reasons[0]}` : ''} |`));
  }
  const chart = timelineChart(report);
  if (chart) lines.push('', chart);
  return `${lines.join('\n')}\n`;
}

/** Requests per second and p95 over the run, as a Mermaid chart (GitHub renders it in a comment). */
function timelineChart(report: LoadTestReport): string | undefined {
  const seconds = report.timeline;
  if (seconds.length < 2) return undefined;
  const size = Math.ceil(seconds.length / CHART_POINTS);
  const buckets = Array.from({ length: Math.ceil(seconds.length / size) }, (_, index) => seconds.slice(index * size, (index + 1) * size));
  const rps = buckets.map((bucket) => bucket.reduce((sum, s) => sum + s.requests, 0) / bucket.length);
  const p95 = buckets.map((bucket) => Math.max(0, ...bucket.map((s) => s.p95_ms ?? 0)));
  const axis = buckets.map((_, index) => `"${index * size}s"`);
  return [chart(`p95 latency (ms) per ${size} s`, axis, 'ms', 'line', p95), chart('requests per second', axis, 'req/s', 'bar', rps)].join('\n\n');
}

function chart(title: string, axis: readonly string[], unit: string, kind: 'line' | 'bar', values: readonly number[]): string {
  return ['```mermaid', 'xychart-beta', `  title "${title}"`, `  x-axis [${axis.join(', ')}]`, `  y-axis "${unit}"`, `  ${kind} [${values.map((v) => v.toFixed(1)).join(', ')}]`, '```'].join('\n');
}
