import { toxiproxyName } from '../catalog/conventions.js';
import { isKubernetesProvider, type Provider } from './experiment.js';
import { describeKubernetesUndo, injectKubernetes, planKubernetes, undoKubernetes, type KubernetesLimits, type KubernetesUndo } from './kubernetes.js';

/** What undoes one injection, written to the journal before the fault goes in. Plain JSON. */
export type Undo =
  | { readonly type: 'simulator-fault'; readonly admin: string; readonly service: string; readonly previous: Record<string, unknown> | null }
  | { readonly type: 'toxiproxy'; readonly api: string; readonly proxy: string; readonly toxic: string }
  | KubernetesUndo;

export interface ProviderTargets {
  /** The simulator's admin API. */
  readonly simulatorAdmin: string;
  /** Toxiproxy's API, when the experiment adds network faults. */
  readonly toxiproxyApi: string | undefined;
  /** The kubeconfig for Kubernetes actions; without one, $KUBECONFIG, ~/.kube/config or the pod's service account. */
  readonly kubeconfig: string | undefined;
}

export class ChaosProviderError extends Error {
  override name = 'ChaosProviderError';
}

/**
 * What injecting this provider will need undone; computed (and journaled) before the injection.
 * `name` names what the injection creates (a toxic, a Chaos Mesh object).
 */
export async function plannedUndo(provider: Provider, targets: ProviderTargets, name: string, limits: KubernetesLimits): Promise<Undo> {
  if (provider.type === 'simulator-fault') {
    const current = (await call('GET', `${targets.simulatorAdmin}/faults/${provider.service}`)) as { fault: Record<string, unknown> | null };
    return { type: 'simulator-fault', admin: targets.simulatorAdmin, service: provider.service, previous: current.fault };
  }
  if (provider.type === 'toxiproxy') {
    if (!targets.toxiproxyApi) throw new ChaosProviderError(`${provider.service}: a toxiproxy action needs Toxiproxy's API (--toxiproxy URL)`);
    return { type: 'toxiproxy', api: targets.toxiproxyApi, proxy: toxiproxyName(provider.service), toxic: name };
  }
  return guard(() => planKubernetes(provider, targets.kubeconfig ?? null, name, limits));
}

/** Injects the fault (dryRun: validates it where the provider can, changing nothing); says what it did. */
export async function inject(provider: Provider, plan: Undo, limits: KubernetesLimits, dryRun = false): Promise<string> {
  if (isKubernetesProvider(provider)) return guard(() => injectKubernetes(provider, plan as KubernetesUndo, limits, dryRun));
  if (provider.type === 'simulator-fault') {
    if (!dryRun) await call('PUT', `${(plan as { admin: string }).admin}/faults/${provider.service}`, provider.fault);
    return `${dryRun ? 'would set' : 'set'} the simulator's ${provider.service} fault to ${JSON.stringify(provider.fault)}`;
  }
  const { api, proxy, toxic } = plan as Extract<Undo, { type: 'toxiproxy' }>;
  if (!dryRun) await call('POST', `${api}/proxies/${proxy}/toxics`, { name: toxic, type: provider.toxic.type, stream: provider.toxic.stream, toxicity: provider.toxic.toxicity, attributes: provider.toxic.attributes });
  return `${dryRun ? 'would add' : 'added'} ${provider.toxic.type} toxic ${toxic} to ${proxy} ${JSON.stringify(provider.toxic.attributes)}`;
}

/** Undoes one injection; undoing what is already undone is not an error (rollback runs again after a crash). */
export async function undo(record: Undo): Promise<void> {
  if (record.type === 'simulator-fault') {
    if (record.previous) await call('PUT', `${record.admin}/faults/${record.service}`, record.previous);
    else await call('DELETE', `${record.admin}/faults/${record.service}`);
    return;
  }
  if (record.type === 'toxiproxy') {
    await call('DELETE', `${record.api}/proxies/${record.proxy}/toxics/${record.toxic}`, undefined, [404]);
    return;
  }
  await guard(() => undoKubernetes(record));
}

export function describeUndo(record: Undo): string {
  if (record.type === 'simulator-fault') return `restore the simulator's ${record.service} to ${record.previous ? JSON.stringify(record.previous) : 'no fault'}`;
  if (record.type === 'toxiproxy') return `remove toxic ${record.toxic} from ${record.proxy}`;
  return describeKubernetesUndo(record);
}

/** A Kubernetes failure as a provider error: the run says "could not run" with the API server's words. */
async function guard<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new ChaosProviderError((error as Error).message);
  }
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
