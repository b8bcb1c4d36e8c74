import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SettlingExporter } from '../../../src/telemetry/settling-exporter.js';

/** An exporter that fails every export, as an OTLP exporter does when the collector answers 400. */
class RefusedExporter implements SpanExporter {
  export(_spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    setImmediate(() => { resultCallback({ code: ExportResultCode.FAILED, error: new Error('Bad Request') }); });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const twoSpans = [{} as ReadableSpan, {} as ReadableSpan];

describe('the settling exporter', () => {
  it('tells how many spans an export held and that they were exported, then passes the result on', async () => {
    const settled: [number, boolean][] = [];
    const inner = new InMemorySpanExporter();
    const exporter = new SettlingExporter(inner, (count, exported) => settled.push([count, exported]));
    const result = await new Promise<ExportResult>((resolve) => { exporter.export(twoSpans, resolve); });
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(settled).toEqual([[2, true]]);
    expect(inner.getFinishedSpans()).toHaveLength(2);
  });

  it('tells of a failed export as spans not exported, and passes its error on', async () => {
    const settled: [number, boolean][] = [];
    const exporter = new SettlingExporter(new RefusedExporter(), (count, exported) => settled.push([count, exported]));
    const result = await new Promise<ExportResult>((resolve) => { exporter.export(twoSpans, resolve); });
    expect(result).toMatchObject({ code: ExportResultCode.FAILED, error: { message: 'Bad Request' } });
    expect(settled).toEqual([[2, false]]);
  });
});
