import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { z } from 'zod';
import { SLI_BUCKET, SLI_COUNT } from './conventions.js';
import { parseDuration } from './duration.js';
import { fieldPath, type CatalogProblem } from './errors.js';
import type { SloSpec } from './schema.js';
import { selectorsOf } from '../promql/selectors.js';

/**
 * OpenSLO v1 input: SLO documents with ratioMetric SLIs (inline or by indicatorRef). The SLIs must
 * read the gateway histogram, since every rule here is generated from it: availability is
 * bad = 5xx count over total = count, latency is good = bucket{le} over total = count.
 */
const metricSource = z.object({ metricSource: z.object({ type: z.literal('Prometheus'), spec: z.object({ query: z.string() }) }) });
const ratioMetric = z.object({ counter: z.boolean().optional(), good: metricSource.optional(), bad: metricSource.optional(), total: metricSource });
const sliSpec = z.object({ ratioMetric });
const metadata = z.object({ name: z.string().min(1), displayName: z.string().optional() });

const sliDoc = z.object({ apiVersion: z.literal('openslo/v1'), kind: z.literal('SLI'), metadata, spec: sliSpec });
const sloDoc = z.object({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLO'),
  metadata,
  spec: z.object({
    description: z.string().optional(),
    service: z.string().min(1),
    indicatorRef: z.string().optional(),
    indicator: z.object({ metadata, spec: sliSpec }).optional(),
    timeWindow: z.array(z.object({ duration: z.string(), isRolling: z.boolean().optional() })).length(1).optional(),
    budgetingMethod: z.literal('Occurrences', { error: 'only budgetingMethod Occurrences (ratio of good events) is supported' }),
    objectives: z.array(z.object({ displayName: z.string().optional(), target: z.number().gt(0).lt(1) })).length(1, { error: 'exactly one objective per SLO is supported' }),
  }),
});

export interface OpenSloResult {
  readonly slos: readonly { service: string; slo: SloSpec }[];
  readonly problems: readonly CatalogProblem[];
}

export function readOpenSlo(file: string, services: readonly string[]): OpenSloResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { lineCounter: lines });
  const problems: CatalogProblem[] = [];
  const at = (doc: Document, path: readonly (string | number)[], message: string): void => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0] ?? doc.range?.[0];
    const pos = offset === undefined ? undefined : lines.linePos(offset);
    problems.push({ file, ...(pos ? { line: pos.line, column: pos.col } : {}), field: fieldPath(path), message });
  };
  const slis = new Map<string, z.infer<typeof sliSpec>>();
  const slos: { doc: Document; value: z.infer<typeof sloDoc> }[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      at(doc, [], `invalid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
      continue;
    }
    const raw = doc.toJS() as { kind?: unknown } | null;
    if (raw === null) continue;
    const parsed = raw.kind === 'SLI' ? sliDoc.safeParse(raw) : sloDoc.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) at(doc, issue.path.filter((k): k is string | number => typeof k !== 'symbol'), issue.message);
      continue;
    }
    if (parsed.data.kind === 'SLI') slis.set(parsed.data.metadata.name, parsed.data.spec);
    else slos.push({ doc, value: parsed.data });
  }
  const result: { service: string; slo: SloSpec }[] = [];
  for (const { doc, value } of slos) {
    if (!services.includes(value.spec.service)) {
      at(doc, ['spec', 'service'], `no service "${value.spec.service}" in the catalog; known: ${services.join(', ')}`);
      continue;
    }
    const sli = value.spec.indicator?.spec ?? (value.spec.indicatorRef ? slis.get(value.spec.indicatorRef) : undefined);
    if (!sli) {
      at(doc, ['spec', 'indicatorRef'], `no SLI named "${value.spec.indicatorRef ?? ''}" in ${file}; give an indicator inline or an indicatorRef to an SLI document`);
      continue;
    }
    const objective = Number(((value.spec.objectives[0]?.target ?? 0) * 100).toPrecision(12));
    const period = value.spec.timeWindow?.[0]?.duration;
    const periodMs = period === undefined ? undefined : parseDuration(period);
    if (period !== undefined && periodMs === undefined) at(doc, ['spec', 'timeWindow', 0, 'duration'], `"${period}" is not a duration such as 30d`);
    const common = { objective, ...(value.spec.description ? { description: value.spec.description } : {}), ...(periodMs ? { period: periodMs } : {}) };
    const kind = classify(sli, value.spec.service);
    if (typeof kind === 'string') {
      at(doc, ['spec', value.spec.indicator ? 'indicator' : 'indicatorRef'], kind);
      continue;
    }
    result.push({ service: value.spec.service, slo: kind.id === 'availability' ? { id: 'availability', ...common } : { id: 'latency', threshold: kind.thresholdMs, ...common } });
  }
  return { slos: result, problems };
}

function classify(sli: z.infer<typeof sliSpec>, service: string): { id: 'availability' } | { id: 'latency'; thresholdMs: number } | string {
  const unsupported = `only ratio metrics over ${SLI_COUNT} for service "${service}" are supported: availability (bad: 5xx ${SLI_COUNT}) or latency (good: ${SLI_BUCKET}{le=...})`;
  try {
    const total = selectorsOf(sli.ratioMetric.total.metricSource.spec.query);
    if (!total.some((s) => s.metric === SLI_COUNT && s.matchers.some((m) => m.name === 'service' && m.value === service))) return unsupported;
    if (sli.ratioMetric.bad) {
      const bad = selectorsOf(sli.ratioMetric.bad.metricSource.spec.query);
      const isFiveXx = bad.some((s) => s.metric === SLI_COUNT && s.matchers.some((m) => m.name === 'http_response_status_code' && m.op === '=~' && m.value === '5..'));
      return isFiveXx ? { id: 'availability' } : unsupported;
    }
    const good = selectorsOf(sli.ratioMetric.good?.metricSource.spec.query ?? '');
    const le = good.find((s) => s.metric === SLI_BUCKET)?.matchers.find((m) => m.name === 'le' && m.op === '=');
    const seconds = le ? Number(le.value) : Number.NaN;
    return Number.isFinite(seconds) && seconds > 0 ? { id: 'latency', thresholdMs: Math.round(seconds * 1000) } : unsupported;
  } catch (error) {
    return `SLI query is not valid PromQL: ${(error as Error).message}`;
  }
}

