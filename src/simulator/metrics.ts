import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The simulator's own metrics, served on its admin port. */
export class SimulatorMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'simulator_requests_total',
    help: 'Requests served by a simulated service, by status code.',
    labelNames: ['service', 'http_response_status_code'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'simulator_request_duration_seconds',
    help: 'Time a simulated service took to answer, including injected latency.',
    labelNames: ['service'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly faultActive = new Gauge({
    name: 'simulator_fault_active',
    help: '1 while a fault of this type is injected into a simulated service.',
    labelNames: ['service', 'fault'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'simulator_' });
    // Gauges named like counters: `promtool check metrics` rejects them, and they say little.
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) this.registry.removeSingleMetric(`simulator_nodejs_${name}`);
  }
}
