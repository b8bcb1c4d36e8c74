import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Catalog } from '../../../src/catalog/index.js';
import { isFree } from '../../../src/net/free-ports.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { freePorts } from '../../helpers/ports.js';

/** `sre up` must refuse to half-start: a taken port is named, and nothing is started. */
let test: TestCatalog;
let catalog: Catalog;
let squatter: Server;

beforeAll(async () => {
  const [prometheus, alertmanager, otlpHttp, otlpGrpc, health, metrics, jaegerUi, jaegerGrpc, jaegerOtlp, jaegerMetrics] = (await freePorts(10)).map((port) => `127.0.0.1:${port}`);
  test = await testCatalog((spec) => {
    spec.stack = {
      prometheus, alertmanager, collector_otlp_http: otlpHttp, collector_otlp_grpc: otlpGrpc, collector_health: health, collector_metrics: metrics,
      jaeger_ui: jaegerUi, jaeger_query_grpc: jaegerGrpc, jaeger_otlp_grpc: jaegerOtlp, jaeger_metrics: jaegerMetrics,
    };
  });
  catalog = loadCatalog(test.file);
  // Taken: a port only Jaeger's OTLP receiver uses, not the one sre up probes for health.
  squatter = createServer();
  const port = Number(catalog.stack.jaeger_otlp_grpc.split(':')[1]);
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
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
    const port = catalog.stack.jaeger_otlp_grpc.split(':')[1] ?? '';
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`port ${port} on 127.0.0.1 (jaeger OTLP gRPC) is already in use`);
    expect(result.stdout).not.toMatch(/http:\/\//);
    for (const address of [catalog.stack.jaeger_ui, catalog.stack.collector_health, catalog.gateway.listen, catalog.stack.prometheus]) {
      const [host = '', portText = ''] = address.split(':');
      expect(await isFree(Number(portText), host), address).toBe(true);
    }
  });
});
