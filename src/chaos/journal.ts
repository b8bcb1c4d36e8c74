import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FiredAlert } from './alerts.js';
import type { ResilienceCounts } from './resilience.js';
import type { SloWindow } from './slis.js';
import type { Undo } from './providers.js';

/** The journal's format: a reader checks both before trusting the rest. */
export const JOURNAL_FORMAT = { schema: 'pyairtable-sre/chaos-journal', version: 1 } as const;

/** held: the hypothesis held (exit 0); not held (1); not run: the experiment could not run (2). */
export type ChaosVerdict = 'held' | 'not held' | 'not run';

export interface Injection {
  readonly action: string;
  readonly service: string;
  /** Written before the fault goes in: what `sre chaos rollback` undoes after a crash. */
  readonly undo: Undo;
  injected_at: string | null;
  rolled_back_at: string | null;
  /** What the provider says it did: the pods evicted, the object created. */
  detail: string | null;
}

export interface AlertCheck {
  readonly alert: string;
  readonly slo: string;
  /** How soon it had to fire after the first injection. */
  readonly within_ms: number;
  /** The SLO's burn rate over the faults, from which a tier's promise is computed. */
  readonly burn_rate: number | null;
  /** When it was seen firing after the first injection; null: it did not fire. */
  readonly fired_after_ms: number | null;
  /** How long the faults lasted. */
  readonly faults_ms: number;
}

export interface PhaseResult {
  readonly phase: 'steady-state' | 'injection' | 'recovery';
  readonly started_at: string;
  readonly ended_at: string;
  readonly slos: readonly SloWindow[];
}

/**
 * The record of one run, kept on disk from before the first injection on (in the spirit of Chaos
 * Toolkit's journal): its status says whether anything may still be injected.
 */
export interface ChaosJournal {
  readonly schema: typeof JOURNAL_FORMAT.schema;
  readonly version: typeof JOURNAL_FORMAT.version;
  readonly experiment: { readonly title: string; readonly description: string; readonly file: string; readonly touched: readonly string[]; readonly expect_breaks: readonly string[] };
  /** Where the SLIs were read: the gateway's /metrics, or Prometheus. */
  readonly sli_source: string;
  /** Where alerts were read; null when no Prometheus was given. */
  readonly alerts_source: string | null;
  readonly started_at: string;
  status: 'running' | 'rolled back' | 'completed';
  ended_at: string | null;
  injections: Injection[];
  phases: PhaseResult[];
  /** Per-second SLIs of the touched services' SLOs, for the report's chart. */
  timeline: { at: string; phase: string; slis: Record<string, number | null> }[];
  /** What the gateway did for each touched service while the faults were in (retries, errors, rejections). */
  resilience: Record<string, ResilienceCounts & { readonly seconds: number }>;
  /** The catalog's alerts seen firing during the run. */
  alerts: FiredAlert[];
  /** The experiment's expected alerts, checked. */
  alert_checks: AlertCheck[];
  aborted: string | null;
  verdict: ChaosVerdict | null;
  reasons: string[];
}

/** Writes the journal whole, through a temporary file, so that a crash never leaves half of one. */
export function writeJournal(file: string, journal: ChaosJournal): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(journal, null, 2)}\n`);
  renameSync(partial, file);
}

export function readJournal(file: string): ChaosJournal {
  const journal = JSON.parse(readFileSync(file, 'utf8')) as Partial<ChaosJournal>;
  if (journal.schema !== JOURNAL_FORMAT.schema || journal.version !== JOURNAL_FORMAT.version) throw new Error(`${file} is not a chaos journal of version ${JOURNAL_FORMAT.version} (schema ${String(journal.schema)}, version ${String(journal.version)})`);
  return journal as ChaosJournal;
}

/** `<start time>-<title>.json`, as journalFile names them. */
const JOURNAL_NAME = /^\d{4}-\d{2}-\d{2}T[\d-]+Z-.*\.json$/;

export function journalFile(dir: string, startedAt: Date, title: string): string {
  mkdirSync(dir, { recursive: true });
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48);
  return join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}-${slug}.json`);
}

/** Journals in the directory with an injection not rolled back, oldest first. */
export function pendingJournals(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => JOURNAL_NAME.test(name))
    .sort()
    .map((name) => join(dir, name))
    .filter((file) => readJournal(file).injections.some((injection) => injection.rolled_back_at === null));
}
