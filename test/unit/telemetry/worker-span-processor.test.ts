import { describe, expect, it } from 'vitest';
import { tracingConfigFromEnv } from '../../../src/telemetry/tracing-config.js';
import { WorkerSpanProcessor } from '../../../src/telemetry/worker-span-processor.js';
import { waitFor } from '../../helpers/wait.js';

// Workers from data: URLs stand in for the export worker, which runs from the build (dist/).
const dyingWorker = new URL(`data:text/javascript,${encodeURIComponent('throw new Error("exporter failed to load");')}`);
const answeringWorker = new URL(`data:text/javascript,${encodeURIComponent(`
  import { parentPort } from 'node:worker_threads';
  parentPort.on('message', (message) => { if (message.type !== 'spans') parentPort.postMessage({ type: 'done', id: message.id }); });
`)}`);

describe('the worker span processor', () => {
  it('reports a worker that dies once, and then fails flushes with its error instead of hanging', async () => {
    const failures: Error[] = [];
    const processor = new WorkerSpanProcessor(tracingConfigFromEnv({}), (error) => failures.push(error), dyingWorker);
    await waitFor('the dying worker to be reported', 5_000, () => (failures.length > 0 ? failures : undefined), 25);
    expect(failures.map((error) => error.message)).toEqual(['exporter failed to load']);
    await expect(processor.forceFlush()).rejects.toThrow('exporter failed to load');
    await processor.shutdown().catch(() => undefined);
    expect(failures).toHaveLength(1);
  });

  it('resolves a flush when the worker answers it, and shuts down without reporting a failure', async () => {
    const failures: Error[] = [];
    const processor = new WorkerSpanProcessor(tracingConfigFromEnv({}), (error) => failures.push(error), answeringWorker);
    await processor.forceFlush();
    await processor.shutdown();
    expect(failures).toEqual([]);
  });
});
