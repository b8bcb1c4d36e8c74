import type { ResourceRecord, ScopeRecord, SpanBatch } from './span-batch.js';
import type { ReportedSpanDropReason } from './span-drops.js';
import type { TracingConfig } from './tracing-config.js';

/** What the main thread tells the span export worker. */
export type ToExportWorker =
  | { readonly type: 'spans'; readonly batch: SpanBatch; readonly resources: readonly ResourceRecord[]; readonly scopes: readonly ScopeRecord[] }
  | { readonly type: 'flush' | 'shutdown'; readonly id: number };

/**
 * The worker's answer to a flush or shutdown, its word that it has read a batch of spans, or
 * spans it dropped: past its queue bound, or in a batch whose export failed.
 */
export type FromExportWorker =
  | { readonly type: 'done'; readonly id: number; readonly error?: string }
  | { readonly type: 'read'; readonly count: number }
  | { readonly type: 'dropped'; readonly reason: ReportedSpanDropReason; readonly count: number };

export interface ExportWorkerData {
  readonly config: TracingConfig;
}

/** The worker thread's nice value; the gateway's main thread keeps its own (normally 0). */
export const EXPORT_WORKER_NICE = 5;
