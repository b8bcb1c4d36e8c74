import type { Attributes, AttributeValue, HrTime, Link, SpanContext, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { TraceState, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/**
 * Ended spans as one flat, structured-cloneable array: what the gateway's main thread posts to
 * the span export worker. SDK spans hold functions, class instances and the whole provider, so
 * they cannot cross a thread; objects per span could, but cloning them costs the main thread
 * twice what a flat array of the same values does (docs/adr/0001-span-export-worker-thread.md).
 * Attribute keys, resources and instrumentation scopes travel once and are referred to by number.
 *
 * Per span, in order: name, kind, trace id, span id, trace flags, parent span id (or undefined),
 * parent flags (see PARENT_*), start, end and duration (seconds and nanoseconds each), status code,
 * status message, resource id, scope id, the rarely used rest (RareFields or undefined), the
 * number of attributes, then that many pairs of attribute key id and value.
 */
export interface SpanBatch {
  /** Attribute keys first used in this batch; their ids continue from the keys sent before. */
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  readonly count: number;
}

export interface ResourceRecord {
  readonly id: number;
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
}

export interface ScopeRecord extends InstrumentationScope {
  readonly id: number;
}

interface ContextRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  readonly isRemote?: boolean;
}

/** What most spans lack, so most spans send undefined in its place. */
interface RareFields {
  readonly traceState?: string;
  readonly isRemote?: boolean;
  /** The parent's trace id when it is not the span's own, and the parent's trace state. */
  readonly parentTraceId?: string;
  readonly parentTraceState?: string;
  readonly links?: readonly (Omit<Link, 'context'> & { readonly context: ContextRecord })[];
  readonly events?: readonly TimedEvent[];
  readonly dropped?: readonly [attributes: number, events: number, links: number];
}

const PARENT_REMOTE_KNOWN = 0x100;
const PARENT_REMOTE = 0x200;
const TRACE_FLAGS = 0xff;

/** The main thread's side: appends ended spans, and hands over what it has as one batch. */
export class SpanBatchWriter {
  private values: unknown[] = [];
  private count = 0;
  private readonly keyIds = new Map<string, number>();
  private newKeys: string[] = [];

  get size(): number {
    return this.count;
  }

  write(span: ReadableSpan, resource: number, scope: number): void {
    const context = span.spanContext();
    const parent = span.parentSpanContext;
    const { startTime, endTime, duration, status, attributes } = span;
    const keys = Object.keys(attributes);
    const values = this.values;
    values.push(
      span.name, span.kind, context.traceId, context.spanId, context.traceFlags,
      parent?.spanId, parent ? parentFlags(parent) : 0,
      startTime[0], startTime[1], endTime[0], endTime[1], duration[0], duration[1],
      status.code, status.message, resource, scope, rareFields(span, context, parent), keys.length,
    );
    for (const key of keys) values.push(this.keyId(key), attributes[key]);
    this.count++;
  }

  /** Everything written since the last take. */
  take(): SpanBatch {
    const batch = { keys: this.newKeys, values: this.values, count: this.count };
    this.values = [];
    this.newKeys = [];
    this.count = 0;
    return batch;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keyIds.size;
      this.keyIds.set(key, id);
      this.newKeys.push(key);
    }
    return id;
  }
}

/** The worker's side: turns batches back into the ReadableSpans exporters read. */
export class SpanBatchReader {
  private readonly keys: string[] = [];
  private readonly resources = new Map<number, Resource>();
  private readonly scopes = new Map<number, InstrumentationScope>();

  constructor(private readonly toResource: (record: ResourceRecord) => Resource) {}

