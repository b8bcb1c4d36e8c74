import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { tracingConfigFromEnv } from '../../../src/telemetry/tracing-config.js';
import { TRANSFER_BATCH_SIZE, WorkerSpanProcessor } from '../../../src/telemetry/worker-span-processor.js';
import { waitFor } from '../../helpers/wait.js';

// Workers from data: URLs stand in for the export worker, which runs from the build (dist/).
const dyingWorker = new URL(`data:text/javascript,${encodeURIComponent('throw new Error("exporter failed to load");')}`);
const answeringWorker = new URL(`data:text/javascript,${encodeURIComponent(`
  import { parentPort } from 'node:worker_threads';
  parentPort.on('message', (message) => { if (message.type !== 'spans') parentPort.postMessage({ type: 'done', id: message.id }); });
`)}`);
// Reads every batch, and says it dropped a few of them: as the real worker does when its queue is full or an export fails.
const droppingWorker = new URL(`data:text/javascript,${encodeURIComponent(`
  import { parentPort } from 'node:worker_threads';
  parentPort.on('message', (message) => {
    if (message.type === 'spans') {
      parentPort.postMessage({ type: 'read', count: message.batch.count });
      parentPort.postMessage({ type: 'dropped', reason: 'queue_full', count: 2 });
      parentPort.postMessage({ type: 'dropped', reason: 'export_failed', count: message.batch.count });
      return;
    }
    parentPort.postMessage({ type: 'done', id: message.id });
  });
`)}`);
// Reads nothing until asked to flush: a worker that has fallen behind, then catches up at once.
const laggingWorker = new URL(`data:text/javascript,${encodeURIComponent(`
  import { parentPort } from 'node:worker_threads';
  let unread = 0;
  parentPort.on('message', (message) => {
    if (message.type === 'spans') { unread += message.batch.count; return; }
    if (unread > 0) parentPort.postMessage({ type: 'read', count: unread });
    unread = 0;
    parentPort.postMessage({ type: 'done', id: message.id });
  });
`)}`);

function sampledSpan(): ReadableSpan {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'pyairtable-gateway' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.getTracer('pyairtable-sre').startSpan('GET /api/workspaces').end();
  const [span] = exporter.getFinishedSpans();
  if (!span) throw new Error('the in-memory exporter kept no span');
  return span;
}

describe('the worker span processor', () => {
  it('reports a worker that dies once, and then fails flushes with its error instead of hanging', async () => {
    const failures: Error[] = [];
    const processor = new WorkerSpanProcessor(tracingConfigFromEnv({}), { onFailure: (error) => failures.push(error), onDropped: () => undefined }, dyingWorker);
    await waitFor('the dying worker to be reported', 5_000, () => (failures.length > 0 ? failures : undefined), 25);
    expect(failures.map((error) => error.message)).toEqual(['exporter failed to load']);
    await expect(processor.forceFlush()).rejects.toThrow('exporter failed to load');
    // Nothing will ever export them: counted, not kept.
    const span = sampledSpan();
    for (let i = 0; i < 3; i++) processor.onEnd(span);
    expect(processor.spansDropped).toEqual({ queue_full: 0, export_failed: 0, worker_failed: 3 });
    await processor.shutdown().catch(() => undefined);
    expect(failures).toHaveLength(1);
  });

  it('resolves a flush when the worker answers it, and shuts down without reporting a failure', async () => {
    const failures: Error[] = [];
    const processor = new WorkerSpanProcessor(tracingConfigFromEnv({}), { onFailure: (error) => failures.push(error), onDropped: () => undefined }, answeringWorker);
    await processor.forceFlush();
    await processor.shutdown();
    expect(failures).toEqual([]);
  });

  it('drops spans past OTEL_BSP_MAX_QUEUE_SIZE while the worker has not read them, and reports how many once it has caught up', async () => {
    const dropped: number[] = [];
    const processor = new WorkerSpanProcessor(tracingConfigFromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: '128' }), { onFailure: () => undefined, onDropped: (count, reason) => { if (reason === 'queue_full') dropped.push(count); } }, laggingWorker);
    const span = sampledSpan();
    for (let i = 0; i < 1_000; i++) processor.onEnd(span);
    expect(dropped).toEqual([]);
    expect(processor.spansDropped).toEqual({ queue_full: 1_000 - 128, export_failed: 0, worker_failed: 0 });
    await processor.forceFlush();
    expect(dropped).toEqual([1_000 - 128]);

    for (let i = 0; i < 100; i++) processor.onEnd(span);
    await processor.forceFlush();
    expect(dropped).toEqual([1_000 - 128]);
    expect(processor.spansDropped).toEqual({ queue_full: 1_000 - 128, export_failed: 0, worker_failed: 0 });
    await processor.shutdown();
  });

  it('counts, by reason, the spans the worker says it dropped, and tells each report as it comes', async () => {
    const told: [number, string][] = [];
    const processor = new WorkerSpanProcessor(tracingConfigFromEnv({}), { onFailure: () => undefined, onDropped: (count, reason) => told.push([count, reason]) }, droppingWorker);
    const span = sampledSpan();
    // A full batch is posted at once, without waiting for the transfer delay.
    for (let i = 0; i < TRANSFER_BATCH_SIZE; i++) processor.onEnd(span);
    await waitFor('the worker to report its drops', 5_000, () => (told.length >= 2 ? told : undefined), 25);
    expect(told).toEqual([[2, 'queue_full'], [TRANSFER_BATCH_SIZE, 'export_failed']]);
    expect(processor.spansDropped).toEqual({ queue_full: 2, export_failed: TRANSFER_BATCH_SIZE, worker_failed: 0 });
    await processor.shutdown();
  });
});
