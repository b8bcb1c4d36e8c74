import {
  ApiException,
  AppsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  HttpMethod,
  PatchStrategy,
  type KubernetesObject,
  V1ObjectMeta,
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

/**
 * The project's Kubernetes client (@kubernetes/client-node): credentials from a kubeconfig or, in a
 * pod, the service account; objects applied with server-side apply and strict field validation;
 * workloads listed by label.
 */
export class KubernetesClient {
  private readonly objects: ApplyingObjectApi;
  private readonly apps: AppsV1Api;

  private constructor(readonly config: KubeConfig) {
    if (!config.getCurrentCluster()) throw new KubernetesError('the kubeconfig has no current cluster; set current-context');
    this.objects = config.makeApiClient(ApplyingObjectApi);
    this.apps = config.makeApiClient(AppsV1Api);
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

  /** One object as the API server has it now, or undefined when there is none. */
  async read(object: Manifest): Promise<KubernetesObject | undefined> {
    try {
      return await this.objects.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }) } });
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
 * Server-side apply of the object exactly as written. The generic patch() of @kubernetes/client-node
 * first passes an object through its typed models, which drops every field they do not name: the
 * unknown field strict validation should refuse, and the x-kubernetes-* keys of a CRD's schema.
 */
class ApplyingObjectApi extends KubernetesObjectApi {
  async serverSideApply(object: Manifest, force: boolean): Promise<KubernetesObject> {
    const header: KubernetesObject = { apiVersion: object.apiVersion, kind: object.kind, metadata: Object.assign(new V1ObjectMeta(), { name: object.metadata.name, namespace: object.metadata.namespace }) };
    const context = this.configuration.baseServer.makeRequestContext(await this.specUriPath(header, 'patch'), HttpMethod.PATCH);
    context.setHeaderParam('Accept', 'application/json');
    context.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    context.setQueryParam('fieldManager', FIELD_MANAGER);
    // Strict: a field the API server's schema does not know fails the apply instead of vanishing.
    context.setQueryParam('fieldValidation', 'Strict');
    if (force) context.setQueryParam('force', 'true');
    context.setBody(JSON.stringify(object));
    return this.requestPromise(context);
  }
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
