import { describe, expect, it } from 'vitest';
import { tracingConfigFromEnv } from '../../../src/telemetry/tracing-config.js';

describe('tracing configuration from OTEL_* variables', () => {
  it('defaults to OTLP over http/protobuf, parent-based always-on', () => {
    expect(tracingConfigFromEnv({})).toEqual({ exporter: 'otlp', protocol: 'http/protobuf', sampler: 'parentbased_always_on', samplerRatio: 1, exportBatchSize: 512, maxQueueSize: 2048 });
  });

  it('reads exporter, protocol and a ratio sampler', () => {
    expect(tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }))
      .toEqual({ exporter: 'jaeger', protocol: 'http/json', sampler: 'parentbased_traceidratio', samplerRatio: 0.1, exportBatchSize: 512, maxQueueSize: 2048 });
  });

  it('takes the export batch size from OTEL_BSP_MAX_EXPORT_BATCH_SIZE', () => {
    expect(tracingConfigFromEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256' }).exportBatchSize).toBe(256);
  });

  it('takes the queue bound from OTEL_BSP_MAX_QUEUE_SIZE, and keeps the default batch within it', () => {
    expect(tracingConfigFromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: '8192', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096' })).toMatchObject({ maxQueueSize: 8192, exportBatchSize: 4096 });
    expect(tracingConfigFromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: '100' })).toMatchObject({ maxQueueSize: 100, exportBatchSize: 100 });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER="zipkin" is not supported; use one of: otlp, jaeger, console, none'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="grpc" is not supported; use one of: http/protobuf, http/json'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER="sometimes" is not supported'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG="1.5" is not a ratio; use a number from 0 to 1, such as 0.1'],
    [{ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' }, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE="0" is not a batch size; use a whole number from 1 to OTEL_BSP_MAX_QUEUE_SIZE (2048), such as 512'],
    [{ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096' }, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE="4096" is not a batch size; use a whole number from 1 to OTEL_BSP_MAX_QUEUE_SIZE (2048), such as 512'],
    [{ OTEL_BSP_MAX_QUEUE_SIZE: 'lots' }, 'OTEL_BSP_MAX_QUEUE_SIZE="lots" is not a queue size; use a whole number of spans from 1 up, such as 2048'],
  ])('fails at once on %j', (env, message) => {
    expect(() => tracingConfigFromEnv(env)).toThrow(message);
  });
});
