import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCatalog } from '../../helpers/catalog.js';
import { metricsText, rawRequest, sampleValue } from '../../helpers/http.js';
import { startStack, type Stack } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';
import { waitFor } from '../../helpers/wait.js';

let stack: Stack;
let apiKey: string;

interface LoggedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
}

async function lastReceived(service: string): Promise<LoggedRequest> {
  const body = (await (await fetch(`${stack.adminUrl}/services/${service}/requests?limit=1`)).json()) as { requests: LoggedRequest[] };
  const last = body.requests.at(-1);
  if (!last) throw new Error(`${service} received nothing`);
  return last;
}

beforeAll(async () => {
  stack = await startStack(await testCatalog());
  apiKey = stackSecrets(stack.catalog.dir).apiKey;
});
afterAll(async () => {
  await stack.stop();
});

describe('routing by catalog prefix', () => {
  it.each([
    ['/api/airtable/bases', 'airtable-domain', '/api/v1/airtable/bases'],
    ['/api/workflows', 'automation-domain', '/api/workflows'],
    ['/api/tools', 'ai-domain', '/api/tools'],
    ['/api/users/u-42', 'user', '/api/users/u-42'],
    ['/api/workspaces/ws-ops/members', 'workspace', '/api/workspaces/ws-ops/members'],
  ])('%s reaches %s as %s', async (path, service, upstreamPath) => {
    const response = await fetch(`${stack.gatewayUrl}${path}?view=grid`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-simulated-service')).toBe(service);
    expect((await lastReceived(service)).url).toBe(`${upstreamPath}?view=grid`);
  });

  it('does not route a path that only shares a prefix string (/api/airtablefoo)', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/airtablefoo`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('passes upstream errors through with their status and body', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/airtable/bases/app1/tables/t/records/recMISSING`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found', message: 'record recMISSING does not exist' });
  });
});

describe('forwarded headers', () => {
  it('sets X-Forwarded-*, strips hop-by-hop and credential headers, and replaces spoofed identity', async () => {
    const response = await rawRequest(stack.gatewayUrl, '/api/users/me', {
      headers: {
        'x-api-key': apiKey,
        'x-forwarded-for': '203.0.113.7',
        connection: 'keep-alive, x-remove-me',
        'x-remove-me': 'hop',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'x-authenticated-subject': 'admin',
        'x-kept': 'end-to-end',
      },
    });
    expect(response.status).toBe(200);
    const seen = (await lastReceived('user')).headers;
    expect(seen['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe(`127.0.0.1:${stack.catalog.gatewayPort}`);
    expect(seen['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen['x-kept']).toBe('end-to-end');
    for (const dropped of ['x-remove-me', 'keep-alive', 'te', 'proxy-authorization', 'x-api-key']) expect(seen).not.toHaveProperty(dropped);
    expect(seen['x-authenticated-subject']).toBe('local-operator');
    expect(seen['x-authenticated-by']).toBe('api-key');
    expect(JSON.parse(response.body)).toMatchObject({ id: 'local-operator', tenant: 'local' });
  });
});

describe('streaming', () => {
  it('streams a 5 MiB chunked upload through unchanged', async () => {
    const chunk = Buffer.alloc(256 * 1024, 7);
    const expected = createHash('sha256');
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const target = new URL(stack.gatewayUrl);
      const req = request({ host: target.hostname, port: target.port, method: 'POST', path: '/api/files', headers: { 'x-api-key': apiKey, 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (data: Buffer) => (body += data.toString()));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
      });
      req.on('error', reject);
      for (let index = 0; index < 20; index++) {
        expected.update(chunk);
        req.write(chunk);
      }
      req.end();
    });
    expect(result.status).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({ bytes: 20 * chunk.length, sha256: expected.digest('hex') });
  });

  it('delivers a slow download incrementally rather than buffering it', async () => {
    const arrivals: number[] = [];
    let bytes = 0;
    const started = Date.now();
    const response = await fetch(`${stack.gatewayUrl}/api/files/f1?bytes=${8 * 65536}&chunk_delay_ms=100`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(200);
    for await (const part of response.body ?? []) {
      bytes += (part as Uint8Array).length;
      arrivals.push(Date.now() - started);
    }
    expect(bytes).toBe(8 * 65536);
    // A buffering proxy hands everything over at once, after the last chunk was produced.
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(300);
  });

  it('cancels the upstream download when the client goes away mid-body, records 499, and keeps serving', async () => {
    const route = { service: 'automation-domain', http_route: '/api/files/{fileId}', http_request_method: 'GET', http_response_status_code: '499' };
    const upstreamDone = async (): Promise<number> => sampleValue(await metricsText(stack.adminUrl), 'simulator_requests_total', { service: 'automation-domain', http_response_status_code: '200' }) ?? 0;
    const before = sampleValue(await metricsText(stack.gatewayUrl), 'http_server_request_duration_seconds_count', route) ?? 0;
    const upstreamBefore = await upstreamDone();
    const controller = new AbortController();
    const response = await fetch(`${stack.gatewayUrl}/api/files/f2?bytes=${8 * 65536}&chunk_delay_ms=100`, { headers: { 'x-api-key': apiKey }, signal: controller.signal });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await waitFor('the gateway to record the client as gone', 5_000, async () => {
      const exposition = await metricsText(stack.gatewayUrl);
      const closed = sampleValue(exposition, 'http_server_request_duration_seconds_count', route) ?? 0;
      return closed === before + 1 && sampleValue(exposition, 'gateway_requests_in_flight', {}) === 1 ? true : undefined;
    }, 100);
    // Had the gateway kept reading, the simulator would have sent the rest within a second and counted it.
    await sleep(1_500);
    expect(await upstreamDone()).toBe(upstreamBefore);
    const again = await fetch(`${stack.gatewayUrl}/api/files/f3?bytes=1024`, { headers: { 'x-api-key': apiKey } });
    expect(again.status).toBe(200);
    expect((await again.arrayBuffer()).byteLength).toBe(1024);
  });

  it('streams a download larger than every buffer on the way intact, pausing the upstream while the client is slow', async () => {
    const size = 24 * 1024 * 1024;
    const response = await fetch(`${stack.gatewayUrl}/api/files/big?bytes=${size}`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(200);
    // Not reading for a while fills the socket buffers: the gateway must pause the upstream, then resume it.
    await sleep(500);
    let bytes = 0;
    let foreign = 0;
    for await (const part of response.body ?? []) {
      const chunk = part as Uint8Array;
      bytes += chunk.length;
      for (const byte of chunk) if (byte !== 0x61) foreign++;
    }
    expect(bytes).toBe(size);
    expect(foreign).toBe(0);
  });

  it('breaks the client connection off when the upstream dies mid-body, rather than ending it as if complete', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/files/broken?bytes=${4 * 65536}&fail_after_bytes=${2 * 65536}&chunk_delay_ms=20`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    const again = await fetch(`${stack.gatewayUrl}/api/files/f4?bytes=1024`, { headers: { 'x-api-key': apiKey } });
    expect(again.status).toBe(200);
    expect((await again.arrayBuffer()).byteLength).toBe(1024);
  });

  it('streams server-sent events of a chat completion event by event', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/chat`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    let reads = 0;
    let text = '';
    for await (const part of response.body ?? []) {
      reads++;
      text += Buffer.from(part as Uint8Array).toString();
    }
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(reads).toBeGreaterThan(2);
  });
});
