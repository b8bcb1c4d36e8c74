import { describe, expect, it } from 'vitest';
import { droppedSpansIn } from '../../../src/bench/dropped-spans.js';

describe('spans dropped, read from a gateway log line', () => {
  it("reads the gateway's own count and the SDK's message, and nothing from other lines", () => {
    expect(droppedSpansIn('{"level":40,"dropped_spans":1980,"max_queue_size":2048,"msg":"spans dropped: the span export worker fell behind"}')).toBe(1980);
    expect(droppedSpansIn('{"level":40,"msg":"opentelemetry: Dropped 12480 spans because maxQueueSize reached"}')).toBe(12480);
    expect(droppedSpansIn('{"level":50,"msg":"upstream dropped the connection"}')).toBe(0);
    expect(droppedSpansIn('Dropped 5 spans, not JSON')).toBe(0);
  });
});
