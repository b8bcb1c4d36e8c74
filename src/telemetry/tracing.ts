import { NodeSDK } from '@opentelemetry/sdk-node';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { trace, type Tracer } from '@opentelemetry/api';
import { DroppedSpansLog } from './dropped-spans-log.js';
import { ExplicitContextManager } from './explicit-context.js';
import { addSpansDropped, noSpansDropped, type SpansDropped } from './span-drops.js';
import type { Logger } from './logger.js';
import { spanExporter } from './span-exporter.js';
import { tracingConfigFromEnv, type TracingConfig } from './tracing-config.js';
import { WorkerSpanProcessor } from './worker-span-processor.js';

export interface Tracing {
  readonly tracer: Tracer;
  readonly config: TracingConfig;
  /** Sampled spans dropped unexported so far, by reason. */
  spansDropped(): SpansDropped;
  /** Flushes buffered spans and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK without auto-instrumentation: the gateway creates its server and
 * client spans by hand, which keeps the per-request cost off the proxied hot path.
 */
export async function startTracing(serviceName: string, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  const config = tracingConfigFromEnv(env);
  const processors = await spanProcessors(config, log);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? serviceName, [ATTR_SERVICE_VERSION]: '0.1.0' }),
    sampler: sampler(config),
    spanProcessors: processors,
    // The gateway writes these headers itself on its hot path (trace-context-headers.ts): change both together.
    textMapPropagator: new W3CTraceContextPropagator(),
    contextManager: new ExplicitContextManager(),
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return {
    tracer: trace.getTracer('pyairtable-sre', '0.1.0'),
    config,
    spansDropped: () => processors.reduce((total, processor) => (processor instanceof WorkerSpanProcessor ? addSpansDropped(total, processor.spansDropped) : total), noSpansDropped()),
    shutdown: () => sdk.shutdown(),
  };
}

function sampler(config: TracingConfig): Sampler {
  const ratio = ratioSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * The two ends of the ratio decide without looking at the trace id: the same decisions, and a
 * sampled-out request at 0 % does not pay for hashing its trace id.
 */
function ratioSampler(ratio: number): Sampler {
  if (ratio <= 0) return new AlwaysOffSampler();
  if (ratio >= 1) return new AlwaysOnSampler();
  return new TraceIdRatioBasedSampler(ratio);
}

async function spanProcessors(config: TracingConfig, log: Logger): Promise<SpanProcessor[]> {
  switch (config.exporter) {
    case 'none':
      return [];
    case 'console': {
      // A debugging aid: printed as each span ends, on the main thread.
      const exporter = await spanExporter(config);
      return exporter ? [new SimpleSpanProcessor(exporter)] : [];
    }
    default: {
      const dropped = new DroppedSpansLog(log, config.maxQueueSize);
      return [new WorkerSpanProcessor(config, {
        onFailure: (error) => { log.error({ err: error }, 'span export worker failed; spans are no longer exported'); },
        onDropped: (count, reason) => { dropped.add(count, reason); },
      })];
    }
  }
}
