import { afterAll, beforeAll } from 'vitest';
import { startKubernetes, type RunningKubernetes } from '../../src/dev/local-kubernetes.js';

/**
 * One real API server (etcd and kube-apiserver) for the test file that calls this at its top level,
 * started before its tests and stopped after them.
 */
export function useKubernetes(): () => RunningKubernetes {
  let cluster: RunningKubernetes | undefined;
  beforeAll(async () => {
    cluster = await startKubernetes();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the API server is not running: call useKubernetes() at the top level of the test file');
    return cluster;
  };
}
