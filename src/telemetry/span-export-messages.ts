import type { ResourceRecord, ScopeRecord, SpanBatch } from './span-batch.js';
import type { TracingConfig } from './tracing-config.js';

/** What the main thread tells the span export worker. */
export type ToExportWorker =
  | { readonly type: 'spans'; readonly batch: SpanBatch; readonly resources: readonly ResourceRecord[]; readonly scopes: readonly ScopeRecord[] }
  | { readonly type: 'flush' | 'shutdown'; readonly id: number };

/** The worker's answer to a flush or shutdown. */
export interface FromExportWorker {
  readonly type: 'done';
  readonly id: number;
  readonly error?: string;
}

export interface ExportWorkerData {
  readonly config: TracingConfig;
}
