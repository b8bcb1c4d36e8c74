import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import type { Catalog } from '../catalog/index.js';
import { startControlPlane } from '../control-plane/server.js';
import { migrate } from '../control-plane/store/migrations.js';
import { SqliteDatabase } from '../control-plane/store/sqlite.js';
import { PAGER_ROUTE_KEY } from '../generate/alertmanager/config.js';
import { gatewayConfig } from '../gateway/config.js';
import { startGateway } from '../gateway/server.js';
import { freePorts } from '../net/free-ports.js';
import { startSimulator } from '../simulator/simulator.js';
import { loadOrCreateSecrets } from '../state/secrets.js';
import { createLogger } from '../telemetry/logger.js';

export interface LiveExpositions {
  readonly gateway: string;
  readonly simulator: string;
  readonly controlPlane: string;
}

const WEBHOOK_PATH = '/webhook';
const TOKEN = 'validate';

/**
 * Starts the simulator, the gateway and the control plane on free ports (with throwaway secrets and
 * database), sends one request to every route prefix and takes one page through its whole life
 * (firing, acknowledged, its fault reported, resolved), then returns the three /metrics
 * expositions: what Prometheus would really see.
 */
export async function liveExpositions(catalog: Catalog): Promise<LiveExpositions> {
  const ports = await freePorts(catalog.services.length + 3);
  const [gatewayPort = 0, adminPort = 0, controlPlanePort = 0, ...servicePorts] = ports;
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
      const secrets = await loadOrCreateSecrets(state);
      const headers = { 'x-api-key': secrets.apiKeys[0]?.key ?? '' };
      for (const service of relocated.services) {
        for (const route of service.routes) {
          const response = await fetch(`${gateway.url}${route.prefix}`, { headers, signal: AbortSignal.timeout(10_000) });
          await response.arrayBuffer();
        }
      }
      const db = SqliteDatabase.open(join(state, 'control-plane'));
      await migrate(db);
      const controlPlane = await startControlPlane({ catalog, db, secrets, webhookToken: TOKEN, pagerDutySecret: TOKEN, pagerRouteKey: PAGER_ROUTE_KEY, webhookPath: WEBHOOK_PATH, prometheus: undefined, jwksUrl: undefined, log }, '127.0.0.1', controlPlanePort);
      try {
        await onePage(controlPlane.url, headers);
        const [gatewayText, simulatorText, controlPlaneText] = await Promise.all([
          fetch(`${gateway.url}/metrics`).then((r) => r.text()),
          fetch(`${simulator.adminUrl}/metrics`).then((r) => r.text()),
          fetch(`${controlPlane.url}/metrics`).then((r) => r.text()),
        ]);
        return { gateway: gatewayText, simulator: simulatorText, controlPlane: controlPlaneText };
      } finally {
        await controlPlane.stop();
      }
    } finally {
      await gateway.drain();
    }
  } finally {
    await simulator.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

/**
 * Two pages: one fires, is acknowledged, has its fault reported and resolves; the other stays open.
 * Between them every series of the control plane appears.
 */
async function onePage(url: string, headers: Record<string, string>): Promise<void> {
  const started = new Date(Date.now() - 60_000).toISOString();
  const deliver = async (service: string, fingerprint: string, status: 'firing' | 'resolved'): Promise<void> => {
    const alert = { status, labels: { alertname: 'ValidateContract', service, slo: 'availability', severity: 'critical' }, annotations: {}, startsAt: started, endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(), generatorURL: '', fingerprint };
    const payload = { version: '4', groupKey: `{}:{service="${service}"}`, status, receiver: 'control-plane', groupLabels: {}, commonLabels: {}, alerts: [alert] };
    await post(`${url}${WEBHOOK_PATH}`, { authorization: `Bearer ${TOKEN}` }, payload);
  };
  await deliver('user', '00000000000000aa', 'firing');
  await deliver('workspace', '00000000000000bb', 'firing');
  const { incidents } = (await (await fetch(`${url}/api/incidents?service=user`, { headers })).json()) as { incidents: { id: string }[] };
  await post(`${url}/api/incidents/${incidents[0]?.id ?? ''}/acknowledge`, headers, {});
  await post(`${url}/api/v1/reports`, headers, { schema: 'pyairtable-sre/chaos-report', version: 1, faults: [{ service: 'user', started_at: new Date(Date.now() - 120_000).toISOString() }] });
  await deliver('user', '00000000000000aa', 'resolved');
}

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
}
