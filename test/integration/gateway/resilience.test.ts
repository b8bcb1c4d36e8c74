import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceOf, testCatalog } from '../../helpers/catalog.js';
import { metricsText, sampleValue } from '../../helpers/http.js';
import { startStack, type Stack } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';

let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  stack = await startStack(
    await testCatalog((catalog) => {
      // Short breaker and timeout settings so the test sees every state in seconds.
      serviceOf(catalog, 'user').resilience = { timeout: '2s', breaker: { consecutive_failures: 5, half_open_after: '1s', max_half_open_after: '2s' } };
      serviceOf(catalog, 'workspace').resilience = { timeout: '500ms' };
      serviceOf(catalog, 'permission').resilience = { retries: { max_attempts: 3 } };
      serviceOf(catalog, 'automation-domain').resilience = { max_concurrency: 2 };
    }),
  );
  apiKey = stackSecrets(stack.catalog.dir).apiKey;
});
afterAll(async () => {
  await stack.stop();
});
afterEach(async () => {
  await fetch(`${stack.adminUrl}/faults`, { method: 'DELETE' });
});

async function setFault(service: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.adminUrl}/faults/${service}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  expect(response.status).toBe(200);
}

async function received(service: string): Promise<number> {
  const body = (await (await fetch(`${stack.adminUrl}/services/${service}/requests?limit=500`)).json()) as { requests: unknown[] };
  return body.requests.length;
}

async function call(path: string): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const response = await fetch(`${stack.gatewayUrl}${path}`, { headers: { 'x-api-key': apiKey } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get('retry-after') };
}

async function circuit(service: string): Promise<string | undefined> {
  const exposition = await metricsText(stack.gatewayUrl);
  return ['closed', 'open', 'half_open'].find((state) => sampleValue(exposition, 'gateway_upstream_circuit_state', { service, state }) === 1);
}

describe('circuit breaker against the simulator fault API', () => {
  it('opens after 5 consecutive failures, fails fast without calling the upstream, then half-opens and closes', async () => {
    expect(await circuit('user')).toBe('closed');
    await setFault('user', { error_ratio: 1, error_status: 503 });
    for (let index = 0; index < 5; index++) expect((await call('/api/users/u-1')).status).toBe(503);
    expect(await circuit('user')).toBe('open');

    const before = await received('user');
    const rejected = await call('/api/users/u-1');
    expect(rejected).toMatchObject({ status: 503, body: { error: 'circuit_open', upstream: 'user' } });
    expect(rejected.retryAfter).toMatch(/^\d+$/);
    expect(await received('user')).toBe(before);
    expect(sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_rejected_requests_total', { service: 'user', reason: 'circuit_open' })).toBeGreaterThanOrEqual(1);

    await setFault('user', {});
    await sleep(1_100);
    // The first call after the half-open delay is the probe; it succeeds and closes the circuit.
    expect((await call('/api/users/u-1')).status).toBe(200);
    expect(await received('user')).toBe(before + 1);
    expect(await circuit('user')).toBe('closed');
    expect((await call('/api/users/u-2')).status).toBe(200);
  });

  it('re-opens when the half-open probe fails', async () => {
    await setFault('user', { error_ratio: 1 });
    for (let index = 0; index < 5; index++) await call('/api/users/u-1');
    expect(await circuit('user')).toBe('open');
    await sleep(1_100);
    const before = await received('user');
    expect((await call('/api/users/u-1')).status).toBe(500);
    expect(await received('user')).toBe(before + 1);
    expect(await circuit('user')).toBe('open');
    expect((await call('/api/users/u-1')).body).toMatchObject({ error: 'circuit_open' });
    await setFault('user', {});
    await sleep(2_100);
    expect((await call('/api/users/u-1')).status).toBe(200);
    expect(await circuit('user')).toBe('closed');
  });

  it('keeps other upstreams unaffected while one circuit is open', async () => {
    await setFault('user', { error_ratio: 1 });
    for (let index = 0; index < 5; index++) await call('/api/users/u-1');
    expect((await call('/api/workspaces')).status).toBe(200);
    await setFault('user', {});
    await sleep(2_100);
    await call('/api/users/u-1');
  });
});

describe('upstream failures answer 502/503/504 with a JSON body naming the upstream', () => {
  it('answers 504 when the upstream hangs past its timeout', async () => {
    await setFault('workspace', { hang: true });
    const result = await call('/api/workspaces');
    expect(result).toMatchObject({ status: 504, body: { error: 'upstream_timeout', upstream: 'workspace' } });
  });

  it('answers 502 when the upstream refuses connections', async () => {
    await setFault('workspace', { refuse_connections: true });
    const result = await call('/api/workspaces');
    expect(result).toMatchObject({ status: 502, body: { error: 'upstream_unavailable', upstream: 'workspace' } });
    expect(String(result.body.message)).toContain('ECONNREFUSED');
  });

  it('reports a refused upstream in /api/health and /readyz', async () => {
    await setFault('workspace', { refuse_connections: true });
    await sleep(2_100);
    const health = (await (await fetch(`${stack.gatewayUrl}/api/health`)).json()) as { status: string; upstreams: { service: string; healthy: boolean }[] };
    expect(health.status).toBe('unhealthy');
    expect(health.upstreams.find((u) => u.service === 'workspace')?.healthy).toBe(false);
    expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${stack.gatewayUrl}/readyz?strict=1`)).status).toBe(503);
  });
});

describe('concurrency limit', () => {
  it('answers 503 at once to a call beyond the limit, without calling the upstream, and frees the slots when calls end', async () => {
    await setFault('automation-domain', { latency_ms: 1_500 });
    const rejectedBefore = sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_rejected_requests_total', { service: 'automation-domain', reason: 'concurrency_limit' }) ?? 0;
    const receivedBefore = await received('automation-domain');
    const slow = [call('/api/workflows'), call('/api/workflows')];
    // Both slow calls must hold their slots before the third one arrives.
    await sleep(300);
    const started = performance.now();
    const third = await call('/api/workflows');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(third).toMatchObject({ status: 503, retryAfter: '1', body: { error: 'upstream_saturated', upstream: 'automation-domain' } });
    expect((await Promise.all(slow)).map((result) => result.status)).toEqual([200, 200]);
    expect((await received('automation-domain')) - receivedBefore).toBe(2);
    expect((sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_rejected_requests_total', { service: 'automation-domain', reason: 'concurrency_limit' }) ?? 0) - rejectedBefore).toBe(1);
    // A refusal is not a failure of the upstream: its circuit stays closed.
    expect(await circuit('automation-domain')).toBe('closed');
    await fetch(`${stack.adminUrl}/faults`, { method: 'DELETE' });
    expect((await Promise.all([call('/api/workflows'), call('/api/workflows')])).map((result) => result.status)).toEqual([200, 200]);
  });
});

describe('retries', () => {
  it('retries an idempotent GET on a refused connection and counts the retries', async () => {
    await setFault('permission', { refuse_connections: true });
    const before = sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_retries_total', { service: 'permission' }) ?? 0;
    expect((await call('/api/permissions/check')).status).toBe(502);
    const after = sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_retries_total', { service: 'permission' }) ?? 0;
    expect(after - before).toBe(2);
  });

  it('never retries a POST', async () => {
    await setFault('permission', { refuse_connections: true });
    const before = sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_retries_total', { service: 'permission' }) ?? 0;
    const response = await fetch(`${stack.gatewayUrl}/api/permissions/check`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: '{"action":"read","resource":"r"}' });
    expect(response.status).toBe(502);
    expect(sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_retries_total', { service: 'permission' }) ?? 0).toBe(before);
  });
});
