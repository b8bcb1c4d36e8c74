import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { searchKnee, type StepRun } from '../../../src/loadtest/capacity.js';
import type { LoadPlan } from '../../../src/loadtest/plan.js';
import { Recorder } from '../../../src/loadtest/recorder.js';

const catalog = loadCatalog('slo/catalog.yaml');
const PEAK = 400;

/** A system whose SLOs hold up to `kneeRps`, as each step's plan offers it. */
function systemWithKnee(kneeRps: number, cannotJudgeAbove = Infinity): (plan: LoadPlan) => Promise<StepRun> {
  return (plan) => {
    const rps = plan.scenarios.reduce((sum, s) => sum + (s.kind === 'arrivals' ? s.startPerMinute : 0), 0) / 60;
    const exitCode = rps > cannotJudgeAbove ? 2 : rps <= kneeRps ? 0 : 1;
    const now = new Date();
    return Promise.resolve({
      plan,
      run: { recorder: new Recorder(0), startedAt: now, endedAt: now, stoppedEarly: undefined },
      verdict: { exitCode, verdict: (['pass', 'fail', 'error'] as const)[exitCode], reasons: exitCode === 0 ? [] : [`broke at ${rps}`], results: [] },
    });
  };
}

describe('the knee search', () => {
  it('grows by 1.5x until an SLO breaks, then bisects three times', async () => {
    const steps: number[] = [];
    const { outcome } = await searchKnee(catalog, 'capacity', systemWithKnee(2_900), (step) => steps.push(step.rps));
    // 400, 600, 900, 1350, 2025 hold; 3037.5 breaks; then 2531, 2784, 2911 (breaks).
    expect(steps.map(Math.round)).toEqual([400, 600, 900, 1350, 2025, 3038, 2531, 2784, 2911]);
    expect(outcome.knee_rps).toBeCloseTo(2784.4, 0);
    expect(outcome.target_rps).toBe(10 * PEAK);
    expect(outcome.headroom).toBeCloseTo(2784.4 / 4000, 3);
    expect(outcome.at_least).toBe(false);
  });

  it('stops at max_scale with every SLO holding, and says the knee is at least there', async () => {
    const { outcome } = await searchKnee(catalog, 'capacity', systemWithKnee(1e9), () => undefined);
    expect(outcome.knee_scale).toBe(40);
    expect(outcome.at_least).toBe(true);
    expect(outcome.headroom).toBe(4);
  });

  it('has no knee when the first step already breaks', async () => {
    const { outcome } = await searchKnee(catalog, 'capacity', systemWithKnee(100), () => undefined);
    expect(outcome).toMatchObject({ knee_rps: null, headroom: null, steps: [{ rps: PEAK, verdict: 'fail' }] });
  });

  it('ends the growth at a step that cannot be judged', async () => {
    const { outcome } = await searchKnee(catalog, 'capacity', systemWithKnee(1e9, 1_000), () => undefined);
    // 400, 600, 900 hold; 1350 cannot be judged; bisection: 1125 and 1012 cannot, 956 holds.
    expect(outcome.steps.map((s) => [Math.round(s.rps), s.verdict])).toEqual([[400, 'pass'], [600, 'pass'], [900, 'pass'], [1350, 'error'], [1125, 'error'], [1013, 'error'], [956, 'pass']]);
    expect(outcome.knee_rps).toBeLessThanOrEqual(1_000);
  });
});
