import type { Provider } from './experiment.js';

/** What undoes one injection, written to the journal before the fault goes in. Plain JSON. */
export type Undo =
  | { readonly type: 'simulator-fault'; readonly admin: string; readonly service: string; readonly previous: Record<string, unknown> | null }
  | { readonly type: 'toxiproxy'; readonly api: string; readonly proxy: string; readonly toxic: string };

export interface ProviderTargets {
  /** The simulator's admin API. */
  readonly simulatorAdmin: string;
  /** Toxiproxy's API, when the experiment adds network faults. */
  readonly toxiproxyApi: string | undefined;
}

export class ChaosProviderError extends Error {
  override name = 'ChaosProviderError';
}

/** The proxy a service's gateway connection goes through: one per service, named after it. */
export const proxyName = (service: string): string => `pyairtable-${service}`;

/** What injecting this provider will need undone; computed (and journaled) before the injection. */
export async function plannedUndo(provider: Provider, targets: ProviderTargets, toxicName: string): Promise<Undo> {
  if (provider.type === 'simulator-fault') {
    const current = (await call('GET', `${targets.simulatorAdmin}/faults/${provider.service}`)) as { fault: Record<string, unknown> | null };
    return { type: 'simulator-fault', admin: targets.simulatorAdmin, service: provider.service, previous: current.fault };
  }
  if (!targets.toxiproxyApi) throw new ChaosProviderError(`${provider.service}: a toxiproxy action needs Toxiproxy's API (--toxiproxy URL)`);
  return { type: 'toxiproxy', api: targets.toxiproxyApi, proxy: proxyName(provider.service), toxic: toxicName };
}

export async function inject(provider: Provider, undo: Undo): Promise<void> {
  if (provider.type === 'simulator-fault') {
    await call('PUT', `${(undo as { admin: string }).admin}/faults/${provider.service}`, provider.fault);
    return;
  }
  const { api, proxy, toxic } = undo as Extract<Undo, { type: 'toxiproxy' }>;
  await call('POST', `${api}/proxies/${proxy}/toxics`, { name: toxic, type: provider.toxic.type, stream: provider.toxic.stream, toxicity: provider.toxic.toxicity, attributes: provider.toxic.attributes });
}

/** Undoes one injection; undoing what is already undone is not an error (rollback runs again after a crash). */
export async function undo(record: Undo): Promise<void> {
  if (record.type === 'simulator-fault') {
    if (record.previous) await call('PUT', `${record.admin}/faults/${record.service}`, record.previous);
    else await call('DELETE', `${record.admin}/faults/${record.service}`);
    return;
  }
  await call('DELETE', `${record.api}/proxies/${record.proxy}/toxics/${record.toxic}`, undefined, [404]);
}

export function describeUndo(record: Undo): string {
  return record.type === 'simulator-fault' ? `restore the simulator's ${record.service} to ${record.previous ? JSON.stringify(record.previous) : 'no fault'}` : `remove toxic ${record.toxic} from ${record.proxy}`;
}

async function call(method: string, url: string, body?: unknown, alsoFine: readonly number[] = []): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ChaosProviderError(`${method} ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok && !alsoFine.includes(response.status)) throw new ChaosProviderError(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}
