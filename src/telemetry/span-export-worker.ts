import { parentPort, workerData } from 'node:worker_threads';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { EXPORT_WORKER_NICE, type ExportWorkerData, type FromExportWorker, type ToExportWorker } from './span-export-messages.js';
import { createLogger } from './logger.js';
import { spanExporter } from './span-exporter.js';
import { SettlingExporter } from './settling-exporter.js';
import { ThrottledDiagLogger } from './throttled-diag-logger.js';
import { SpanBatchReader } from './span-batch.js';
import { lowerThisThreadsPriority } from './thread-priority.js';

/**
 * The span export worker: batches, serializes and sends the spans the gateway's main thread
 * posts, with the SDK's own BatchSpanProcessor and exporter (OTEL_BSP_* and OTEL_EXPORTER_OTLP_*
 * apply here as they would in-process). Serializing OTLP costs several microseconds per span,
 * which the main thread, the proxy's bottleneck, no longer pays.
 */
const port = parentPort;
if (!port) throw new Error('span-export-worker runs as a worker thread of the gateway');

const { config } = workerData as ExportWorkerData;
// Export failures surface here, in the worker; they belong in the gateway's log.
const log = createLogger('gateway');
diag.setLogger(new ThrottledDiagLogger(log), DiagLogLevel.WARN);
// Exporting is background work: the event loop should get the core first whenever a request
// wakes it, but not the lowest priority, which starves the worker (docs/adr/0005-export-worker-priority.md).
try {
  lowerThisThreadsPriority(EXPORT_WORKER_NICE);
} catch (error) {
  log.warn({ err: error }, 'the span export worker runs at the gateway\'s priority: lowering it failed');
}
const configured = await spanExporter(config);
if (!configured) throw new Error(`the span export worker has nothing to do with OTEL_TRACES_EXPORTER=${config.exporter}`);
// Spans handed to the batch processor and not yet settled by an export: queued, or in a batch on
// its way. The processor has a bound of its own, but drops past it without a count; this one
// counts, and holds a little less (the batch in flight counts against it too).
let held = 0;
const exporter = new SettlingExporter(configured, (count, exported) => {
  held -= count;
  if (!exported) port.postMessage({ type: 'dropped', reason: 'export_failed', count } satisfies FromExportWorker);
});
const processor = new BatchSpanProcessor(exporter, { maxExportBatchSize: config.exportBatchSize, maxQueueSize: config.maxQueueSize });
const reader = new SpanBatchReader(({ attributes, schemaUrl }) => resourceFromAttributes(attributes, schemaUrl ? { schemaUrl } : {}));

port.on('message', (message: ToExportWorker) => {
  switch (message.type) {
    case 'spans': {
      let dropped = 0;
      for (const span of reader.read(message.batch, message.resources, message.scopes)) {
        if (held >= config.maxQueueSize) {
          dropped++;
          continue;
        }
        held++;
        processor.onEnd(span);
      }
      port.postMessage({ type: 'read', count: message.batch.count } satisfies FromExportWorker);
      if (dropped > 0) port.postMessage({ type: 'dropped', reason: 'queue_full', count: dropped } satisfies FromExportWorker);
      return;
    }
    case 'flush':
      answer(message.id, processor.forceFlush());
      return;
    case 'shutdown':
      answer(message.id, processor.shutdown().finally(() => { log.flush(); }));
      return;
  }
});

function answer(id: number, done: Promise<void>): void {
  done.then(
    () => { port?.postMessage({ type: 'done', id } satisfies FromExportWorker); },
    (error: unknown) => { port?.postMessage({ type: 'done', id, error: error instanceof Error ? error.message : String(error) } satisfies FromExportWorker); },
  );
}
