import { BURN_RATE_TIERS } from '../catalog/burn-rate.js';
import { burnAlertName } from '../catalog/conventions.js';
import type { Caller } from './auth.js';
import { allows } from './auth.js';
import { pct, usd } from '../cost/markdown.js';
import type { CostReport } from '../cost/report.js';
import type { Incident } from './incidents.js';
import type { StoredReport } from './reports.js';
import type { ResponseTimes } from './response-times.js';
import type { SloStatus, SloStatusReport } from './slo-status.js';

/**
 * The status page, rendered on the server: plain HTML and CSS, readable without JavaScript, with
 * forms for the acknowledge buttons. Every value is escaped where it is written.
 */
export interface StatusPageData {
  readonly caller: Caller;
  readonly slos: SloStatusReport | { readonly error: string };
  readonly incidents: readonly Incident[];
  readonly responseTimes: ResponseTimes;
  readonly reports: readonly StoredReport[];
  /** Undefined for a catalog without a cost section. */
  readonly cost: CostReport | undefined;
  readonly now: number;
}

/** Escapes text for HTML content and attribute values. */
export function escape(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:center}
header h1{font-size:18px;margin:0}header form{display:inline}
main{padding:16px 24px;max-width:1400px}section{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin-bottom:16px;padding:12px 16px}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:middle}
th{font-weight:600;color:#57606a}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pills{display:flex;flex-wrap:wrap;gap:2px}
.bar{width:120px;height:10px;background:#eaeef2;border-radius:5px;overflow:hidden;display:inline-block;vertical-align:middle}
.bar span{display:block;height:100%}.bar.cost{width:320px;position:relative}.bar.cost i{position:absolute;top:0;bottom:0;width:2px;background:#24292f}.ok{background:#2da44e}.warn{background:#d4a72c}.bad{background:#cf222e}
.pill{border-radius:10px;padding:1px 8px;font-size:12px;color:#fff}.critical{background:#cf222e}.warning{background:#d4a72c}
.met{color:#1a7f37;font-weight:600}.missed{color:#cf222e;font-weight:600}.muted{color:#57606a}
button{font:inherit;padding:2px 10px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer}
svg{vertical-align:middle}`;

/** How often the status page reloads itself: about two scrapes of a 15 s interval. */
const REFRESH_SECONDS = 30;

function page(title: string, body: string, refresh = false): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${refresh ? `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">` : ''}
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}

export function renderLogin(message: string | undefined): string {
  return page('Sign in · PyAirtable SRE control plane', `<header><h1>PyAirtable SRE control plane</h1></header>
<main><section><h2>Sign in</h2>${message ? `<p class="missed">${escape(message)}</p>` : ''}
<form method="post" action="/login"><label>API key <input type="password" name="api_key" autocomplete="current-password" required></label> <button type="submit">Sign in</button></form>
<p class="muted">The key is kept in a cookie that scripts cannot read, for this site only.</p></section></main>`);
}

export function renderStatusPage(data: StatusPageData): string {
  const { caller, now } = data;
  return page('PyAirtable SRE control plane', `<header><h1>PyAirtable SRE control plane</h1>
<div><span class="muted">${escape(caller.id)} (${escape(caller.role)})</span> <form method="post" action="/logout"><button type="submit">Sign out</button></form></div></header>
<main>
${sloSection(data.slos)}
${incidentSection(data.incidents, caller, now)}
${responseSection(data.responseTimes)}
${data.cost ? costSection(data.cost) : ''}
${reportSection(data.reports)}
<p class="muted">Rendered ${escape(new Date(now).toISOString())}. JSON: <a href="/api/slos">/api/slos</a>, <a href="/api/incidents">/api/incidents</a>, <a href="/api/response-times">/api/response-times</a>, <a href="/api/cost">/api/cost</a>.</p>
</main>`, true);
}

function sloSection(slos: StatusPageData['slos']): string {
  if ('error' in slos) return `<section id="slos"><h2>SLOs</h2><p class="missed">No SLO status: ${escape(slos.error)}</p></section>`;
  const rows = slos.slos.map((slo) => `<tr data-service="${escape(slo.service)}" data-slo="${escape(slo.slo)}">
<td>${escape(slo.service)}</td><td>${escape(slo.slo)}</td><td class="num">${percent(slo.objective)}</td>
<td class="num sli-5m">${ratio(slo.sli['5m'])}</td><td class="num sli-1h">${ratio(slo.sli['1h'])}</td><td class="num sli-1d">${ratio(slo.sli['1d'])}</td><td class="num sli-period">${ratio(slo.sli.period)}</td>
<td class="budget">${budgetBar(slo.budget_remaining)}</td><td class="num burn-1h">${burn(slo.burn_rates['1h'])}</td><td>${sparkline(slo)}</td>
<td><div class="pills">${slo.firing.map((name) => {
  const tier = BURN_RATE_TIERS.find((candidate) => burnAlertName(candidate.name) === name);
  return `<span class="pill ${tier?.severity ?? 'critical'}" title="${escape(name)}">${escape(tier ? `${tier.name} burn` : name)}</span>`;
}).join('')}</div></td></tr>`);
  return `<section id="slos"><h2>SLOs</h2><table>
<thead><tr><th>service</th><th>SLO</th><th class="num">objective</th><th class="num">SLI 5m</th><th class="num">1h</th><th class="num">1d</th><th class="num">period</th><th>error budget left</th><th class="num">burn 1h</th><th>burn rate, 24 h</th><th>firing</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function incidentSection(incidents: readonly Incident[], caller: Caller, now: number): string {
  const rows = incidents.map((incident) => `<tr data-incident="${escape(incident.id)}">
<td><span class="pill ${incident.severity === 'critical' ? 'critical' : 'warning'}">${escape(incident.severity)}</span></td>
<td>${escape(incident.service)}</td><td>${escape(incident.title)}</td><td class="status">${escape(incident.status)}</td>
<td class="num">${duration((now - incident.opened_at) / 1000)}</td>
<td class="num tta">${incident.acknowledged_at === null ? '-' : duration((incident.acknowledged_at - incident.opened_at) / 1000)}</td>
<td>${incident.status === 'open' && allows(caller, 'operator') ? `<form method="post" action="/incidents/${encodeURIComponent(incident.id)}/acknowledge"><button type="submit">Acknowledge</button></form>` : ''}</td></tr>`);
  return `<section id="incidents"><h2>Open incidents (${incidents.length})</h2>${incidents.length === 0 ? '<p class="muted">None.</p>' : `<table>
<thead><tr><th>severity</th><th>service</th><th>incident</th><th>status</th><th class="num">open for</th><th class="num">acknowledged after</th><th></th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`}</section>`;
}

function responseSection(times: ResponseTimes): string {
  const share = times.acknowledged_within_target;
  const target = duration(times.target_seconds);
  return `<section id="response-times"><h2>Response times, last ${times.window_days} days, against ${target}</h2><table>
<tr><th>pages acknowledged within ${target} (objective ${percent(times.objective)})</th><td class="num within-target">${share === null ? '-' : percent(share)}</td><td>${times.met === null ? '<span class="muted">no pages yet</span>' : times.met ? '<span class="met">met</span>' : '<span class="missed">not met</span>'}</td></tr>
${[['time to acknowledge', times.time_to_acknowledge_seconds], ['time to resolve', times.time_to_resolve_seconds], ['time to detect', times.time_to_detect_seconds]]
  .map(([label, p]) => {
    const value = p as ResponseTimes['time_to_acknowledge_seconds'];
    return `<tr><th>${escape(label)}</th><td class="num">p50 ${optionalDuration(value.p50)}, p90 ${optionalDuration(value.p90)}</td><td class="muted">${value.count} incidents</td></tr>`;
  })
  .join('\n')}
</table></section>`;
}

/** Cost against the target: the verdict, baseline and now as bars with the target marked, and each component. */
function costSection(cost: CostReport): string {
  const { totals } = cost;
  const scale = Math.max(totals.baseline_monthly_usd, totals.current_monthly_usd);
  const bar = (value: number, kind: string): string => `<span class="bar cost"><span class="${kind}" style="width:${((value / scale) * 100).toFixed(1)}%"></span><i style="left:${((totals.target_monthly_usd / scale) * 100).toFixed(1)}%" title="target"></i></span>`;
  const verdict = cost.verdict === 'met' ? '<span class="met">met</span>' : cost.verdict === 'not met' ? '<span class="missed">not met</span>' : `<span class="missed" title="${escape(cost.problems.join('; '))}">inputs inconsistent</span>`;
  const rows = cost.components.map((row) => `<tr data-component="${escape(row.component)}"><td>${escape(row.component)}</td><td class="muted">${escape(row.consolidates.join(', ') || '-')}</td><td class="num">${usd(row.baseline_monthly_usd)}</td><td class="num">${usd(row.current_monthly_usd)}</td><td class="num">${pct(row.reduction_percent)}</td><td class="num">${usd(row.unit_cost?.usd_per_1k_requests, 5)}</td><td class="num">${usd(row.unit_cost?.usd_per_1k_good_requests, 5)}</td></tr>`);
  return `<section id="cost"><h2>Cost against the ${escape(cost.target_reduction_percent)} % target</h2><table>
<tr><th>reduction</th><td class="num reduction">${pct(totals.reduction_percent)}</td><td>${verdict} <span class="muted">(${escape(cost.source)}: ${escape(cost.scope)})</span></td></tr>
<tr><th>${escape(cost.baseline.services)} services before</th><td class="num">${usd(totals.baseline_monthly_usd)} /month</td><td>${bar(totals.baseline_monthly_usd, 'warn')}</td></tr>
<tr><th>consolidated now</th><td class="num">${usd(totals.current_monthly_usd)} /month</td><td>${bar(totals.current_monthly_usd, totals.current_monthly_usd <= totals.target_monthly_usd ? 'ok' : 'bad')} <span class="muted">target at most ${usd(totals.target_monthly_usd)}</span></td></tr>
</table><table>
<thead><tr><th>component</th><th>replaces</th><th class="num">baseline /month</th><th class="num">now /month</th><th class="num">reduction</th><th class="num">per 1k requests</th><th class="num">per 1k good</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function reportSection(reports: readonly StoredReport[]): string {
  return `<section id="reports"><h2>Reports</h2>${reports.length === 0 ? '<p class="muted">None yet: <code>sre loadtest --control-plane URL</code> sends its report here.</p>' : `<table>
<thead><tr><th>received</th><th>kind</th><th>report</th><th>verdict</th></tr></thead><tbody>
${reports.map((report) => `<tr><td>${escape(new Date(report.received_at).toISOString().replace('T', ' ').slice(0, 19))}</td><td>${escape(report.kind)}</td><td><a href="/api/reports/${encodeURIComponent(report.id)}">${escape(report.title)}</a></td><td>${escape(report.verdict ?? '-')}</td></tr>`).join('\n')}
</tbody></table>`}</section>`;
}

/** Burn rate over the last day as an inline SVG polyline, the page threshold (14.4) dashed. */
function sparkline(slo: SloStatus): string {
  const points = slo.history ?? [];
  if (points.every((p) => p === null)) return '<span class="muted">-</span>';
  const width = 120;
  const height = 24;
  const top = Math.max(14.4, ...points.map((p) => p ?? 0));
  const path = points.map((p, index) => (p === null ? undefined : `${((index / Math.max(1, points.length - 1)) * width).toFixed(1)},${(height - (p / top) * height).toFixed(1)}`)).filter((p) => p !== undefined);
  const threshold = (height - (14.4 / top) * height).toFixed(1);
  return `<svg class="sparkline" width="${width}" height="${height}" role="img" aria-label="burn rate over 24 hours"><line x1="0" x2="${width}" y1="${threshold}" y2="${threshold}" stroke="#cf222e" stroke-dasharray="3,3"/><polyline fill="none" stroke="#0969da" stroke-width="1.5" points="${path.join(' ')}"/></svg>`;
}

function budgetBar(remaining: number | null): string {
  if (remaining === null) return '<span class="muted">-</span>';
  const share = Math.max(0, Math.min(1, remaining));
  const tone = remaining <= 0 ? 'bad' : remaining < 0.25 ? 'warn' : 'ok';
  return `<span class="bar" title="${percent(remaining)}"><span class="${tone}" style="width:${(share * 100).toFixed(1)}%"></span></span> <span class="num">${percent(remaining)}</span>`;
}

function ratio(value: number | null | undefined): string {
  return value === null || value === undefined ? '<span class="muted">-</span>' : `${(value * 100).toFixed(3)} %`;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(value >= 0.999 || value <= -0.999 ? 2 : 1)} %`;
}

function burn(value: number | null | undefined): string {
  return value === null || value === undefined ? '<span class="muted">-</span>' : `<span class="${value >= 14.4 ? 'missed' : ''}">${value.toFixed(2)}x</span>`;
}

function optionalDuration(seconds: number | null): string {
  return seconds === null ? '-' : duration(seconds);
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
