import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { toxiproxyName } from '../../../src/catalog/conventions.js';
import { freePorts, isFree } from '../../../src/net/free-ports.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { runSre } from '../../helpers/sre-cli.js';
import { waitFor } from '../../helpers/wait.js';

const OFFSET = 1_000;

/**
 * Moves the test catalog's services to ports whose proxy ports (+ OFFSET) are free too, below the
 * ephemeral range and clear of every address the catalog already uses: a proxy port taken by some
 * outgoing connection would make sre up refuse to start, rightly.
 */
async function withFreeProxyPorts(test: TestCatalog): Promise<Record<string, number>> {
  const spec = parse(readFileSync(test.file, 'utf8')) as { services: { id: string; upstream: string }[] };
  const taken = new Set([test.gatewayPort, test.adminPort, test.controlPlanePort, ...Object.values(test.stack).map((address) => Number(address.split(':')[1]))]);
  const ports: Record<string, number> = {};
  for (const service of spec.services) {
    for (;;) {
      const [port = 0] = await freePorts(1);
      const clear = (p: number): boolean => !taken.has(p) && p < 32_000;
      if (clear(port) && clear(port + OFFSET) && (await isFree(port + OFFSET))) {
        ports[service.id] = port;
        service.upstream = `http://127.0.0.1:${port}`;
        for (const p of [port, port + OFFSET]) taken.add(p);
        break;
      }
    }
  }
  writeFileSync(test.file, stringify(spec));
  return ports;
}

/** `sre up` with stack.toxiproxy_in_path: Toxiproxy between the gateway and every simulated service. */
describe('sre up with Toxiproxy in the path', () => {
  it('routes the gateway through one proxy per service, so that a toxic reaches real requests', async () => {
    const test = await testCatalog((spec) => {
      Object.assign(spec.stack as Record<string, unknown>, { toxiproxy_in_path: true, toxiproxy_port_offset: OFFSET });
    });
    const servicePorts = await withFreeProxyPorts(test);
    const api = `http://${test.stack.toxiproxy ?? ''}`;
    const child = spawn(process.execPath, ['bin/sre.js', 'up', '--catalog', test.file, '--only', 'simulator,toxiproxy,gateway', '--status-interval', '0'], { env: { ...process.env, SRE_STATE_DIR: test.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor('sre up to start', 60_000, () => {
        if (child.exitCode !== null) throw new Error(`sre up exited with ${child.exitCode}:\n${output}`);
        return /^logs: /m.test(output) ? true : undefined;
      });
      const workspacePort = servicePorts.workspace ?? 0;
      expect(output).toContain(`workspace http://127.0.0.1:${workspacePort} (simulated; the gateway reaches it through Toxiproxy proxy pyairtable-workspace on 127.0.0.1:${workspacePort + OFFSET})`);
      const proxies = (await (await fetch(`${api}/proxies`)).json()) as Record<string, { listen: string; upstream: string; enabled: boolean }>;
      expect(proxies[toxiproxyName('workspace')]).toMatchObject({ listen: `127.0.0.1:${workspacePort + OFFSET}`, upstream: `127.0.0.1:${workspacePort}`, enabled: true });
      expect(Object.keys(proxies).sort()).toEqual(Object.keys(servicePorts).map(toxiproxyName).sort());
      // The gateway's own catalog points at the proxies; the one given stays as it was.
      const gatewayCatalog = parse(readFileSync(join(test.dir, 'gateway-catalog.yaml'), 'utf8')) as { services: { id: string; upstream: string }[] };
      expect(gatewayCatalog.services.find((s) => s.id === 'workspace')?.upstream).toBe(`http://127.0.0.1:${workspacePort + OFFSET}`);

      const gateway = `http://127.0.0.1:${test.gatewayPort}`;
      const timed = async (): Promise<[number, number]> => {
        const started = performance.now();
        const response = await fetch(`${gateway}/api/workspaces/ws-ops`, { headers: { 'x-api-key': stackSecrets(test.dir).apiKey } });
        await response.arrayBuffer();
        return [response.status, performance.now() - started];
      };
      expect((await timed())[0]).toBe(200);
      const toxic = await fetch(`${api}/proxies/${toxiproxyName('workspace')}/toxics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'slow', type: 'latency', attributes: { latency: 400 } }) });
      expect(toxic.status).toBe(200);
      const [status, ms] = await timed();
      expect(status).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(400);
      expect((await fetch(`${api}/proxies/${toxiproxyName('workspace')}/toxics/slow`, { method: 'DELETE' })).status).toBe(204);
      // sre chaos run finds this Toxiproxy from the catalog: its dry run plans the toxic there.
      const dryRun = await runSre(['chaos', 'run', 'chaos/workspace-network-latency.yaml', '--catalog', test.file, '--dry-run', '--traffic', '0.2'], { SRE_STATE_DIR: test.dir });
      expect(dryRun.stderr, dryRun.stdout).toMatch(/dry run: delay workspace's responses by 150 ms, jitter 50 ms: would add latency toxic sre-chaos-\w+-0 to pyairtable-workspace/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
