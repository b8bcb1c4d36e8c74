import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { fromSpanRecord, toResourceRecord, toScopeRecord, toSpanRecord } from '../../../src/telemetry/span-records.js';

function endedSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'pyairtable-gateway' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('pyairtable-sre', '0.1.0');
  const remoteParent: SpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('vendor=a1,other=b2') };
  const linked: SpanContext = { traceId: 'aaaabbbbccccddddeeeeffff00001111', spanId: '1111222233334444', traceFlags: TraceFlags.NONE, traceState: new TraceState('k=v') };
  const server = tracer.startSpan('GET /api/workspaces/{workspaceId}', { kind: SpanKind.SERVER, links: [{ context: linked, attributes: { 'link.reason': 'retry' } }] }, trace.setSpanContext(ROOT_CONTEXT, remoteParent));
  server.setAttributes({ 'http.request.method': 'GET', 'server.port': 8080, 'retried': false, 'http.request.header.accept': ['application/json', 'text/plain'] });
  server.addEvent('upstream.retry', { attempt: 2 });
  const client = tracer.startSpan('GET', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, server));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream_timeout' });
  client.end();
  server.end();
  return exporter.getFinishedSpans();
}

/** What an exporter reads from a span, with trace states as the text they are exported as. */
function exported(span: ReadableSpan): unknown {
  const context = (c: SpanContext | undefined): unknown => (c ? { ...c, traceState: c.traceState?.serialize() } : undefined);
  return {
    name: span.name,
    kind: span.kind,
    context: context(span.spanContext()),
    parent: context(span.parentSpanContext),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: span.ended,
    status: span.status,
    attributes: span.attributes,
    links: span.links.map((link) => ({ ...link, context: context(link.context) })),
    events: span.events,
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
  };
}

describe('span records', () => {
  it('carry everything an exporter reads across a structured clone, for server and client spans alike', () => {
    const spans = endedSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      const resource = structuredClone(toResourceRecord(1, span.resource));
      const scope = structuredClone(toScopeRecord(1, span.instrumentationScope));
      const record = structuredClone(toSpanRecord(span, resource.id, scope.id));
      const rebuilt = fromSpanRecord(record, resourceFromAttributes(resource.attributes), { name: scope.name, version: scope.version, schemaUrl: scope.schemaUrl });
      expect(exported(rebuilt)).toEqual(exported(span));
    }
  });

  it('keep the remote parent, its trace state and the link as the exporter needs them', () => {
    const server = endedSpans().find((span) => span.kind === SpanKind.SERVER);
    if (!server) throw new Error('no server span');
    const rebuilt = fromSpanRecord(structuredClone(toSpanRecord(server, 1, 1)), server.resource, server.instrumentationScope);
    expect(rebuilt.parentSpanContext).toMatchObject({ spanId: '00f067aa0ba902b7', isRemote: true });
    expect(rebuilt.spanContext().traceState?.serialize()).toBe('vendor=a1,other=b2');
    expect(rebuilt.links[0]?.context.traceState?.get('k')).toBe('v');
    expect(rebuilt.events[0]).toMatchObject({ name: 'upstream.retry', attributes: { attempt: 2 } });
  });
});
