import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  HttpMethod,
  PatchStrategy,
  type KubernetesObject,
  V1Eviction,
  V1ObjectMeta,
  V1ScaleSpec,
  type V1Container,
} from '@kubernetes/client-node';
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';

/** The field manager of every object this project applies: what `kubectl get --show-managed-fields` names. */
export const FIELD_MANAGER = 'pyairtable-sre';

/** A Deployment or StatefulSet as the cost report reads it: replicas and what each container requests. */
export interface Workload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly replicas: number;
  readonly containers: readonly ContainerRequests[];
}

export interface ContainerRequests {
  readonly name: string;
  /** CPU cores requested; null when the container requests none. */
  readonly cpuCores: number | null;
  /** Memory bytes requested; null when the container requests none. */
  readonly memoryBytes: number | null;
}

/** An object to apply, as written in YAML: apiVersion, kind, metadata and whatever its kind has (spec, data, ...). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

export class KubernetesError extends Error {
  override name = 'KubernetesError';
}

/** A pod as chaos experiments choose among them. */
export interface PodSummary {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly phase: string;
  /** Being deleted already (a deletion timestamp is set). */
  readonly terminating: boolean;
}

/** What an eviction came to: done, or refused by a PodDisruptionBudget (the API server's 429) with its words. */
export type EvictionResult = { readonly evicted: true } | { readonly evicted: false; readonly reason: string };

/** Server-side dry run: the API server validates and admits the request, and persists nothing. */
export interface WriteOptions {
  readonly dryRun?: boolean;
}

/**
 * The project's Kubernetes client (@kubernetes/client-node): credentials from a kubeconfig or, in a
 * pod, the service account; objects applied with server-side apply and strict field validation;
 * workloads listed by label.
 */
export class KubernetesClient {
  private readonly objects: RawObjectApi;
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;

  private constructor(readonly config: KubeConfig) {
    if (!config.getCurrentCluster()) throw new KubernetesError('the kubeconfig has no current cluster; set current-context');
    this.objects = config.makeApiClient(RawObjectApi);
    this.apps = config.makeApiClient(AppsV1Api);
    this.core = config.makeApiClient(CoreV1Api);
  }

  /** From a kubeconfig file; without one, $KUBECONFIG, ~/.kube/config or the pod's service account. */
  static connect(kubeconfig?: string): KubernetesClient {
    const config = new KubeConfig();
    try {
      if (kubeconfig) config.loadFromFile(kubeconfig);
      else config.loadFromDefault();
    } catch (error) {
      throw new KubernetesError(`cannot load the kubeconfig ${kubeconfig ?? '(default)'}: ${(error as Error).message}`);
    }
    return new KubernetesClient(config);
  }

  /**
   * Server-side apply of each object in order, as field manager pyairtable-sre: creating what is
   * missing, changing only the fields this manager owns, so applying twice changes nothing.
   */
  async apply(objects: readonly Manifest[], options: { force?: boolean } = {}): Promise<KubernetesObject[]> {
    const applied: KubernetesObject[] = [];
    for (const object of objects) {
      try {
        applied.push(await this.objects.serverSideApply(object, options.force ?? false));
      } catch (error) {
        throw new KubernetesError(`applying ${describe(object)}: ${explain(error)}`);
      }
    }
    return applied;
  }

  /** Creates the object exactly as written; a name already taken is an error, not an update. */
  async create(object: Manifest, options: WriteOptions = {}): Promise<KubernetesObject> {
    try {
      return await this.objects.send(object, 'create', HttpMethod.POST, { fieldManager: FIELD_MANAGER, fieldValidation: 'Strict', ...dryRun(options) }, JSON.stringify(object));
    } catch (error) {
      throw new KubernetesError(`creating ${describe(object)}: ${explain(error)}`);
    }
  }

