import { createServer, type Server } from 'node:http';
import type { Catalog } from '../catalog/index.js';
import { loadOrCreateSecrets } from '../state/secrets.js';
import type { Logger } from '../telemetry/logger.js';
import { simulatorAdminApp } from './admin-app.js';
import { SimulatorMetrics } from './metrics.js';
import { SimulatedService } from './service-server.js';
import { TokenIssuer } from './token-issuer.js';

export interface RunningSimulator {
  readonly services: ReadonlyMap<string, SimulatedService>;
  readonly adminUrl: string;
  stop(): Promise<void>;
}

/** Starts every service of the catalog on its upstream port, and the admin (fault) API. */
export async function startSimulator(catalog: Catalog, stateDirectory: string, log: Logger): Promise<RunningSimulator> {
  const secrets = await loadOrCreateSecrets(stateDirectory);
  const tokens = await TokenIssuer.create(secrets, catalog.gateway.auth.jwt.issuer, catalog.gateway.auth.jwt.audience);
  const metrics = new SimulatorMetrics();
  const services = new Map(catalog.services.map((service) => [service.id, new SimulatedService(service, tokens, metrics, log)]));
  const admin = createServer(simulatorAdminApp(services, metrics));
  try {
    for (const service of services.values()) await service.start();
    await listen(admin, catalog.simulatorAdmin.port, catalog.simulatorAdmin.host);
  } catch (error) {
    await Promise.all([...services.values()].map((s) => s.stop()));
    throw error;
  }
  return {
    services,
    adminUrl: `http://${catalog.simulatorAdmin.host}:${catalog.simulatorAdmin.port}`,
    stop: async () => {
      admin.closeAllConnections();
      await new Promise((resolve) => admin.close(resolve));
      await Promise.all([...services.values()].map((s) => s.stop()));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
