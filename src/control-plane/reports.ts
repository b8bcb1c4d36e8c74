import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Database } from './store/database.js';

/**
 * Load-test and chaos reports POSTed by `sre loadtest --control-plane` and by chaos experiments: kept whole and listed.
 * A report that says when a fault began on a service (chaos does) gives that service's incident
 * its time to detect.
 */
export const REPORT_SCHEMAS = { 'pyairtable-sre/loadtest-report': 'loadtest', 'pyairtable-sre/chaos-report': 'chaos' } as const;
export type ReportKind = (typeof REPORT_SCHEMAS)[keyof typeof REPORT_SCHEMAS];

const reportSchema = z.looseObject({
  schema: z.enum(Object.keys(REPORT_SCHEMAS) as [keyof typeof REPORT_SCHEMAS], { error: `must be one of ${Object.keys(REPORT_SCHEMAS).join(', ')}` }),
  version: z.number().int().min(1),
  started_at: z.iso.datetime({ offset: true }).optional(),
  verdict: z.string().optional(),
  profile: z.string().optional(),
  title: z.string().optional(),
  /** When each fault began, by service: what a chaos report says of its injections. */
  faults: z.array(z.looseObject({ service: z.string().min(1), started_at: z.iso.datetime({ offset: true }) })).optional(),
});

export type IncomingReport = z.output<typeof reportSchema>;

export interface StoredReport {
  readonly id: string;
  readonly kind: ReportKind;
  readonly received_at: number;
  readonly started_at: number | null;
  readonly verdict: string | null;
  readonly title: string;
}

export function parseReport(body: unknown): { report: IncomingReport } | { problem: string } {
  const parsed = reportSchema.safeParse(body);
  if (parsed.success) return { report: parsed.data };
  const issue = parsed.error.issues[0];
  return { problem: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
}

export class Reports {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  async store(report: IncomingReport): Promise<StoredReport> {
    const stored: StoredReport = {
      id: randomUUID(),
      kind: REPORT_SCHEMAS[report.schema],
      received_at: this.now(),
      started_at: report.started_at ? Date.parse(report.started_at) : null,
      verdict: report.verdict ?? null,
      title: report.title ?? (report.profile ? `${REPORT_SCHEMAS[report.schema]} ${report.profile}` : REPORT_SCHEMAS[report.schema]),
    };
    await this.db.run('INSERT INTO reports (id, kind, received_at, started_at, verdict, title, body) VALUES ($1, $2, $3, $4, $5, $6, $7)', [stored.id, stored.kind, stored.received_at, stored.started_at, stored.verdict, stored.title, JSON.stringify(report)]);
    return stored;
  }

  list(limit = 50): Promise<StoredReport[]> {
    return this.db.query<StoredReport & Record<string, unknown>>('SELECT id, kind, received_at, started_at, verdict, title FROM reports ORDER BY received_at DESC LIMIT $1', [limit]);
  }

  async get(id: string): Promise<unknown> {
    const [row] = await this.db.query<{ body: string }>('SELECT body FROM reports WHERE id = $1', [id]);
    return row ? (JSON.parse(row.body) as unknown) : undefined;
  }
}
