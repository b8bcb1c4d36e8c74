import { setTimeout as sleep } from 'node:timers/promises';
import { gatewayConfig } from '../gateway/config.js';
import { startGateway } from '../gateway/server.js';
import { stateDir } from '../state/state-dir.js';
import { createLogger } from '../telemetry/logger.js';
import { startTracing } from '../telemetry/tracing.js';
import { catalogFrom } from './catalog-option.js';
import { onTerminationSignal } from './signals.js';

const SPAN_FLUSH_DEADLINE_MS = 5_000;

export interface GatewayOptions {
  readonly catalog?: string;
  readonly port?: number;
  readonly host?: string;
}

export async function gatewayCommand(options: GatewayOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const config = gatewayConfig(catalog, stateDir(), { port: options.port, host: options.host });
  const log = createLogger('gateway');
  const tracing = await startTracing('pyairtable-gateway', log);
  const gateway = await startGateway(config, tracing.tracer, log, () => tracing.spansDropped());
  process.stdout.write(`gateway ${gateway.url}\n`);
  log.info({ url: gateway.url, traces_exporter: tracing.config.exporter, sampler: tracing.config.sampler, ratio: tracing.config.samplerRatio }, 'gateway started');
  onTerminationSignal(async (signal) => {
    log.info({ signal }, 'draining');
    const result = await gateway.drain();
    log.info(result, result.completed ? 'drained' : 'drain deadline passed; remaining requests cut');
    // Spans are flushed, but a missing collector must not turn a clean drain into a failed exit.
    const flushed = await Promise.race([tracing.shutdown().then(() => 'flushed' as const, (error: unknown) => error), sleep(SPAN_FLUSH_DEADLINE_MS).then(() => 'timeout' as const)]);
    if (flushed !== 'flushed') log.warn({ err: flushed === 'timeout' ? `no answer within ${SPAN_FLUSH_DEADLINE_MS} ms` : flushed }, 'could not flush spans');
    log.flush();
    return 0;
  });
}
