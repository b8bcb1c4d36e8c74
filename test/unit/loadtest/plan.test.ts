import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { PlanError, loadPlan, stepPlan, thresholdsOf, type ArrivalScenario } from '../../../src/loadtest/plan.js';

const catalog = loadCatalog('slo/catalog.yaml');
const arrivals = (scenarios: ReturnType<typeof loadPlan>['scenarios']): ArrivalScenario[] => scenarios.filter((s): s is ArrivalScenario => s.kind === 'arrivals');

describe('load plans', () => {
  it('scale each service\'s peak: smoke is a quarter of it, in whole requests a minute', () => {
    const plan = loadPlan(catalog, 'smoke');
    expect(arrivals(plan.scenarios).map((s) => [s.service, s.executor, s.startPerMinute, s.durationMs])).toEqual([
      ['airtable-domain', 'constant-arrival-rate', 2250, 30_000],
      ['automation-domain', 'constant-arrival-rate', 600, 30_000],
      ['ai-domain', 'constant-arrival-rate', 120, 30_000],
      ['auth', 'constant-arrival-rate', 90, 30_000],
      ['user', 'constant-arrival-rate', 900, 30_000],
      ['workspace', 'constant-arrival-rate', 750, 30_000],
      ['permission', 'constant-arrival-rate', 1290, 30_000],
    ]);
    expect(plan.minSamples).toBe(20);
  });

  it('size maxVUs so that every arrival of the busiest second can wait out its timeout', () => {
    const ai = arrivals(loadPlan(catalog, 'load').scenarios).find((s) => s.service === 'ai-domain');
    // 8 req/s, a 30 s upstream timeout plus 5 s: 280.
    expect(ai).toMatchObject({ maxVUs: 280, timeoutMs: 35_000 });
  });

  it('stress ramps to 10x the peak and adds 10 000 users with think time', () => {
    const plan = loadPlan(catalog, 'stress');
    const airtable = arrivals(plan.scenarios).find((s) => s.service === 'airtable-domain');
    expect(airtable?.stages.map((s) => s.targetPerMinute)).toEqual([90_000, 90_000, 9000]);
    const users = plan.scenarios.find((s) => s.kind === 'users');
    expect(users).toMatchObject({ users: 10_000, thinkTimeMs: 10_000, rampUpMs: 120_000 });
    // Users spread their requests over the services as the peak does.
    const weights = new Map<string, number>();
    for (const request of users?.kind === 'users' ? users.requests : []) weights.set(request.service, (weights.get(request.service) ?? 0) + request.weight);
    expect(weights.get('airtable-domain')).toBeCloseTo(150 / 400, 4);
  });

  it('a capacity step sends every service at the same multiple of its peak', () => {
    const step = stepPlan(catalog, 'capacity', 2.5, 15_000);
    expect(arrivals(step.scenarios).find((s) => s.service === 'user')?.startPerMinute).toBe(9000);
    expect(step.durationMs).toBe(15_000);
  });

  it('derive k6 thresholds from every SLO', () => {
    expect(thresholdsOf(catalog).filter((t) => t.service === 'ai-domain').map((t) => [t.key, t.expression])).toEqual([
      ['http_req_failed{service:ai-domain}', 'rate<0.005'],
      ['http_req_duration{service:ai-domain}', 'p(95)<2000'],
    ]);
  });

  it('name the profiles when asked for one that does not exist', () => {
    expect(() => loadPlan(catalog, 'nightly')).toThrow(new PlanError('no profile "nightly" in slo/catalog.yaml; choose one of smoke, load, stress, spike, soak, capacity'));
  });
});
