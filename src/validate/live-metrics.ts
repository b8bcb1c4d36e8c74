import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import type { Catalog } from '../catalog/index.js';
import { gatewayConfig } from '../gateway/config.js';
import { startGateway } from '../gateway/server.js';
import { freePorts } from '../net/free-ports.js';
import { startSimulator } from '../simulator/simulator.js';
import { loadOrCreateSecrets } from '../state/secrets.js';
import { createLogger } from '../telemetry/logger.js';

/**
 * Starts the simulator and the gateway on free ports (with throwaway secrets), sends one request
 * to every route prefix, and returns both /metrics expositions: what Prometheus would really see.
 */
export async function liveExpositions(catalog: Catalog): Promise<{ gateway: string; simulator: string }> {
  const ports = await freePorts(catalog.services.length + 2);
  const [gatewayPort = 0, adminPort = 0, ...servicePorts] = ports;
  const relocated: Catalog = {
    ...catalog,
    simulatorAdmin: { host: '127.0.0.1', port: adminPort },
    services: catalog.services.map((service, index) => {
      const port = servicePorts[index] ?? 0;
      return { ...service, upstream: `http://127.0.0.1:${port}`, upstreamHost: '127.0.0.1', upstreamPort: port };
    }),
  };
  const state = mkdtempSync(join(tmpdir(), 'sre-validate-'));
  const log = createLogger('validate', 'warn');
  const simulator = await startSimulator(relocated, state, log);
  try {
    const gateway = await startGateway(gatewayConfig(relocated, state, { port: gatewayPort, host: '127.0.0.1' }), trace.getTracer('validate'), log);
    try {
      const { apiKeys } = await loadOrCreateSecrets(state);
      const headers = { 'x-api-key': apiKeys[0]?.key ?? '' };
      for (const service of relocated.services) {
        for (const route of service.routes) {
          const response = await fetch(`${gateway.url}${route.prefix}`, { headers, signal: AbortSignal.timeout(10_000) });
          await response.arrayBuffer();
        }
      }
      const [gatewayText, simulatorText] = await Promise.all([
        fetch(`${gateway.url}/metrics`).then((r) => r.text()),
        fetch(`${simulator.adminUrl}/metrics`).then((r) => r.text()),
      ]);
      return { gateway: gatewayText, simulator: simulatorText };
    } finally {
      await gateway.drain();
    }
  } finally {
    await simulator.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
