import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectl } from '../../helpers/kubernetes.js';
import { waitFor } from '../../helpers/wait.js';

/** `sre k8s up` as a person runs it: a kubeconfig kubectl can use at once, the CRDs in place, and Ctrl-C stopping everything. */
describe('sre k8s up', () => {
  it('serves kubectl with the CRDs installed, and stops on SIGTERM leaving its API server gone', async () => {
    const state = mkdtempSync(join(tmpdir(), 'sre-k8s-up-'));
    const child = spawn(process.execPath, ['bin/sre.js', 'k8s', 'up'], { env: { ...process.env, SRE_STATE_DIR: state }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const kubeconfig = await waitFor('sre k8s up to print its kubeconfig', 90_000, () => {
        if (child.exitCode !== null) throw new Error(`sre k8s up exited with ${child.exitCode}:\n${output}`);
        return /^export KUBECONFIG=(\S+)$/m.exec(output)?.[1];
      });
      expect(kubeconfig).toBe(join(state, 'kubernetes', 'kubeconfig'));
      const crds = ['httpchaos.chaos-mesh.org', 'networkchaos.chaos-mesh.org', 'podchaos.chaos-mesh.org', 'stresschaos.chaos-mesh.org', 'scaledobjects.keda.sh', 'prometheusrules.monitoring.coreos.com', 'servicemonitors.monitoring.coreos.com'];
      expect(output).toContain(`CRDs installed: ${crds.join(', ')}`);
      const listed = await kubectl({ kubeconfig }, 'get', 'crds', '--output=name');
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout.trim().split('\n').sort()).toEqual(crds.map((crd) => `customresourcedefinition.apiextensions.k8s.io/${crd}`).sort());
      const server = /^kube-apiserver (\S+)$/m.exec(output)?.[1] ?? '';
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(`${server}/readyz`)).rejects.toThrow();
      // Its state stays in the state directory, for the next start.
      expect(existsSync(join(state, 'kubernetes', 'etcd'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
