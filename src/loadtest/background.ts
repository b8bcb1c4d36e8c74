import type { Catalog } from '../catalog/index.js';
import { ClientPool } from './clients.js';
import { runPlan } from './engine.js';
import { identitiesFor } from './identities.js';
import { loadPlan, scaledPlan, stepPlan, type LoadPlan } from './plan.js';

export interface BackgroundTraffic {
  /** Requests per second it offers, summed over the services. */
  readonly rate: number;
  stop(): Promise<void>;
}

/**
 * A low, realistic load through the gateway for as long as the local stack runs: the profile's
 * plan at `scale` times its rates, over and over (a capacity profile at its first step), so that
 * dashboards, SLIs and the status line move. Failures are the stack's to show, not to stop it.
 */
export async function startBackgroundTraffic(catalog: Catalog, profile: string, scale: number, target: URL, apiKeyFile: string | undefined): Promise<BackgroundTraffic> {
  const full = catalog.traffic?.profiles[profile]?.executor === 'capacity' ? stepPlan(catalog, profile, 1, 60_000) : loadPlan(catalog, profile);
  // Arrivals only: ten thousand users in the background of a laptop's stack would be no background.
  const scaled = scaledPlan(full, scale);
  const plan: LoadPlan = { ...scaled, scenarios: scaled.scenarios.filter((scenario) => scenario.kind === 'arrivals') };
  const clients = ClientPool.for(target);
  const identities = await identitiesFor(plan, target, clients, { apiKeyFile, passwordFile: undefined });
  const stop = new AbortController();
  const loop = (async () => {
    while (!stop.signal.aborted) await runPlan({ target, plan, clients, identities, signal: stop.signal });
  })();
  const rate = plan.scenarios.reduce((sum, scenario) => sum + (scenario.kind === 'arrivals' ? scenario.startPerMinute : 0), 0) / 60;
  return {
    rate,
    async stop() {
      stop.abort();
      await loop;
      await clients.close();
    },
  };
}
