import type { ChaosJournal, PhaseResult } from './journal.js';
import { mergeInjections, pct } from './runner.js';
import { provenBelow } from './slis.js';

export const CHAOS_REPORT_SCHEMA = 'pyairtable-sre/chaos-report';

/** What the control plane keeps of a run: its verdict and when each fault began, by service. */
export function controlPlaneReport(journal: ChaosJournal): Record<string, unknown> {
  return {
    schema: CHAOS_REPORT_SCHEMA,
    version: 1,
    title: journal.experiment.title,
    started_at: journal.started_at,
    verdict: journal.verdict ?? 'not run',
    faults: journal.injections.filter((i) => i.injected_at !== null).map((i) => ({ service: i.service, started_at: i.injected_at })),
    journal,
  };
}

/** The Markdown report: the hypothesis, what was injected when, SLIs before, during and after, the verdict. */
export function chaosMarkdown(journal: ChaosJournal): string {
  const phase = (name: PhaseResult['phase']): PhaseResult | undefined => journal.phases.filter((p) => p.phase === name).at(-1);
  const steady = phase('steady-state');
  const recovery = phase('recovery');
  const injection = mergeInjections(journal.phases.filter((p) => p.phase === 'injection'));
  const breaks = new Set(journal.experiment.expect_breaks);
  const rows = (steady?.slos ?? []).map((w) => {
    const during = injection?.slos.find((x) => x.slo === w.slo) ?? { ...w, requests: 0, good: 0, sli: null, upper: null };
    const after = recovery?.slos.find((x) => x.slo === w.slo);
    const expected = breaks.has(w.slo) ? 'burns' : 'holds';
    const ok = breaks.has(w.slo) ? provenBelow(during) : !provenBelow(during);
    return `| ${w.slo} | ${pct(w.objective)} | ${pct(w.sli)} | ${pct(during.sli)} (${during.requests} req) | ${pct(after?.sli ?? null)} | ${expected} | ${ok ? 'yes' : '**no**'} |`;
  });
  const touched = Object.keys(journal.timeline.find((t) => Object.keys(t.slis).length > 0)?.slis ?? {});
  const points = journal.timeline;
  const chart = touched.length === 0 || points.length === 0 ? [] : [
    '```mermaid',
    'xychart-beta',
    `  title "SLI per second of ${journal.experiment.touched.join(', ')} (good share; faults from ${points.findIndex((p) => p.phase === 'injection')} s to ${points.findLastIndex((p) => p.phase === 'injection')} s)"`,
    `  x-axis "seconds" 0 --> ${points.length}`,
    '  y-axis "good share" 0 --> 1',
    ...touched.map((slo) => `  line [${carriedForward(points.map((p) => p.slis[slo] ?? null)).map((v) => v.toFixed(3)).join(', ')}]`),
    '```',
    '',
    `Lines, in order: ${touched.join(', ')} (a second without requests, or without a new scrape when the SLIs come from Prometheus, repeats the last value).`,
    '',
  ];
  return [
    `# Chaos: ${journal.experiment.title}`,
    '',
    `**Verdict: ${journal.verdict === 'held' ? 'the hypothesis held' : journal.verdict === 'not held' ? 'the hypothesis did NOT hold' : 'not run'}.**${journal.reasons.length > 0 ? ` ${journal.reasons.join('; ')}` : ''}`,
    '',
    `> ${journal.experiment.description.trim().replace(/\n/g, '\n> ')}`,
    '',
    `Experiment \`${journal.experiment.file}\`, started ${journal.started_at}, ended ${journal.ended_at ?? '-'}; SLIs from ${journal.sli_source}.`,
    '',
    '## What was injected',
    '',
    ...(journal.injections.length === 0 ? ['Nothing.'] : journal.injections.map((i) => `- ${i.injected_at ?? 'never'}: ${i.action} (${i.service})${i.detail ? `: ${i.detail}` : ''}; rolled back ${i.rolled_back_at ?? '**not yet**'}`)),
    ...(journal.aborted ? ['', `Aborted: ${journal.aborted}.`] : []),
    '',
    '## SLIs before, during and after',
    '',
    'An SLO counts as broken when even the upper end of the 95 % Wilson interval of its good share, given the requests counted, is under its objective.',
    '',
    '| SLO | objective | steady state | during the faults | after the rollback | expected | as expected |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...chart,
    '## The gateway while the faults were in',
    '',
    ...resilienceLines(journal),
    '',
    '## Alerts',
    '',
    ...alertLines(journal),
    '',
  ].join('\n');
}

/** A second without a value (no requests, or no new scrape) shows the last value; 1 before the first. */
function carriedForward(values: readonly (number | null)[]): number[] {
  let last = 1;
  return values.map((value) => (last = value ?? last));
}

function resilienceLines(journal: ChaosJournal): string[] {
  const services = Object.entries(journal.resilience);
  if (services.length === 0) return ['Not measured (nothing was injected).'];
  const counts = (record: Readonly<Record<string, number>>): string => Object.entries(record).map(([key, n]) => `${key}: ${n}`).join(', ') || '-';
  return [
    '| service | over | requests | retries | 5xx answered | failed fast | past the timeout |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...services.map(([service, w]) => `| ${service} | ${Math.round(w.seconds)} s | ${w.requests} | ${w.retries} | ${counts(w.errors)} | ${counts(w.rejected)} | ${w.pastTimeout ?? 'no histogram boundary past it'} |`),
  ];
}

function alertLines(journal: ChaosJournal): string[] {
  if (journal.alerts_source === null) return ['Not watched: `sre chaos run --prometheus URL` reads the alerts the faults fire.'];
  const first = journal.injections.find((i) => i.injected_at !== null)?.injected_at;
  const after = (at: string): string => {
    if (!first) return '';
    const seconds = Math.round((Date.parse(at) - Date.parse(first)) / 1000);
    return seconds < 0 ? ' (firing before the faults)' : ` (${seconds} s after the first injection)`;
  };
  const fired = journal.alerts.map((a) => `- ${a.alertname} (${a.severity}) for ${a.service}${a.slo ? `/${a.slo}` : ''}: active since ${a.active_at}, seen firing ${a.firing_seen_at}${after(a.firing_seen_at)}, last seen ${a.last_seen_at}`);
  const checks = journal.alert_checks.map((c) => {
    const ok = c.fired_after_ms !== null && c.fired_after_ms <= c.within_ms;
    return `- expected ${c.alert} for ${c.slo} within ${(c.within_ms / 60_000).toFixed(1)} min${c.burn_rate === null ? '' : ` (burn measured ${c.burn_rate.toFixed(1)}x)`}: ${c.fired_after_ms === null ? 'did not fire' : `fired after ${Math.round(c.fired_after_ms / 1000)} s`}, ${ok ? 'as expected' : '**not as expected**'}`;
  });
  return [`From ${journal.alerts_source}.`, '', ...(fired.length === 0 ? ['None of the catalog\'s alerts fired.'] : fired), ...(checks.length === 0 ? [] : ['', ...checks])];
}