  /** `resources` and `scopes` are those first referred to in this batch. */
  read(batch: SpanBatch, resources: readonly ResourceRecord[], scopes: readonly ScopeRecord[]): ReadableSpan[] {
    this.keys.push(...batch.keys);
    for (const record of resources) this.resources.set(record.id, this.toResource(record));
    for (const { id, ...scope } of scopes) this.scopes.set(id, scope);
    const values = batch.values;
    const spans: ReadableSpan[] = [];
    let at = 0;
    const next = (): unknown => values[at++];
    for (let index = 0; index < batch.count; index++) {
      const name = next() as string;
      const kind = next() as SpanKind;
      const traceId = next() as string;
      const spanId = next() as string;
      const traceFlags = next() as number;
      const parentSpanId = next() as string | undefined;
      const flagsOfParent = next() as number;
      const startTime: HrTime = [next() as number, next() as number];
      const endTime: HrTime = [next() as number, next() as number];
      const duration: HrTime = [next() as number, next() as number];
      const code = next() as SpanStatusCode;
      const message = next() as string | undefined;
      const resource = this.resources.get(next() as number);
      const scope = this.scopes.get(next() as number);
      const rare = next() as RareFields | undefined;
      const attributeCount = next() as number;
      const attributes: Attributes = {};
      for (let pair = 0; pair < attributeCount; pair++) {
        const key = this.keys[next() as number];
        const value = next() as AttributeValue;
        if (key !== undefined) attributes[key] = value;
      }
      // Sent before the first span that refers to them, on the same ordered port.
      if (!resource || !scope) throw new Error(`span batch refers to a resource or scope it never sent (span "${name}")`);
      const context = fromContextRecord({ traceId, spanId, traceFlags, ...(rare?.traceState === undefined ? {} : { traceState: rare.traceState }), ...(rare?.isRemote === undefined ? {} : { isRemote: rare.isRemote }) });
      const parent = parentSpanId === undefined ? undefined : parentContext(rare?.parentTraceId ?? traceId, parentSpanId, flagsOfParent, rare?.parentTraceState);
      const [droppedAttributesCount, droppedEventsCount, droppedLinksCount] = rare?.dropped ?? [0, 0, 0];
      spans.push({
        name,
        kind,
        spanContext: () => context,
        ...(parent ? { parentSpanContext: parent } : {}),
        startTime,
        endTime,
        duration,
        ended: true,
        status: message === undefined ? { code } : { code, message },
        attributes,
        links: (rare?.links ?? []).map((link) => ({ ...link, context: fromContextRecord(link.context) })),
        events: [...(rare?.events ?? [])],
        droppedAttributesCount,
        droppedEventsCount,
        droppedLinksCount,
        resource,
        instrumentationScope: scope,
      });
    }
    return spans;
  }
}

export function toResourceRecord(id: number, resource: Resource): ResourceRecord {
  return { id, attributes: resource.attributes, ...(resource.schemaUrl ? { schemaUrl: resource.schemaUrl } : {}) };
}

export function toScopeRecord(id: number, scope: InstrumentationScope): ScopeRecord {
  return { id, ...scope };
}

function parentFlags(parent: SpanContext): number {
  const remote = parent.isRemote === undefined ? 0 : PARENT_REMOTE_KNOWN | (parent.isRemote ? PARENT_REMOTE : 0);
  return (parent.traceFlags & TRACE_FLAGS) | remote;
}

function parentContext(traceId: string, spanId: string, flags: number, traceState: string | undefined): SpanContext {
  return {
    traceId,
    spanId,
    traceFlags: flags & TRACE_FLAGS,
    ...(flags & PARENT_REMOTE_KNOWN ? { isRemote: (flags & PARENT_REMOTE) !== 0 } : {}),
    ...(traceState === undefined ? {} : { traceState: new TraceState(traceState) }),
  };
}

function rareFields(span: ReadableSpan, context: SpanContext, parent: SpanContext | undefined): RareFields | undefined {
  const traceState = context.traceState?.serialize();
  const parentTraceState = parent?.traceState?.serialize();
  const differentTrace = parent !== undefined && parent.traceId !== context.traceId;
  const dropped = span.droppedAttributesCount + span.droppedEventsCount + span.droppedLinksCount > 0;
  if (!traceState && context.isRemote === undefined && !parentTraceState && !differentTrace && span.links.length === 0 && span.events.length === 0 && !dropped) return undefined;
  return {
    ...(traceState ? { traceState } : {}),
    ...(context.isRemote === undefined ? {} : { isRemote: context.isRemote }),
    ...(differentTrace ? { parentTraceId: parent.traceId } : {}),
    ...(parentTraceState ? { parentTraceState } : {}),
    ...(span.links.length > 0 ? { links: span.links.map((link) => ({ ...link, context: toContextRecord(link.context) })) } : {}),
    ...(span.events.length > 0 ? { events: span.events } : {}),
    ...(dropped ? { dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount] as const } : {}),
  };
}

function toContextRecord(context: SpanContext): ContextRecord {
  const traceState = context.traceState?.serialize();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    ...(traceState ? { traceState } : {}),
    ...(context.isRemote === undefined ? {} : { isRemote: context.isRemote }),
  };
}

function fromContextRecord(record: ContextRecord): SpanContext {
  return {
    traceId: record.traceId,
    spanId: record.spanId,
    traceFlags: record.traceFlags,
    ...(record.traceState === undefined ? {} : { traceState: new TraceState(record.traceState) }),
    ...(record.isRemote === undefined ? {} : { isRemote: record.isRemote }),
  };
}
