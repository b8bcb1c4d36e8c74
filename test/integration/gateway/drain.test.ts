import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCatalog } from '../../helpers/catalog.js';
import { OtlpReceiver } from '../../helpers/otlp-receiver.js';
import { freePorts } from '../../../src/net/free-ports.js';
import { startSre, startStack, type Stack } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { waitFor } from '../../helpers/wait.js';

let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  stack = await startStack(await testCatalog());
  apiKey = stackSecrets(stack.catalog.dir).apiKey;
});
afterAll(async () => {
  await stack.stop();
});

function slowRequest(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: stack.catalog.gatewayPort, path: '/api/airtable/bases', headers: { 'x-api-key': apiKey } }, (res) => {
      res.resume();
      res.on('end', () => { resolve(res.statusCode ?? 0); });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful drain on SIGTERM', () => {
  it('finishes every in-flight request, refuses new connections, and exits 0', async () => {
    await fetch(`${stack.adminUrl}/faults/airtable-domain`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"latency_ms": 1500}' });
    const inFlight = Array.from({ length: 20 }, () => slowRequest());
    await sleep(300);
    const exited = stack.gateway.stop();
    await sleep(200);
    await expect(fetch(`http://127.0.0.1:${stack.catalog.gatewayPort}/healthz`)).rejects.toThrow();
    const statuses = await Promise.all(inFlight);
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    expect(await exited).toBe(0);
    expect(stack.gateway.logs()).toContain('"msg":"drained"');
  });
});

describe('shutdown without a collector', () => {
  it('exits 0 within the flush deadline when the OTLP endpoint is unreachable', async () => {
    const catalog = await testCatalog();
    const [deadPort] = await freePorts(1);
    const gateway = await startSre(['gateway'], catalog, `http://127.0.0.1:${catalog.gatewayPort}/healthz`, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort ?? 1}`,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    // Sampled requests leave spans to export (the upstream being down does not matter here).
    await fetch(`http://127.0.0.1:${catalog.gatewayPort}/healthz`);
    await fetch(`http://127.0.0.1:${catalog.gatewayPort}/api/users/me`);
    // The export worker's failures reach the gateway's log, as a readable line (the exporter
    // retries a refused connection for some seconds first).
    const exportFailure = /"level":50,[^\n]*"msg":"opentelemetry: connect ECONNREFUSED 127\.0\.0\.1:\d+"/;
    // Asserted below, once the gateway is stopped, so that a failure leaves no process behind.
    await waitFor('the export failure in the gateway log', 15_000, () => (exportFailure.test(gateway.logs()) ? true : undefined), 100).catch(() => undefined);
    const exitCode = await gateway.stop();
    expect(gateway.logs()).toMatch(exportFailure);
    expect(exitCode).toBe(0);
    expect(gateway.logs()).toContain('"msg":"drained"');
  });
});

describe('spans at shutdown', () => {
  it('exports, before exiting, spans still waiting for their batch in the export worker and on the main thread', async () => {
    const receiver = await OtlpReceiver.start();
    const catalog = await testCatalog();
    const gatewayUrl = `http://127.0.0.1:${catalog.gatewayPort}`;
    const gateway = await startSre(['gateway'], catalog, `${gatewayUrl}/healthz`, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: 'always_on',
      // Nothing would be exported for ten minutes but for the flush at shutdown.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    try {
      const traceIds = ['4bf92f3577b34da6a3ce929d0e0e4736', 'aaaabbbbccccddddeeeeffff00001111'];
      // Unauthenticated: answered by the gateway itself with one server span, no upstream needed.
      await fetch(`${gatewayUrl}/api/users/me`, { headers: { traceparent: `00-${traceIds[0]}-00f067aa0ba902b7-01` } });
      await sleep(500);
      await fetch(`${gatewayUrl}/api/users/me`, { headers: { traceparent: `00-${traceIds[1]}-00f067aa0ba902b7-01` } });
      expect(receiver.spans).toHaveLength(0);
      expect(await gateway.stop()).toBe(0);
      expect(receiver.spans.map((span) => span.traceId).sort()).toEqual([...traceIds].sort());
      expect(receiver.spans.every((span) => span.serviceName === 'pyairtable-gateway')).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