  /** Merges `patch` into the object (JSON merge patch): for fields no apply manages, such as a custom object's status. */
  async mergePatch(object: Manifest, patch: Record<string, unknown>): Promise<KubernetesObject> {
    try {
      return await this.objects.send(object, 'patch', HttpMethod.PATCH, {}, JSON.stringify(patch), PatchStrategy.MergePatch);
    } catch (error) {
      throw new KubernetesError(`patching ${describe(object)}: ${explain(error)}`);
    }
  }

  /** Deletes the object; true when it was there. Finalizers may keep it a while: see read(). */
  async delete(object: Manifest, options: WriteOptions = {}): Promise<boolean> {
    try {
      await this.objects.send(object, 'delete', HttpMethod.DELETE, dryRun(options));
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return false;
      throw new KubernetesError(`deleting ${describe(object)}: ${explain(error)}`);
    }
  }

  /** Pods matching a label selector in one namespace. */
  async pods(namespace: string, labelSelector: string): Promise<PodSummary[]> {
    try {
      const pods = await this.core.listNamespacedPod({ namespace, labelSelector });
      return pods.items.map((pod) => ({
        namespace,
        name: pod.metadata?.name ?? '',
        labels: pod.metadata?.labels ?? {},
        phase: pod.status?.phase ?? 'Unknown',
        terminating: pod.metadata?.deletionTimestamp !== undefined,
      }));
    } catch (error) {
      throw new KubernetesError(`listing pods in ${namespace} (${labelSelector}): ${explain(error)}`);
    }
  }

  /**
   * Evicts a pod through the Eviction API, as kubectl drain does: the API server refuses (429) when
   * its PodDisruptionBudget allows no more disruptions, and that refusal is returned, not thrown.
   */
  async evict(namespace: string, name: string, options: WriteOptions = {}): Promise<EvictionResult> {
    try {
      const body = Object.assign(new V1Eviction(), { apiVersion: 'policy/v1', kind: 'Eviction', metadata: Object.assign(new V1ObjectMeta(), { name, namespace }) });
      await this.core.createNamespacedPodEviction({ namespace, name, body, ...dryRun(options) });
      return { evicted: true };
    } catch (error) {
      if (error instanceof ApiException && error.code === 429) return { evicted: false, reason: explain(error).replace(/^429 /, '') };
      throw new KubernetesError(`evicting pod ${namespace}/${name}: ${explain(error)}`);
    }
  }

  /** Deployments in one namespace matching a label selector, with the labels of their pod template. */
  async deployments(namespace: string, labelSelector: string): Promise<{ readonly name: string; readonly replicas: number; readonly templateLabels: Readonly<Record<string, string>> }[]> {
    try {
      const list = await this.apps.listNamespacedDeployment({ namespace, labelSelector });
      return list.items.map((item) => ({ name: item.metadata?.name ?? '', replicas: item.spec?.replicas ?? 1, templateLabels: item.spec?.template.metadata?.labels ?? {} }));
    } catch (error) {
      throw new KubernetesError(`listing deployments in ${namespace} (${labelSelector}): ${explain(error)}`);
    }
  }

  /** Sets a Deployment's replicas through its scale subresource, as kubectl scale does; returns the replicas it had. */
  async scaleDeployment(namespace: string, name: string, replicas: number, options: WriteOptions = {}): Promise<number> {
    try {
      const scale = await this.apps.readNamespacedDeploymentScale({ namespace, name });
      const previous = scale.spec?.replicas ?? 0;
      // The resourceVersion read is sent back: a concurrent change fails this write instead of being lost.
      scale.spec = Object.assign(new V1ScaleSpec(), { replicas });
      await this.apps.replaceNamespacedDeploymentScale({ namespace, name, body: scale, ...dryRun(options) });
      return previous;
    } catch (error) {
      throw new KubernetesError(`scaling deployment ${namespace}/${name} to ${replicas}: ${explain(error)}`);
    }
  }

  /** One object as the API server has it now, or undefined when there is none. */
  async read(object: Manifest): Promise<KubernetesObject | undefined> {
    try {
      return await this.objects.send(object, 'read', HttpMethod.GET, {});
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw new KubernetesError(`reading ${describe(object)}: ${explain(error)}`);
    }
  }

