import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { OpenCostClient, openCostInventory } from '../../../src/cost/opencost.js';
import { pricesOf } from '../../../src/cost/pricing.js';
import { costReport } from '../../../src/cost/report.js';
import { runSre } from '../../helpers/sre-cli.js';

/**
 * OpenCost cannot be built here: a stand-in serves the allocation response as OpenCost documents it
 * (/allocation/compute, aggregated by controller, accumulated) and records the exact queries it gets.
 */
const catalog = loadCatalog('slo/catalog.yaml');
const WINDOW = { start: '2026-11-30T00:00:00Z', end: '2026-12-07T00:00:00Z' }; // 168 hours

function allocation(name: string, namespace: string, totalCost: number, cpuCoreHours: number, ramByteHours: number) {
  const [controllerKind, controller] = name.split(':');
  return {
    name,
    properties: { cluster: 'cluster-one', namespace, controllerKind, controller },
    window: WINDOW,
    start: WINDOW.start,
    end: WINDOW.end,
    minutes: 10_080,
    cpuCores: cpuCoreHours / 168,
    cpuCoreRequestAverage: cpuCoreHours / 168,
    cpuCoreUsageAverage: 0.05,
    cpuCoreHours,
    cpuCost: totalCost * 0.8,
    ramBytes: ramByteHours / 168,
    ramByteHours,
    ramCost: totalCost * 0.2,
    pvCost: 0,
    networkCost: 0,
    sharedCost: 0,
    externalCost: 0,
    totalCost,
    totalEfficiency: 0.3,
  };
}

const GIB_HOURS = 1024 ** 3 * 168;
// Every catalog component at 168 x $0.10 a week = $16.80 a week, $73 a month; the gateway $0.20/h.
const components = ['gateway', ...catalog.services.map((service) => service.id)];
const body = {
  code: 200,
  data: [
    Object.fromEntries([
      ...components.map((id) => [`deployment:${id}`, allocation(`deployment:${id}`, 'pyairtable', id === 'gateway' ? 33.6 : 16.8, 168, GIB_HOURS)]),
      ['__idle__', { name: '__idle__', properties: { cluster: 'cluster-one' }, window: WINDOW, totalCost: 8.4 }],
    ]),
  ],
};

describe('the OpenCost inventory of sre cost report', () => {
  let server: Server;
  let url: string;
  const requests: { path: string; query: Record<string, string> }[] = [];
  let answer: { status: number; text: string } = { status: 200, text: JSON.stringify(body) };
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const parsed = new URL(request.url ?? '/', 'http://opencost');
      requests.push({ path: parsed.pathname, query: Object.fromEntries(parsed.searchParams) });
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.text);
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it('asks for /allocation/compute by controller over the window, accumulated, with idle, in one namespace', async () => {
    requests.length = 0;
    const allocations = await new OpenCostClient(new URL(url)).allocations('7d', 'pyairtable');
    expect(requests).toEqual([{ path: '/allocation/compute', query: { window: '7d', aggregate: 'controller', accumulate: 'true', includeIdle: 'true', filter: 'namespace:"pyairtable"' } }]);
    expect(allocations).toHaveLength(components.length + 1);
  });

  it('uses OpenCost\'s totals as they are, per hour of the window times 730, idle shown apart', async () => {
    const allocations = await new OpenCostClient(new URL(url)).allocations('7d');
    const inventory = openCostInventory(allocations, catalog, pricesOf(catalog), 'test');
    expect(inventory.unknown).toEqual([]);
    expect(inventory.idleMonthlyUsd).toBeCloseTo((8.4 / 168) * 730, 9);
    const gateway = inventory.entries.find((entry) => entry.component === 'gateway');
    expect(gateway).toMatchObject({ workload: 'deployment:gateway', resources: { cpuCores: 1, memoryGib: 1 } });
    expect(gateway?.monthlyUsd).toBeCloseTo(0.2 * 730, 9);
    const report = costReport({ catalog, inventory });
    // $0.20/h for the gateway and $0.10/h for each of seven services: $0.90/h, $657 a month, over the $258.72 baseline.
    expect(report.totals.current_monthly_usd).toBeCloseTo(0.9 * 730, 9);
    expect(report.verdict).toBe('not met');
  });

  it('through the command: the source named, exit 1 on these totals; a controller the catalog does not know is named, exit 2', async () => {
    const run = await runSre(['cost', 'report', '--opencost', url, '--namespace', 'pyairtable']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`source: opencost (${url} /allocation/compute, window 7d, by controller, namespace pyairtable)`);
    expect(run.stdout).toContain(`idle capacity (not attributed): $${((8.4 / 168) * 730).toFixed(2)} a month`);
    const withUnknown = { code: 200, data: [{ ...body.data[0], 'statefulset:reports-db': allocation('statefulset:reports-db', 'pyairtable', 5, 10, 10) }] };
    answer = { status: 200, text: JSON.stringify(withUnknown) };
    const unknown = await runSre(['cost', 'report', '--opencost', url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain('problem: statefulset:reports-db in pyairtable is not a component the catalog knows');
  });

  it('exits 2 with OpenCost\'s own words when it answers an error or something that is not an allocation response', async () => {
    answer = { status: 500, text: '{"code":500,"message":"Error: prometheus unreachable"}' };
    const failed = await runSre(['cost', 'report', '--opencost', url]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('cost report: OpenCost answered 500 to /allocation/compute?window=7d&aggregate=controller&accumulate=true&includeIdle=true: {"code":500,"message":"Error: prometheus unreachable"}');
    answer = { status: 200, text: '{"code":200,"data":[{"deployment:gateway":{"name":"deployment:gateway"}}]}' };
    const malformed = await runSre(['cost', 'report', '--opencost', url]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/cost report: OpenCost's answer to \/allocation\/compute is not an allocation response: data\.0\.deployment:gateway\.\w+: /);
  });
});
