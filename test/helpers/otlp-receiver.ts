import { JsonReceiver } from './json-receiver.js';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly serviceName: string;
}

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: Record<string, unknown> }[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: { key: string; value: Record<string, unknown> }[] }[] }[];
  }[];
}

/** A test OTLP/HTTP receiver for the JSON encoding: it records what the gateway exports. */
export class OtlpReceiver {
  private constructor(
    private readonly server: JsonReceiver,
    readonly spans: ReceivedSpan[],
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const spans: ReceivedSpan[] = [];
    const server = await JsonReceiver.start((path, body) => {
      if (path === '/v1/traces') spans.push(...spansOf(body as OtlpJson));
    }, '{}');
    return new OtlpReceiver(server, spans);
  }

  get url(): string {
    return this.server.origin;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

function spansOf(payload: OtlpJson): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of payload.resourceSpans ?? []) {
    const name = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
    const serviceName = typeof name === 'string' ? name : '';
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const attributes: Record<string, unknown> = {};
        for (const attribute of span.attributes ?? []) attributes[attribute.key] = Object.values(attribute.value)[0];
        spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, kind: span.kind, attributes, serviceName });
      }
    }
  }
  return spans;
}
