import { describe, expect, it } from 'vitest';
import type { FiredAlert } from '../../../src/chaos/alerts.js';
import { parseExperiment } from '../../../src/chaos/experiment.js';
import { checkAlerts } from '../../../src/chaos/runner.js';
import { sloWindows, type SliSnapshot, type SloWindow } from '../../../src/chaos/slis.js';
import { loadCatalog } from '../../../src/catalog/index.js';

const catalog = loadCatalog('slo/catalog.yaml');
const snapshot = (perInstance: Readonly<Record<string, readonly [number, number]>>): SliSnapshot =>
  new Map([['auth/availability', new Map(Object.entries(perInstance).map(([instance, [requests, good]]) => [instance, { requests, good }]))]]);
const auth = (windows: SloWindow[]) => windows.find((w) => w.slo === 'auth/availability');

describe('SLIs over a window, per gateway instance', () => {
  it.each([
    ['one instance counting on', { a: [100, 99] }, { a: [300, 297] }, 200, 198],
    ['two replicas, each its own difference', { a: [100, 100], b: [50, 50] }, { a: [150, 149], b: [80, 78] }, 80, 77],
    // b restarted: its counters begin again at zero, and all it counted since is new.
    ['a replica restarted', { a: [100, 100], b: [500, 500] }, { a: [150, 150], b: [20, 10] }, 70, 60],
    ['a replica that came up during the window', { a: [100, 100] }, { a: [110, 110], c: [5, 4] }, 15, 14],
    ['a replica gone during the window', { a: [100, 100], b: [40, 40] }, { a: [110, 109] }, 10, 9],
  ] as const)('%s', (_what, from, to, requests, good) => {
    const window = auth(sloWindows(catalog, snapshot(from), snapshot(to)));
    expect([window?.requests, window?.good]).toEqual([requests, good]);
  });
});

describe('expected alerts', () => {
  const experiment = parseExperiment(
    `title: t\ndescription: d\nsteady-state-hypothesis: { title: s }\nmethod:\n  - { type: action, name: a, provider: { type: simulator-fault, service: auth, fault: { error_ratio: 0.05 } } }\nextensions:\n  - name: pyairtable-sre\n    expect_breaks: [auth/availability]\n    expect_alerts:\n      - { alert: PyAirtableErrorBudgetBurnFast, slo: auth/availability }\n      - { alert: PyAirtableErrorBudgetBurnMedium, slo: auth/availability, within: 2m }\n`,
    'x.yaml',
    catalog,
  );
  const start = Date.parse('2026-12-07T10:00:00Z');
  const during = { phase: 'injection' as const, started_at: '2026-12-07T10:00:00Z', ended_at: '2026-12-07T10:20:00Z', slos: [{ slo: 'auth/availability', requests: 1000, good: 950, sli: 0.95, objective: 0.999, burnRate: 50, upper: 0.96 }] };
  const fired = (alertname: string, seconds: number): FiredAlert => ({ alertname, service: 'auth', slo: 'availability', severity: 'critical', active_at: '', firing_seen_at: new Date(start + seconds * 1000).toISOString(), last_seen_at: '' });

  it('gives a burn-rate alert its tier\'s promise at the burn measured, and an explicit within as written', () => {
    const checks = checkAlerts(experiment, catalog, during, [fired('PyAirtableErrorBudgetBurnFast', 90)], start);
    // 2 % of a 30-day budget at 50x: 0.02 x 720 h / 50 = 17.28 min.
    expect(checks.map((c) => [c.alert, Math.round(c.within_ms), c.fired_after_ms])).toEqual([
      ['PyAirtableErrorBudgetBurnFast', 1_036_800, 90_000],
      ['PyAirtableErrorBudgetBurnMedium', 120_000, null],
    ]);
  });

  it('counts only what fired after the first injection, and for the SLO named', () => {
    const before = fired('PyAirtableErrorBudgetBurnFast', -30);
    const other = { ...fired('PyAirtableErrorBudgetBurnFast', 30), service: 'user' };
    expect(checkAlerts(experiment, catalog, during, [before, other], start)[0]?.fired_after_ms).toBeNull();
  });
});
