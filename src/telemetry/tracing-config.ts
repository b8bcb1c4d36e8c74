import { z } from 'zod';

export const TRACES_EXPORTERS = ['otlp', 'jaeger', 'console', 'none'] as const;
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export interface TracingConfig {
  readonly exporter: (typeof TRACES_EXPORTERS)[number];
  readonly protocol: (typeof OTLP_PROTOCOLS)[number];
  readonly sampler: (typeof SAMPLERS)[number];
  readonly samplerRatio: number;
  /** Spans per export request, made by the span export worker (so a large batch pauses no request). */
  readonly exportBatchSize: number;
  /** The most spans waiting for export, on either side of the worker; past it new spans are dropped. */
  readonly maxQueueSize: number;
}

/** The SDK's own defaults. */
export const DEFAULT_EXPORT_BATCH_SIZE = 512;
export const DEFAULT_MAX_QUEUE_SIZE = 2048;

export class TracingConfigError extends Error {
  override name = 'TracingConfigError';
}

const ratio = z.coerce.number().min(0).max(1);

/** Reads the standard OTEL_* variables, failing at once with the valid values named. */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const exporter = oneOf('OTEL_TRACES_EXPORTER', env.OTEL_TRACES_EXPORTER ?? 'otlp', TRACES_EXPORTERS);
  const protocol = oneOf(
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    OTLP_PROTOCOLS,
  );
  const sampler = oneOf('OTEL_TRACES_SAMPLER', env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on', SAMPLERS);
  const rawRatio = env.OTEL_TRACES_SAMPLER_ARG ?? '1';
  const parsedRatio = ratio.safeParse(rawRatio);
  if (!parsedRatio.success) {
    throw new TracingConfigError(`OTEL_TRACES_SAMPLER_ARG="${rawRatio}" is not a ratio; use a number from 0 to 1, such as 0.1`);
  }
  const rawQueue = env.OTEL_BSP_MAX_QUEUE_SIZE ?? String(DEFAULT_MAX_QUEUE_SIZE);
  const queue = z.coerce.number().int().min(1).safeParse(rawQueue);
  if (!queue.success) {
    throw new TracingConfigError(`OTEL_BSP_MAX_QUEUE_SIZE="${rawQueue}" is not a queue size; use a whole number of spans from 1 up, such as ${DEFAULT_MAX_QUEUE_SIZE}`);
  }
  const rawBatch = env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE ?? String(Math.min(DEFAULT_EXPORT_BATCH_SIZE, queue.data));
  const batch = z.coerce.number().int().min(1).max(queue.data).safeParse(rawBatch);
  if (!batch.success) {
    throw new TracingConfigError(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE="${rawBatch}" is not a batch size; use a whole number from 1 to OTEL_BSP_MAX_QUEUE_SIZE (${queue.data}), such as ${Math.min(DEFAULT_EXPORT_BATCH_SIZE, queue.data)}`);
  }
  return { exporter, protocol, sampler, samplerRatio: parsedRatio.data, exportBatchSize: batch.data, maxQueueSize: queue.data };
}

function oneOf<const T extends readonly string[]>(name: string, value: string, allowed: T): T[number] {
  const trimmed = value.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(trimmed)) return trimmed;
  throw new TracingConfigError(`${name}="${value}" is not supported; use one of: ${allowed.join(', ')}`);
}
