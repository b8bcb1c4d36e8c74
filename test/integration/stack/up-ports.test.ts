import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, parseHostPort, type Catalog } from '../../../src/catalog/index.js';
import { isFree } from '../../../src/net/free-ports.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';

/** `sre up` must refuse to half-start: a taken port is named, and nothing is started. */
let test: TestCatalog;
let catalog: Catalog;
let squatter: Server;

beforeAll(async () => {
  test = await testCatalog();
  catalog = loadCatalog(test.file);
  // Taken: a port only Jaeger's OTLP receiver uses, not the one sre up probes for health.
  squatter = createServer();
  const { host, port } = parseHostPort(catalog.stack.jaeger_otlp_grpc);
  await new Promise<void>((resolve) => squatter.listen(port, host, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => squatter.close(resolve));
});

describe('sre up with a port taken', () => {
  it('exits 2 naming the port and its component, and starts nothing', async () => {
    const result = spawnSync(process.execPath, ['bin/sre.js', 'up', '--catalog', test.file, '--status-interval', '0'], {
      env: { ...process.env, SRE_STATE_DIR: test.dir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const { host, port } = parseHostPort(catalog.stack.jaeger_otlp_grpc);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`port ${port} on ${host} (jaeger OTLP gRPC) is already in use`);
    expect(result.stdout).not.toMatch(/http:\/\//);
    for (const address of [catalog.stack.jaeger_ui, catalog.stack.collector_health, catalog.gateway.listen, catalog.stack.prometheus]) {
      const listener = parseHostPort(address);
      expect(await isFree(listener.port, listener.host), address).toBe(true);
    }
  });
});
