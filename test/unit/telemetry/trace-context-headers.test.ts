import { ROOT_CONTEXT, TraceFlags, defaultTextMapSetter, trace, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator, TraceState } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { injectTraceContext } from '../../../src/telemetry/trace-context-headers.js';

const propagator = new W3CTraceContextPropagator();

function bySdk(spanContext: SpanContext): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), headers, defaultTextMapSetter);
  return headers;
}

function byGateway(spanContext: SpanContext): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  injectTraceContext(spanContext, headers);
  return headers;
}

const valid = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

describe('injectTraceContext writes what the W3C propagator writes', () => {
  it.each([
    ['a sampled span', { ...valid, traceFlags: TraceFlags.SAMPLED }],
    ['a sampled-out span', { ...valid, traceFlags: TraceFlags.NONE }],
    ['flags beyond sampled', { ...valid, traceFlags: 0x0b }],
    ['a span with trace state', { ...valid, traceFlags: TraceFlags.SAMPLED, traceState: new TraceState('vendor=abc,other=1') }],
    ['an invalid trace id (nothing)', { traceId: '00000000000000000000000000000000', spanId: valid.spanId, traceFlags: TraceFlags.SAMPLED }],
    ['an invalid span id (nothing)', { traceId: valid.traceId, spanId: 'not-hex', traceFlags: TraceFlags.SAMPLED }],
  ])('for %s', (_name, spanContext: SpanContext) => {
    expect(byGateway(spanContext)).toEqual(bySdk(spanContext));
  });

  it('for every flags value of one hex digit, and two digits above it', () => {
    for (let flags = 0; flags < 16; flags++) expect(byGateway({ ...valid, traceFlags: flags })).toEqual(bySdk({ ...valid, traceFlags: flags }));
    expect(byGateway({ ...valid, traceFlags: 0xff }).traceparent).toBe(`00-${valid.traceId}-${valid.spanId}-ff`);
  });
});
