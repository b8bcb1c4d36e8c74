import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DroppedSpansLog } from '../../../src/telemetry/dropped-spans-log.js';

function capture(): { lines: Record<string, unknown>[]; dropped: DroppedSpansLog } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, dropped: new DroppedSpansLog(pino(sink), 2048, 10_000) };
}

describe('the dropped-spans log', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('logs the first drop at once, then one line a window with the total dropped meanwhile', () => {
    const { lines, dropped } = capture();
    dropped.add(100, 'queue_full');
    dropped.add(50, 'queue_full');
    dropped.add(25, 'queue_full');
    expect(lines.map((line) => line.dropped_spans)).toEqual([100]);
    vi.advanceTimersByTime(10_000);
    expect(lines.map((line) => line.dropped_spans)).toEqual([100, 75]);
    expect(lines[1]).toMatchObject({ level: 40, reason: 'queue_full', max_queue_size: 2048 });
  });

  it('says nothing in a window without drops, and logs the next drop at once', () => {
    const { lines, dropped } = capture();
    dropped.add(3, 'queue_full');
    vi.advanceTimersByTime(30_000);
    expect(lines).toHaveLength(1);
    dropped.add(7, 'queue_full');
    expect(lines.map((line) => line.dropped_spans)).toEqual([3, 7]);
  });

  it('keeps a window for each reason: failed exports are logged even while queue drops wait for their window', () => {
    const { lines, dropped } = capture();
    dropped.add(10, 'queue_full');
    dropped.add(512, 'export_failed');
    dropped.add(5, 'queue_full');
    dropped.add(512, 'export_failed');
    expect(lines.map((line) => [line.reason, line.dropped_spans])).toEqual([['queue_full', 10], ['export_failed', 512]]);
    vi.advanceTimersByTime(10_000);
    expect(lines.map((line) => [line.reason, line.dropped_spans])).toEqual([['queue_full', 10], ['export_failed', 512], ['queue_full', 5], ['export_failed', 512]]);
    expect(String(lines[1]?.msg)).toContain('collector refused');
  });
});
