import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { GATEWAY_JOB } from '../../../src/catalog/conventions.js';
import { loadTest } from '../../../src/loadtest/load-test.js';
import { SECRET_FILES } from '../../../src/state/secrets.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { startStack, type Stack } from '../../helpers/processes.js';
import { startPrometheus, type RunningPrometheus } from '../../../src/dev/local-prometheus.js';
import { stackSecrets } from '../../helpers/secrets.js';

/** The gate's second view: the gateway's own SLI in a real Prometheus, over the run's window. */
let catalog: TestCatalog;
let stack: Stack;
let prometheus: RunningPrometheus;

beforeAll(async () => {
  catalog = await testCatalog((edit) => {
    (edit.traffic as { profiles: Record<string, unknown> }).profiles.quick = { executor: 'constant-arrival-rate', scale: 0.25, duration: '8s', min_samples: 5 };
  });
  stack = await startStack(catalog);
  prometheus = await startPrometheus(catalog.dir, { [GATEWAY_JOB]: `127.0.0.1:${catalog.gatewayPort}` });
}, 60_000);

afterAll(async () => {
  await prometheus.stop();
  await stack.stop();
});

describe('the server-side view', () => {
  it('reads the SLI the gateway recorded over the run, and it agrees with the client\'s', async () => {
    // 20 % errors on user: large enough that both views count them, whatever the sampling.
    await fetch(`${stack.adminUrl}/faults/user`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error_ratio: 0.2 }) });
    // rate() cannot count what a series held at its first scrape: let the 500 series exist before
    // the run, as they do in production, and let the scrapes see them (docs/load-gate.md).
    const { apiKey } = stackSecrets(catalog.dir);
    for (let index = 0; index < 40; index++) {
      for (const path of ['/api/users/me', '/api/users/u-1']) await (await fetch(`${stack.gatewayUrl}${path}`, { headers: { 'x-api-key': apiKey } })).arrayBuffer();
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { report } = await loadTest({
      catalog: loadCatalog(catalog.file),
      profile: 'quick',
      target: new URL(stack.gatewayUrl),
      gate: false,
      prometheus: new URL(prometheus.url),
      identities: { apiKeyFile: join(catalog.dir, SECRET_FILES.apiKeys), passwordFile: undefined },
    });
    await fetch(`${stack.adminUrl}/faults`, { method: 'DELETE' });
    const user = report.slos.find((slo) => slo.service === 'user' && slo.slo === 'availability');
    // By hand from the client's own counts: failures over requests.
    expect(user?.error_ratio).toBeCloseTo((user?.failures ?? 0) / (user?.requests ?? 1), 5);
    expect(user?.error_ratio).toBeGreaterThan(0.1);
    expect(user?.server_error_ratio).not.toBeNull();
    expect(Math.abs((user?.server_error_ratio ?? 0) - (user?.error_ratio ?? 0))).toBeLessThan(0.05);
    expect(user?.verdict).toBe('broken');
    // A healthy service: no errors in either view.
    const permission = report.slos.find((slo) => slo.service === 'permission' && slo.slo === 'availability');
    expect(permission).toMatchObject({ error_ratio: 0, server_error_ratio: 0, disagreement: false });
    // The server view's query is the recording rules' own, over the run's length.
    expect(readFileSync(join(catalog.dir, 'prometheus.yml'), 'utf8')).toContain(`job_name: ${GATEWAY_JOB}`);
  }, 90_000);
});
