import { Worker } from 'node:worker_threads';
import { TraceFlags } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ExportWorkerData, FromExportWorker, ToExportWorker } from './span-export-messages.js';
import { noSpansDropped, type ReportedSpanDropReason, type SpansDropped } from './span-drops.js';
import { SpanBatchWriter, toResourceRecord, toScopeRecord, type ScopeRecord, type SpanBatch } from './span-batch.js';
import type { TracingConfig } from './tracing-config.js';

/**
 * Spans per message to the worker, and the longest a span waits on the main thread for one: 64
 * spans make a pause of about 0.1 ms (docs/adr/0001-span-export-worker-thread.md).
 */
export const TRANSFER_BATCH_SIZE = 64;
export const TRANSFER_DELAY_MS = 100;

/** What the gateway hears from its span processor. */
export interface SpanExportEvents {
  /** Told once if the worker dies (its exporter failed to load, say): spans are dropped from then on. */
  onFailure(error: Error): void;
  /**
   * Told of spans dropped, except those lost with a dead worker (onFailure tells of that). Spans
   * dropped here because the worker fell behind are told once it has caught up, in one count.
   */
  onDropped(count: number, reason: ReportedSpanDropReason): void;
}

/**
 * A span processor that hands ended, sampled spans to a worker thread, where the SDK's
 * BatchSpanProcessor and the configured exporter run (span-export-worker.ts). The gateway's
 * event loop, which every proxied request waits on, then pays neither OTLP serialization nor
 * the export requests, and never blocks for a batch.
 *
 * The worker runs below the event loop's priority, so under sustained load it can fall behind. Spans it
 * has not read yet count against the SDK's queue bound (OTEL_BSP_MAX_QUEUE_SIZE) here as they do
 * in its BatchSpanProcessor: past it new spans are dropped, as the SDK drops them, rather than
 * piling up in the message port, until the worker has read down to half the bound. Every dropped
 * span is counted by reason (span-drops.ts), here or in the worker, which tells its counts.
 */
export class WorkerSpanProcessor implements SpanProcessor {
  private readonly worker: Worker;
  private readonly batch = new SpanBatchWriter();
  private readonly resourceIds = new Map<Resource, number>();
  private readonly scopeIds = new Map<InstrumentationScope, number>();
  private newResources: Resource[] = [];
  private newScopes: ScopeRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Set while a new resource's asynchronous attributes settle: posts queue behind it, in order. */
  private posting: Promise<void> | undefined;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  /** Spans posted to the worker that it has not read yet. */
  private unread = 0;
  private dropping = false;
  private readonly dropped = noSpansDropped();
  /** Spans dropped here for the bound that the events have not been told of yet. */
  private unreportedQueueFull = 0;
  private nextRequestId = 1;
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly config: TracingConfig,
    private readonly events: SpanExportEvents,
    workerUrl = new URL('./span-export-worker.js', import.meta.url),
  ) {
    this.worker = new Worker(workerUrl, { workerData: { config } satisfies ExportWorkerData });
    // The worker must not keep a gateway alive that has nothing else to do.
    this.worker.unref();
    this.worker.on('message', (message: FromExportWorker) => {
      if (message.type === 'read') {
        this.read(message.count);
        return;
      }
      if (message.type === 'dropped') {
        this.dropped[message.reason] += message.count;
        this.events.onDropped(message.count, message.reason);
        return;
      }
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error === undefined) waiter?.resolve();
      else waiter?.reject(new Error(`span export worker: ${message.error}`));
    });
    this.worker.on('error', (error) => {
      this.fail(error);
    });
    this.worker.on('exit', (code) => {
      this.fail(new Error(`span export worker exited with code ${code}`));
    });
  }

  /** Sampled spans dropped so far, by reason. */
  get spansDropped(): SpansDropped {
    return { ...this.dropped };
  }

  onStart(): void {
    // Nothing to do until a span ends.
  }

  onEnd(span: ReadableSpan): void {
    if (this.closed || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    // After a failure spans are dropped, not kept: nothing would ever take them.
    if (this.failure !== undefined) {
      this.dropped.worker_failed++;
      return;
    }
    if (this.dropping || this.unread + this.batch.size >= this.config.maxQueueSize) {
      this.dropping = true;
      this.dropped.queue_full++;
      this.unreportedQueueFull++;
      return;
    }
    this.batch.write(span, this.resourceId(span.resource), this.scopeId(span.instrumentationScope));
    if (this.batch.size >= TRANSFER_BATCH_SIZE) {
      this.post();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => { this.post(); }, TRANSFER_DELAY_MS);
      this.timer.unref();
    }
  }

  /** Resolves when every span ended so far has been exported (or the export has failed). */
  async forceFlush(): Promise<void> {
    this.post();
    await this.ask('flush');
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.post();
    this.closed = true;
    this.reportDropped();
    try {
      await this.ask('shutdown');
    } finally {
      await this.worker.terminate();
    }
  }

  private resourceId(resource: Resource): number {
    let id = this.resourceIds.get(resource);
    if (id === undefined) {
      id = this.resourceIds.size + 1;
      this.resourceIds.set(resource, id);
      this.newResources.push(resource);
    }
    return id;
  }

  private scopeId(scope: InstrumentationScope): number {
    let id = this.scopeIds.get(scope);
    if (id === undefined) {
      id = this.scopeIds.size + 1;
      this.scopeIds.set(scope, id);
      this.newScopes.push(toScopeRecord(id, scope));
    }
    return id;
  }

  private post(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.size === 0 || this.failure !== undefined) return;
    const batch = this.batch.take();
    const resources = this.newResources;
    const scopes = this.newScopes;
    this.newResources = [];
    this.newScopes = [];
    const pending = resources.filter((resource) => resource.asyncAttributesPending);
    if (this.posting === undefined && pending.length === 0) {
      this.send(batch, resources, scopes);
      return;
    }
    // Reading a resource's attributes before its detectors settle would export it incomplete;
    // batches after it wait their turn, so the worker learns of every resource before its spans.
    const posting = (this.posting ?? Promise.resolve())
      .then(() => Promise.all(pending.map((resource) => resource.waitForAsyncAttributes?.() ?? Promise.resolve())))
      .then(() => {
        this.send(batch, resources, scopes);
      })
      .finally(() => {
        if (this.posting === posting) this.posting = undefined;
      });
    this.posting = posting;
  }

  private send(batch: SpanBatch, resources: readonly Resource[], scopes: readonly ScopeRecord[]): void {
    const resourceRecords = resources.map((resource) => toResourceRecord(this.resourceIds.get(resource) ?? 0, resource));
    this.worker.postMessage({ type: 'spans', batch, resources: resourceRecords, scopes } satisfies ToExportWorker);
    this.unread += batch.count;
  }

  private read(count: number): void {
    this.unread -= count;
    if (this.dropping && this.unread <= this.config.maxQueueSize / 2) this.reportDropped();
  }

  private reportDropped(): void {
    this.dropping = false;
    const count = this.unreportedQueueFull;
    this.unreportedQueueFull = 0;
    if (count > 0) this.events.onDropped(count, 'queue_full');
  }

  private async ask(type: 'flush' | 'shutdown'): Promise<void> {
    await this.posting;
    if (this.failure !== undefined) throw this.failure;
    const id = this.nextRequestId++;
    const answered = new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
    });
    this.worker.postMessage({ type, id } satisfies ToExportWorker);
    await answered;
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    // Lost: the spans waiting here, and those posted that the worker never read.
    this.dropped.worker_failed += this.batch.take().count + this.unread;
    this.unread = 0;
    if (!this.closed) this.events.onFailure(error);
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
