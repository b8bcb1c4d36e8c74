import { startSimulator } from '../simulator/simulator.js';
import { stateDir } from '../state/state-dir.js';
import { createLogger } from '../telemetry/logger.js';
import { catalogFrom } from './catalog-option.js';
import { onTerminationSignal } from './signals.js';

export interface SimulateOptions {
  readonly catalog?: string;
}

export async function simulateCommand(options: SimulateOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const log = createLogger('simulator');
  const simulator = await startSimulator(catalog, stateDir(), log);
  for (const service of catalog.services) process.stdout.write(`${service.id} ${service.upstream}\n`);
  process.stdout.write(`simulator-admin ${simulator.adminUrl}\n`);
  log.info({ services: catalog.services.length, admin: simulator.adminUrl }, 'simulator started');
  onTerminationSignal(async () => {
    await simulator.stop();
    log.flush();
    return 0;
  });
}
