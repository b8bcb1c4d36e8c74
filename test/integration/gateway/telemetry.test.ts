import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { getPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { leLabel } from '../../../src/catalog/conventions.js';
import { EXPORT_WORKER_NICE } from '../../../src/telemetry/span-export-messages.js';
import { testCatalog } from '../../helpers/catalog.js';
import { waitFor } from '../../helpers/wait.js';
import { metricsText, sampleValue } from '../../helpers/http.js';
import { OtlpReceiver } from '../../helpers/otlp-receiver.js';
import { startStack, type Stack } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { findTool as requireTool } from '../../../src/tools/find-tool.js';
import { run } from '../../helpers/tools.js';

let stack: Stack;
let receiver: OtlpReceiver;
let apiKey: string;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  stack = await startStack(await testCatalog(), {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
  });
  apiKey = stackSecrets(stack.catalog.dir).apiKey;
});
afterAll(async () => {
  await stack.stop();
  await receiver.close();
});

async function waitForSpans(traceId: string, count: number): Promise<OtlpReceiver['spans']> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    if (spans.length >= count) return spans;
    await sleep(50);
  }
  return receiver.spans.filter((span) => span.traceId === traceId);
}

describe('W3C trace context', () => {
  it('continues the caller trace: the simulator sees the gateway client span as parent, and both spans are exported', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const response = await fetch(`${stack.gatewayUrl}/api/workspaces/ws-ops?x=1`, { headers: { 'x-api-key': apiKey, traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(response.status).toBe(200);

    const received = (await (await fetch(`${stack.adminUrl}/services/workspace/requests?limit=1`)).json()) as { requests: { headers: Record<string, string> }[] };
    const upstreamTraceparent = received.requests.at(-1)?.headers.traceparent ?? '';
    const [, upstreamTrace, upstreamParent, flags] = upstreamTraceparent.split('-');
    expect(upstreamTrace).toBe(traceId);
    expect(flags).toBe('01');

    const spans = await waitForSpans(traceId, 2);
    const server = spans.find((span) => span.kind === 2);
    const client = spans.find((span) => span.kind === 3);
    expect(server).toMatchObject({
      parentSpanId: callerSpan,
      name: 'GET /api/workspaces/{workspaceId}',
      serviceName: 'pyairtable-gateway',
      attributes: { 'http.request.method': 'GET', 'http.route': '/api/workspaces/{workspaceId}', 'http.response.status_code': 200 },
    });
    expect(client).toMatchObject({ parentSpanId: server?.spanId, attributes: { 'http.response.status_code': 200, 'server.address': '127.0.0.1' } });
    expect(upstreamParent).toBe(client?.spanId);
  });

  it('starts a new trace for a request without traceparent and still propagates one', async () => {
    await fetch(`${stack.gatewayUrl}/api/users/u-9`, { headers: { 'x-api-key': apiKey } });
    const received = (await (await fetch(`${stack.adminUrl}/services/user/requests?limit=1`)).json()) as { requests: { headers: Record<string, string> }[] };
    expect(received.requests.at(-1)?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('puts trace ids on histogram exemplars in the OpenMetrics exposition only', async () => {
    const traceId = 'aaaabbbbccccddddeeeeffff00001111';
    await fetch(`${stack.gatewayUrl}/api/workspaces`, { headers: { 'x-api-key': apiKey, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const openMetrics = await (await fetch(`${stack.gatewayUrl}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })).text();
    expect(openMetrics).toMatch(new RegExp(`http_server_request_duration_seconds_bucket\\{[^}]*service="workspace"[^}]*\\} \\d+ # \\{trace_id="${traceId}",span_id="[0-9a-f]{16}"\\}`));
    expect(openMetrics.trimEnd().endsWith('# EOF')).toBe(true);
    // The same counters keep their _total names in both formats after an OpenMetrics render.
    expect(await metricsText(stack.gatewayUrl)).toContain('# TYPE gateway_auth_failures_total counter');
    expect(await metricsText(stack.gatewayUrl)).not.toContain('trace_id');
  });
});

describe('the live /metrics exposition', () => {
  it('passes promtool check metrics, for the gateway and for the simulator', async () => {
    const promtool = requireTool('promtool');
    await fetch(`${stack.gatewayUrl}/api/users/me`);
    for (const url of [`${stack.gatewayUrl}/metrics`, `${stack.adminUrl}/metrics`]) {
      const result = run(promtool, ['check', 'metrics'], await (await fetch(url)).text());
      expect(result, `${url}: ${result.output}`).toMatchObject({ status: 0 });
    }
  });

  it('has 0.1 s as an exact bucket boundary, spelled as prom-client spells it', async () => {
    await fetch(`${stack.gatewayUrl}/api/users/me`, { headers: { 'x-api-key': apiKey } });
    const exposition = await metricsText(stack.gatewayUrl);
    expect(exposition).toMatch(/http_server_request_duration_seconds_bucket\{le="0\.1",service="user"/);
    const boundaries = new Set([...exposition.matchAll(/http_server_request_duration_seconds_bucket\{le="([^"]+)",service="user"/g)].map((m) => m[1]));
    const catalog = loadCatalog(stack.catalog.file);
    expect([...boundaries]).toEqual([...catalog.histogramBuckets.map(leLabel), '+Inf']);
    expect([...boundaries]).toEqual(expect.arrayContaining(catalog.slos.flatMap((slo) => (slo.id === 'latency' ? [leLabel(slo.thresholdSeconds)] : []))));
  });
});

/** Each thread's nice value, by thread id, from /proc (field 19 of stat, counted after the name). */
function threadNiceValues(pid: number): Map<number, number> {
  const values = new Map<number, number>();
  for (const threadId of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${threadId}/stat`, 'utf8');
    values.set(Number(threadId), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return values;
}

describe('the span export worker', () => {
  it('runs at a lower scheduling priority, while the thread serving requests keeps the priority the gateway started with', async () => {
    const pid = stack.gateway.child.pid ?? 0;
    const lowered = await waitFor(`a gateway thread at nice ${EXPORT_WORKER_NICE}`, 5_000, () => {
      const threads = [...threadNiceValues(pid)].filter(([, nice]) => nice === EXPORT_WORKER_NICE);
      return threads.length > 0 ? threads : undefined;
    }, 50);
    expect(lowered).toHaveLength(1);
    expect(lowered[0]?.[0]).not.toBe(pid);
    expect(threadNiceValues(pid).get(pid)).toBe(getPriority(process.pid));
  });
});

describe('spans the export worker could not take', () => {
  it('are dropped past OTEL_BSP_MAX_QUEUE_SIZE and counted in gateway_spans_dropped_total', async () => {
    // A queue of one: a request's client span waits to be posted, so its server span finds the queue full.
    const small = await startStack(await testCatalog(), {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_MAX_QUEUE_SIZE: '1',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    });
    try {
      const key = stackSecrets(small.catalog.dir).apiKey;
      expect(sampleValue(await metricsText(small.gatewayUrl), 'gateway_spans_dropped_total', { reason: 'queue_full' })).toBe(0);
      expect((await fetch(`${small.gatewayUrl}/api/users/u-1`, { headers: { 'x-api-key': key } })).status).toBe(200);
      const metrics = await metricsText(small.gatewayUrl);
      expect(sampleValue(metrics, 'gateway_spans_dropped_total', { reason: 'queue_full' })).toBe(1);
      expect(sampleValue(metrics, 'gateway_spans_dropped_total', { reason: 'export_failed' })).toBe(0);
    } finally {
      await small.stop();
    }
  });

  it('are counted as queue_full when the export worker holds OTEL_BSP_MAX_QUEUE_SIZE spans that the collector does not take', async () => {
    // A collector that does not answer: the first batch of two stays in flight, two more wait behind
    // it. Once the test has read the counts it refuses, so that the gateway's shutdown is quick.
    let answering = false;
    const collector = createServer((_req, res) => {
      if (answering) res.writeHead(400).end();
    });
    const stuck = await stackExportingTo(collector, { OTEL_EXPORTER_OTLP_TIMEOUT: '60000', OTEL_BSP_MAX_QUEUE_SIZE: '4', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2' });
    try {
      const key = stackSecrets(stuck.catalog.dir).apiKey;
      // One request at a time, each one's two spans handed to the worker before the next.
      for (let request = 0; request < 5; request++) {
        expect((await fetch(`${stuck.gatewayUrl}/api/users/u-1`, { headers: { 'x-api-key': key } })).status).toBe(200);
        await sleep(300);
      }
      const metrics = await metricsText(stuck.gatewayUrl);
      expect(sampleValue(metrics, 'gateway_spans_dropped_total', { reason: 'queue_full' })).toBe(10 - 4);
      expect(sampleValue(metrics, 'gateway_spans_dropped_total', { reason: 'export_failed' })).toBe(0);
    } finally {
      answering = true;
      await stopBoth(stuck, collector);
    }
  });

  it('are counted as export_failed when the collector refuses their batch, and logged with the count', async () => {
    const refused: string[] = [];
    const collector = createServer((req, res) => {
      refused.push(req.url ?? '');
      req.resume();
      req.on('end', () => { res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"refused by the test"}'); });
    });
    const refusing = await stackExportingTo(collector, { OTEL_BSP_SCHEDULE_DELAY: '100' });
    try {
      const key = stackSecrets(refusing.catalog.dir).apiKey;
      expect((await fetch(`${refusing.gatewayUrl}/api/users/u-1`, { headers: { 'x-api-key': key } })).status).toBe(200);
      // The server and client span of that request, in the batch the collector refused.
      const failed = await waitFor('the refused export to be counted', 10_000, async () => {
        const value = sampleValue(await metricsText(refusing.gatewayUrl), 'gateway_spans_dropped_total', { reason: 'export_failed' });
        return value !== undefined && value > 0 ? value : undefined;
      }, 100);
      expect(failed).toBe(2);
      expect(refused).toEqual(['/v1/traces']);
      const logged = await waitFor('the dropped spans to be logged', 5_000, () => refusing.gateway.logs().split('\n').find((line) => line.includes('"reason":"export_failed"')), 100);
      expect(JSON.parse(logged)).toMatchObject({ level: 40, dropped_spans: 2, reason: 'export_failed' });
    } finally {
      await stopBoth(refusing, collector);
    }
  });
});

/** A stack whose gateway exports every span as OTLP/JSON to `collector`, a test's own server, started here. */
async function stackExportingTo(collector: Server, env: NodeJS.ProcessEnv): Promise<Stack> {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const address = collector.address();
  return startStack(await testCatalog(), {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    ...env,
  });
}

/** Drops the collector's open exports (the gateway's shutdown then fails them at once), stops the stack, then the collector. */
async function stopBoth(stack: Stack, collector: Server): Promise<void> {
  collector.closeAllConnections();
  await stack.stop();
  await new Promise((resolve) => collector.close(resolve));
}
