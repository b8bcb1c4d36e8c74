import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from './tracing-config.js';

/** The exporter OTEL_TRACES_EXPORTER names; undefined for `none`. Exporters are loaded only when chosen. */
export async function spanExporter(config: TracingConfig): Promise<SpanExporter | undefined> {
  switch (config.exporter) {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSpanExporter();
    case 'jaeger': {
      // Deprecated upstream and kept only for existing Jaeger agents.
      const { JaegerExporter } = await import('@opentelemetry/exporter-jaeger');
      return new JaegerExporter();
    }
    case 'otlp':
      if (config.protocol === 'http/json') {
        const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
        return new OTLPTraceExporter();
      } else {
        const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
        return new OTLPTraceExporter();
      }
  }
}
