import { join } from 'node:path';
import { startKubernetes } from '../dev/local-kubernetes.js';
import { KubernetesClient } from '../kubernetes/client.js';
import { installCrds } from '../kubernetes/manifests.js';
import { stateDir } from '../state/state-dir.js';
import { onTerminationSignal } from './signals.js';

export interface K8sUpOptions {
  readonly crds?: boolean;
}

/**
 * `sre k8s up`: a real Kubernetes API server on loopback (etcd and kube-apiserver, no nodes), with
 * the CRDs the manifests use, until Ctrl-C. Prints the kubeconfig to use with kubectl.
 */
export async function k8sUpCommand(options: K8sUpOptions): Promise<void> {
  const dir = join(stateDir(), 'kubernetes');
  process.stderr.write('starting etcd and kube-apiserver ...\n');
  const cluster = await startKubernetes(dir);
  onTerminationSignal(async () => {
    await cluster.stop();
    return 0;
  });
  if (options.crds !== false) {
    const crds = await installCrds(KubernetesClient.connect(cluster.kubeconfig));
    process.stderr.write(`CRDs installed: ${crds.join(', ')}\n`);
  }
  process.stdout.write(`kube-apiserver ${cluster.server}\nexport KUBECONFIG=${cluster.kubeconfig}\nthen: kubectl apply --server-side -k deploy/kubernetes/base; Ctrl-C stops it\n`);
}
