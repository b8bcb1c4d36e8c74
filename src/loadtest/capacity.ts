import type { Catalog } from '../catalog/index.js';
import type { EngineResult } from './engine.js';
import type { Verdict } from './judge.js';
import { profileOf, stepPlan, trafficOf, type LoadPlan } from './plan.js';
import type { CapacityOutcome, CapacityStep } from './reports/report.js';

export interface StepRun {
  readonly plan: LoadPlan;
  readonly run: EngineResult;
  readonly verdict: Verdict;
}

/** The platform's scalability target: hold ten times today's peak. */
export const TARGET_MULTIPLE = 10;

/**
 * Searches for the knee: the highest rate at which every SLO holds. Steps grow by `growth` from
 * `start_scale` until one breaks an SLO (or cannot be judged, which ends the search just the same),
 * then `refine_steps` bisections narrow the gap. Each step is a constant-arrival-rate run of every
 * service at the same multiple of its peak.
 */
export async function searchKnee(catalog: Catalog, profileName: string, runStep: (plan: LoadPlan) => Promise<StepRun>, onStep: (step: CapacityStep) => void): Promise<{ outcome: CapacityOutcome; knee: StepRun | undefined; last: StepRun }> {
  const profile = profileOf(catalog, profileName);
  if (profile.executor !== 'capacity') throw new Error(`profile "${profileName}" is not a capacity search`);
  const peak = trafficOf(catalog).services.reduce((sum, service) => sum + service.peakRps, 0);
  const steps: CapacityStep[] = [];
  let knee: StepRun | undefined;
  let last: StepRun | undefined;
  let passed: number | undefined;
  let broke: number | undefined;
  const step = async (scale: number): Promise<boolean> => {
    last = await runStep(stepPlan(catalog, profileName, scale, profile.step_duration));
    const record: CapacityStep = { scale, rps: scale * peak, verdict: last.verdict.verdict, reasons: last.verdict.reasons };
    steps.push(record);
    onStep(record);
    if (last.verdict.exitCode === 0) {
      knee = last;
      passed = scale;
      return true;
    }
    broke = scale;
    return false;
  };
  for (let scale = profile.start_scale; await step(scale) && scale < profile.max_scale; ) scale = Math.min(scale * profile.growth, profile.max_scale);
  for (let index = 0; index < profile.refine_steps && passed !== undefined && broke !== undefined; index++) {
    await step((passed + broke) / 2);
  }
  if (!last) throw new Error('the capacity search ran no step');
  const target = TARGET_MULTIPLE * peak;
  const kneeRps = passed === undefined ? null : passed * peak;
  return {
    outcome: { steps, knee_rps: kneeRps, knee_scale: passed ?? null, target_rps: target, headroom: kneeRps === null ? null : kneeRps / target, at_least: broke === undefined },
    knee,
    last,
  };
}
