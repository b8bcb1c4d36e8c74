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

/** The built kubectl against the test's API server, run to its end. */
export function kubectl(cluster: RunningKubernetes, ...args: string[]): Promise<KubectlRun> {
  return new Promise((resolve) => {
    execFile(findTool('kubectl'), args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
