import { isSpanContextValid, type SpanContext } from '@opentelemetry/api';

/** The trace-flags field for each value of the byte: two lowercase hex digits. */
const TRACE_FLAGS = Array.from({ length: 256 }, (_, flags) => flags.toString(16).padStart(2, '0'));

/**
 * Writes the W3C Trace Context headers for a span context, exactly as the SDK's
 * W3CTraceContextPropagator.inject would (the gateway's only propagator: see tracing.ts).
 * The proxy calls this once per request instead of propagation.inject, which reaches the same
 * lines through the global propagation API and a context built only to carry the span, a detour
 * the hot path pays for (docs/performance/methodology.md). Flags are written as two hex digits
 * for every value (the propagator writes "0" and one digit, which differs only above 15).
 */
export function injectTraceContext(spanContext: SpanContext, headers: Record<string, string | string[]>): void {
  if (!isSpanContextValid(spanContext)) return;
  headers.traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${TRACE_FLAGS[spanContext.traceFlags & 0xff] ?? '00'}`;
  if (spanContext.traceState) headers.tracestate = spanContext.traceState.serialize();
}