  /** Deployments and StatefulSets matching a label selector, in one namespace or all. */
  async workloads(labelSelector: string, namespace?: string): Promise<Workload[]> {
    try {
      const [deployments, statefulSets] = await Promise.all([
        namespace ? this.apps.listNamespacedDeployment({ namespace, labelSelector }) : this.apps.listDeploymentForAllNamespaces({ labelSelector }),
        namespace ? this.apps.listNamespacedStatefulSet({ namespace, labelSelector }) : this.apps.listStatefulSetForAllNamespaces({ labelSelector }),
      ]);
      return [
        ...deployments.items.map((item) => workload('Deployment', item.metadata, item.spec?.replicas, item.spec?.template.spec?.containers)),
        ...statefulSets.items.map((item) => workload('StatefulSet', item.metadata, item.spec?.replicas, item.spec?.template.spec?.containers)),
      ];
    } catch (error) {
      throw new KubernetesError(`listing workloads (${labelSelector || 'every label'}): ${explain(error)}`);
    }
  }
}

/**
 * Requests with the object exactly as written. The generic create() and patch() of
 * @kubernetes/client-node first pass an object through its typed models, which drop every field they
 * do not name: the unknown field strict validation should refuse, a custom object's spec, and the
 * x-kubernetes-* keys of a CRD's schema. Responses come back as the API server sent them.
 */
class RawObjectApi extends KubernetesObjectApi {
  async serverSideApply(object: Manifest, force: boolean): Promise<KubernetesObject> {
    // Strict: a field the API server's schema does not know fails the apply instead of vanishing.
    return this.send(object, 'patch', HttpMethod.PATCH, { fieldManager: FIELD_MANAGER, fieldValidation: 'Strict', ...(force ? { force: 'true' } : {}) }, JSON.stringify(object), PatchStrategy.ServerSideApply);
  }

  async send(object: Manifest, action: 'create' | 'read' | 'patch' | 'delete', method: HttpMethod, query: Readonly<Record<string, string>>, body?: string, contentType?: string): Promise<KubernetesObject> {
    const header: KubernetesObject = { apiVersion: object.apiVersion, kind: object.kind, metadata: Object.assign(new V1ObjectMeta(), { name: object.metadata.name, namespace: object.metadata.namespace }) };
    const context = this.configuration.baseServer.makeRequestContext(await this.specUriPath(header, action), method);
    context.setHeaderParam('Accept', 'application/json');
    for (const [key, value] of Object.entries(query)) context.setQueryParam(key, value);
    if (contentType) context.setHeaderParam('Content-Type', contentType);
    else if (body !== undefined) context.setHeaderParam('Content-Type', 'application/json');
    if (body !== undefined) context.setBody(body);
    return this.requestPromise(context, 'any');
  }
}

function dryRun(options: WriteOptions): { dryRun?: 'All' } {
  return options.dryRun ? { dryRun: 'All' } : {};
}

function workload(kind: Workload['kind'], metadata: V1ObjectMeta | undefined, replicas: number | undefined, containers: readonly V1Container[] | undefined): Workload {
  const request = (container: V1Container, resource: 'cpu' | 'memory'): number | null => {
    const quantity = container.resources?.requests?.[resource];
    return quantity === undefined ? null : Number(quantityToScalar(quantity));
  };
  return {
    kind,
    namespace: metadata?.namespace ?? '',
    name: metadata?.name ?? '',
    labels: metadata?.labels ?? {},
    // The API server's default: a workload without replicas runs one.
    replicas: replicas ?? 1,
    containers: (containers ?? []).map((container) => ({ name: container.name, cpuCores: request(container, 'cpu'), memoryBytes: request(container, 'memory') })),
  };
}

function describe(object: Manifest): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

/** The API server's own message (a Status object's `message`), not the client's wrapping of it. */
function explain(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
    try {
      const status = JSON.parse(body) as { message?: string };
      return `${error.code} ${status.message ?? body}`;
    } catch {
      return `${error.code} ${body}`;
    }
  }
  return (error as Error).message;
}
