import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { judge } from '../../../src/loadtest/judge.js';
import { loadPlan } from '../../../src/loadtest/plan.js';
import { Recorder, Series } from '../../../src/loadtest/recorder.js';

const plan = loadPlan(loadCatalog('slo/catalog.yaml'), 'smoke');
const SERVICES = ['airtable-domain', 'automation-domain', 'ai-domain', 'auth', 'user', 'workspace', 'permission'];

/** Every service answered `count` requests in `ms` each, with status 200, but where `edit` says otherwise. */
function recorded(count: number, ms: number, edit: (service: string, index: number) => { status?: number; durationMs?: number } = () => ({})): Recorder {
  const recorder = new Recorder(0);
  for (const service of SERVICES) {
    for (let index = 0; index < count; index++) {
      const { status = 200, durationMs = ms } = edit(service, index);
      recorder.record({ service, route: '/r', method: 'GET', status, durationMs, checkOk: status === 200 }, 0);
    }
  }
  return recorder;
}

describe('the gate\'s verdict', () => {
  it('passes when every SLO held', () => {
    expect(judge(plan, recorded(100, 20))).toMatchObject({ exitCode: 0, verdict: 'pass', reasons: [] });
  });

  it('fails naming the one latency SLO that broke, and by how much', () => {
    const verdict = judge(plan, recorded(100, 20, (service) => (service === 'airtable-domain' ? { durationMs: 170 } : {})));
    expect(verdict.exitCode).toBe(1);
    expect(verdict.reasons).toEqual(['airtable-domain latency SLO broken: p(95) was 170.0 ms over 100 requests, 70.0 ms over the 100 ms threshold (http_req_duration{service:airtable-domain} p(95)<100)']);
  });

  it('fails naming the availability SLO of a service that returns 1 % errors', () => {
    const verdict = judge(plan, recorded(1000, 20, (service, index) => (service === 'user' && index % 100 === 0 ? { status: 503 } : {})));
    expect(verdict.exitCode).toBe(1);
    expect(verdict.reasons).toEqual(['user availability SLO broken: 1.00 % of 1000 requests failed, over the 0.100 % budget by 0.900 % (http_req_failed{service:user} rate<0.001)']);
  });

  it('cannot judge a threshold without samples, which k6 would pass', () => {
    const recorder = recorded(100, 20);
    recorder.services.delete('ai-domain');
    const verdict = judge(plan, recorder);
    expect(verdict.exitCode).toBe(2);
    expect(verdict.reasons).toContain('ai-domain availability: 0 requests, fewer than the 20 the profile needs to judge http_req_failed{service:ai-domain} rate<0.005');
  });

  it('cannot judge a run whose requests mostly failed, however fast they failed', () => {
    const verdict = judge(plan, recorded(100, 1, () => ({ status: 0 })));
    expect(verdict.exitCode).toBe(2);
    expect(verdict.reasons[0]).toBe('100.00 % of all requests failed (no answer or 5xx): the system is down or unreachable, and its latencies mean nothing');
  });

  it('cannot judge a run that did not offer the profile\'s load', () => {
    const recorder = recorded(100, 20);
    recorder.dropped = 50;
    expect(judge(plan, recorder).reasons).toContain('50 of 750 arrivals were dropped (every allowed request already in flight): the profile\'s load was not offered');
  });
});

describe('series', () => {
  it('interpolate percentiles as k6 does', () => {
    const series = new Series();
    for (const ms of [10, 20, 30, 40, 50]) series.add({ service: 's', route: 'r', method: 'GET', status: 200, durationMs: ms, checkOk: true });
    expect(series.percentile(0.95)).toBeCloseTo(48, 10);
    expect(series.percentile(0.5)).toBe(30);
    expect(series.slowerThan(30)).toBe(2);
  });

  it('have no percentile without samples', () => {
    expect(new Series().percentile(0.95)).toBeUndefined();
  });
});
