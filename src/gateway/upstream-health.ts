import type { Service } from '../catalog/index.js';

export interface UpstreamHealth {
  readonly service: string;
  readonly healthy: boolean;
  readonly status: number | 'unreachable';
  readonly latency_ms: number;
}

const PROBE_TIMEOUT_MS = 1_000;
const CACHE_MS = 2_000;

/** Probes each upstream's /health, caching results briefly so health checks cannot amplify load. */
export class UpstreamHealthProbe {
  private cached: { at: number; results: Promise<UpstreamHealth[]> } | undefined;

  constructor(private readonly services: readonly Service[]) {}

  check(nowMs: number = Date.now()): Promise<UpstreamHealth[]> {
    if (this.cached && nowMs - this.cached.at < CACHE_MS) return this.cached.results;
    const results = Promise.all(this.services.map((service) => probe(service)));
    this.cached = { at: nowMs, results };
    return results;
  }
}

async function probe(service: Service): Promise<UpstreamHealth> {
  const started = performance.now();
  try {
    const response = await fetch(new URL('/health', service.upstream), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return { service: service.id, healthy: response.ok, status: response.status, latency_ms: Math.round(performance.now() - started) };
  } catch {
    return { service: service.id, healthy: false, status: 'unreachable', latency_ms: Math.round(performance.now() - started) };
  }
}
