import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import { TraceState, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/**
 * Ended spans as plain, structured-cloneable data: what the gateway's main thread posts to the
 * span export worker. SDK spans hold functions, class instances and the whole provider, so they
 * cannot cross a thread; a record carries exactly what an exporter reads from a ReadableSpan.
 * Resources and instrumentation scopes travel once and are referred to by number.
 */
export interface SpanContextRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  readonly isRemote?: boolean;
}

export interface SpanRecord {
  readonly name: string;
  readonly kind: SpanKind;
  readonly context: SpanContextRecord;
  readonly parent?: SpanContextRecord;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: readonly { readonly context: SpanContextRecord; readonly attributes?: Attributes; readonly droppedAttributesCount?: number }[];
  readonly events: readonly TimedEvent[];
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  readonly resource: number;
  readonly scope: number;
}

export interface ResourceRecord {
  readonly id: number;
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
}

export interface ScopeRecord extends InstrumentationScope {
  readonly id: number;
}

export function toSpanRecord(span: ReadableSpan, resource: number, scope: number): SpanRecord {
  return {
    name: span.name,
    kind: span.kind,
    context: toContextRecord(span.spanContext()),
    ...(span.parentSpanContext ? { parent: toContextRecord(span.parentSpanContext) } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    links: span.links.map((link) => ({ ...link, context: toContextRecord(link.context) })),
    events: span.events,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    resource,
    scope,
  };
}

export function toResourceRecord(id: number, resource: Resource): ResourceRecord {
  return { id, attributes: resource.attributes, ...(resource.schemaUrl ? { schemaUrl: resource.schemaUrl } : {}) };
}

export function toScopeRecord(id: number, scope: InstrumentationScope): ScopeRecord {
  return { id, ...scope };
}

/** The inverse of toSpanRecord, on the worker's side, with the resource and scope it refers to. */
export function fromSpanRecord(record: SpanRecord, resource: Resource, scope: InstrumentationScope): ReadableSpan {
  const context = fromContextRecord(record.context);
  const links: Link[] = record.links.map((link) => ({ ...link, context: fromContextRecord(link.context) }));
  return {
    name: record.name,
    kind: record.kind,
    spanContext: () => context,
    ...(record.parent ? { parentSpanContext: fromContextRecord(record.parent) } : {}),
    startTime: record.startTime,
    endTime: record.endTime,
    duration: record.duration,
    ended: true,
    status: record.status,
    attributes: record.attributes,
    links,
    events: [...record.events],
    droppedAttributesCount: record.droppedAttributesCount,
    droppedEventsCount: record.droppedEventsCount,
    droppedLinksCount: record.droppedLinksCount,
    resource,
    instrumentationScope: scope,
  };
}

function toContextRecord(context: SpanContext): SpanContextRecord {
  const traceState = context.traceState?.serialize();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    ...(traceState ? { traceState } : {}),
    ...(context.isRemote === undefined ? {} : { isRemote: context.isRemote }),
  };
}

function fromContextRecord(record: SpanContextRecord): SpanContext {
  return {
    traceId: record.traceId,
    spanId: record.spanId,
    traceFlags: record.traceFlags,
    ...(record.traceState === undefined ? {} : { traceState: new TraceState(record.traceState) }),
    ...(record.isRemote === undefined ? {} : { isRemote: record.isRemote }),
  };
}
