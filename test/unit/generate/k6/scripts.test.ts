import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../../src/catalog/index.js';
import { capacityStages, execName, goDuration } from '../../../../src/generate/k6/scripts.js';
import { loadPlan, type ArrivalScenario } from '../../../../src/loadtest/plan.js';

/**
 * The generated k6 scripts, run for real in Node with stand-ins for k6's modules that record what the
 * script asks of them: its options, and the requests its scenario functions send.
 */
interface Sent {
  readonly method: string;
  readonly url: string;
  readonly tags: Record<string, string>;
}

const catalog = loadCatalog('slo/catalog.yaml');
const sandbox = mkdtempSync(join(tmpdir(), 'k6-scripts-'));
const k6 = join(sandbox, 'node_modules', 'k6');
mkdirSync(k6, { recursive: true });
writeFileSync(join(k6, 'package.json'), JSON.stringify({ name: 'k6', type: 'module', exports: { '.': './index.js', './http': './http.js' } }));
writeFileSync(join(k6, 'index.js'), 'export const check = () => true; export const sleep = () => undefined;\n');
writeFileSync(
  join(k6, 'http.js'),
  `const http = {
    request(method, url, body, params) { globalThis.__sent.push({ method, url, tags: params.tags }); return { status: 200, body: '{}' }; },
    post() { return { status: 200, json: () => 'token' }; },
    setResponseCallback() {},
    expectedStatuses(...statuses) { return statuses; },
  };
  export default http;\n`,
);
copyFileSync('loadtests/thresholds.json', join(sandbox, 'thresholds.json'));
afterAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

const globals = globalThis as unknown as { __sent: Sent[]; __ENV: Record<string, string>; open: (file: string) => string };
globals.__sent = [];
globals.__ENV = { BASE_URL: 'http://gateway.test' };
globals.open = (file: string) => readFileSync(join(sandbox, file), 'utf8');

function importScript(profile: string): Promise<Record<string, unknown> & { options: { scenarios: Record<string, Record<string, unknown>>; thresholds: Record<string, { threshold: string; abortOnFail: boolean; delayAbortEval: string }[]> } }> {
  copyFileSync(`loadtests/${profile}.js`, join(sandbox, `${profile}.js`));
  return import(pathToFileURL(join(sandbox, `${profile}.js`)).href) as never;
}

const arrivalProfiles = ['smoke', 'load', 'stress', 'spike', 'soak'];

describe('generated k6 scripts', () => {
  it.each(arrivalProfiles)('%s has the engine plan\'s scenarios, rates and thresholds', async (profile) => {
    const script = await importScript(profile);
    const plan = loadPlan(catalog, profile);
    for (const scenario of plan.scenarios.filter((s): s is ArrivalScenario => s.kind === 'arrivals')) {
      const k6Scenario = script.options.scenarios[scenario.service];
      const expected = scenario.executor === 'constant-arrival-rate'
        ? { executor: scenario.executor, rate: scenario.startPerMinute, duration: goDuration(scenario.durationMs) }
        : { executor: scenario.executor, startRate: scenario.startPerMinute, stages: scenario.stages.map((s) => ({ target: s.targetPerMinute, duration: goDuration(s.durationMs) })) };
      expect(k6Scenario).toMatchObject({ ...expected, timeUnit: '1m', maxVUs: scenario.maxVUs, preAllocatedVUs: scenario.preAllocatedVUs, exec: execName(scenario.service), tags: { service: scenario.service } });
    }
    const users = plan.scenarios.find((s) => s.kind === 'users');
    if (users) expect(script.options.scenarios.users).toMatchObject({ executor: 'ramping-vus', stages: [{ target: users.users }, { target: users.users }] });
    expect(Object.keys(script.options.scenarios)).toHaveLength(plan.scenarios.length);
    expect(Object.entries(script.options.thresholds).map(([key, list]) => [key, list.map((t) => t.threshold)])).toEqual(plan.thresholds.map((t) => [t.key, [t.expression]]));
    expect(Object.values(script.options.thresholds).flat().every((t) => t.delayAbortEval === '10s' && !t.abortOnFail)).toBe(true);
  });

  it('sends each service\'s mix in its weights, tagged with service and route', async () => {
    const script = await importScript('smoke');
    const plan = loadPlan(catalog, 'smoke');
    const draws = 4000;
    for (const scenario of plan.scenarios.filter((s): s is ArrivalScenario => s.kind === 'arrivals')) {
      globals.__sent = [];
      const send = script[execName(scenario.service)] as (data: { tokens: string[] }) => void;
      for (let index = 0; index < draws; index++) send({ tokens: ['t'] });
      const total = scenario.requests.reduce((sum, r) => sum + r.weight, 0);
      for (const request of scenario.requests) {
        const share = request.weight / total;
        const seen = globals.__sent.filter((s) => s.tags.route === request.endpoint && s.method === request.method).length;
        // Within five standard deviations of the binomial count: a wrong weight is off by far more.
        expect(Math.abs(seen - share * draws), `${scenario.service} ${request.method} ${request.endpoint}`).toBeLessThan(5 * Math.sqrt(draws * share * (1 - share)) + 1);
      }
      expect(globals.__sent.every((s) => s.tags.service === scenario.service && s.url.startsWith('http://gateway.test/api/') && !s.url.includes('{'))).toBe(true);
    }
  });

  it('ramps the capacity search\'s steps, stopping at the first broken SLO', async () => {
    const script = await importScript('capacity');
    const steps = capacityStages(catalog, 'capacity');
    for (const [service, scenario] of Object.entries(script.options.scenarios)) {
      const targets = (scenario.stages as { target: number }[]).filter((_, index) => index % 2 === 1).map((stage) => stage.target);
      expect(targets, service).toEqual(steps.map(({ plan }) => (plan.scenarios.find((s) => s.kind === 'arrivals' && s.service === service) as ArrivalScenario).startPerMinute));
    }
    expect(Object.values(script.options.thresholds).flat().every((t) => t.abortOnFail)).toBe(true);
  });
});
