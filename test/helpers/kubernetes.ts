import { execFile } from 'node:child_process';
import { startKubernetes, type RunningKubernetes } from '../../src/dev/local-kubernetes.js';
import { findTool } from '../../src/tools/find-tool.js';
import { useRealServer } from './real-server.js';

/**
 * One real API server (etcd and kube-apiserver) for the test file that calls this at its top level,
 * started before its tests and stopped after them.
 */
export function useKubernetes(): () => RunningKubernetes {
  return useRealServer('the API server', () => startKubernetes(), 120_000);
}

export interface KubectlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built kubectl against the test's API server (or any kubeconfig), run to its end. */
export function kubectl(cluster: Pick<RunningKubernetes, 'kubeconfig'>, ...args: string[]): Promise<KubectlRun> {
  return new Promise((resolve) => {
    execFile(findTool('kubectl'), args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** What a kubelet would report for pods it runs: Running and Ready (no kubelet runs on the test rig). */
export async function markPodsReady(cluster: Pick<RunningKubernetes, 'kubeconfig'>, namespace: string, pods: readonly string[]): Promise<void> {
  const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  for (const pod of pods) {
    const run = await kubectl(cluster, 'patch', 'pod', pod, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status }));
    if (run.code !== 0) throw new Error(`marking pod ${namespace}/${pod} ready: ${run.stderr}`);
  }
}

/**
 * Plays Chaos Mesh's controller for the NetworkChaos objects of a namespace until stopped: reports
 * each new one injected (condition AllInjected), as the controller does once the pods have the fault.
 */
export function driveChaosMesh(cluster: Pick<RunningKubernetes, 'kubeconfig'>, namespace: string): { stop(): void } {
  const state = { running: true };
  const status = { experiment: {}, conditions: [{ type: 'Selected', status: 'True' }, { type: 'AllInjected', status: 'True' }] };
  void (async () => {
    while (state.running) {
      const list = await kubectl(cluster, 'get', 'networkchaos', '-n', namespace, '-o', 'json');
      const items = list.code === 0 ? (JSON.parse(list.stdout) as { items: { metadata: { name: string }; status?: { conditions?: unknown[] } }[] }).items : [];
      for (const item of items.filter((i) => !i.status?.conditions)) await kubectl(cluster, 'patch', 'networkchaos', item.metadata.name, '-n', namespace, '--type=merge', '-p', JSON.stringify({ status }));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return {
    stop() {
      state.running = false;
    },
  };
}
