import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SpanBatchReader, SpanBatchWriter, toResourceRecord, toScopeRecord } from '../../../src/telemetry/span-batch.js';

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

/** Writes spans on one side, clones the batch as postMessage would, and reads it on the other. */
function acrossThreads(spans: readonly ReadableSpan[]): ReadableSpan[] {
  const writer = new SpanBatchWriter();
  const resources = new Map<unknown, number>();
  const scopes = new Map<unknown, number>();
  for (const span of spans) {
    if (!resources.has(span.resource)) resources.set(span.resource, resources.size + 1);
    if (!scopes.has(span.instrumentationScope)) scopes.set(span.instrumentationScope, scopes.size + 1);
    writer.write(span, resources.get(span.resource) ?? 0, scopes.get(span.instrumentationScope) ?? 0);
  }
  const resourceRecords = [...resources].map(([resource, id]) => toResourceRecord(id, resource as ReadableSpan['resource']));
  const scopeRecords = [...scopes].map(([scope, id]) => toScopeRecord(id, scope as ReadableSpan['instrumentationScope']));
  const message = structuredClone({ batch: writer.take(), resources: resourceRecords, scopes: scopeRecords });
  return new SpanBatchReader((record) => resourceFromAttributes(record.attributes)).read(message.batch, message.resources, message.scopes);
}

describe('span batches', () => {
  it('carry everything an exporter reads across a structured clone, for server and client spans alike', () => {
    const spans = endedSpans();
    expect(spans).toHaveLength(2);
    expect(acrossThreads(spans).map(exported)).toEqual(spans.map(exported));
  });

  it('keep the remote parent, trace states, links and events as the exporter needs them', () => {
    const server = acrossThreads(endedSpans()).find((span) => span.kind === SpanKind.SERVER);
    expect(server?.parentSpanContext).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', isRemote: true });
    expect(server?.parentSpanContext?.traceState?.serialize()).toBe('vendor=a1,other=b2');
    expect(server?.links[0]?.context.traceState?.get('k')).toBe('v');
    expect(server?.events[0]).toMatchObject({ name: 'upstream.retry', attributes: { attempt: 2 } });
  });

  it('send each attribute key once: later batches refer to keys by number', () => {
    const writer = new SpanBatchWriter();
    const [first, second] = endedSpans();
    if (!first || !second) throw new Error('two spans expected');
    writer.write(first, 1, 1);
    const firstBatch = writer.take();
    writer.write(first, 1, 1);
    writer.write(second, 1, 1);
    const secondBatch = writer.take();
    expect(firstBatch.keys).toEqual(Object.keys(first.attributes));
    expect(secondBatch.keys).toEqual(Object.keys(second.attributes).filter((key) => !(key in first.attributes)));
    expect(secondBatch.count).toBe(2);
  });

  it('refuse a batch that refers to a resource never sent, naming the span', () => {
    const writer = new SpanBatchWriter();
    const [span] = endedSpans();
    if (!span) throw new Error('a span expected');
    writer.write(span, 7, 1);
    expect(() => new SpanBatchReader((record) => resourceFromAttributes(record.attributes)).read(writer.take(), [], [toScopeRecord(1, span.instrumentationScope)])).toThrow(`span "${span.name}"`);
  });
});
