import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/index.js';
import { searchKnee, type StepRun } from './capacity.js';
import { ClientPool } from './clients.js';
import { runPlan, type EngineResult, type Identities } from './engine.js';
import { identitiesFor, type IdentitySources } from './identities.js';
import { firstBreak, judge } from './judge.js';
import { loadPlan, profileOf, type LoadPlan } from './plan.js';
import { Progress } from './progress.js';
import { Recorder } from './recorder.js';
import { k6Summary } from './reports/k6-summary.js';
import { junitXml } from './reports/junit.js';
import { markdownReport } from './reports/markdown.js';
import { buildReport, type CapacityOutcome, type LoadTestReport, type ReportInput } from './reports/report.js';
import { PrometheusClient } from '../prometheus/client.js';
import { serverView } from './server-view.js';
import { postReport, type ControlPlaneTarget } from '../control-plane/report-client.js';

export interface LoadTestOptions {
  readonly catalog: Catalog;
  readonly profile: string;
  readonly target: URL;
  /** Stop at the first SLO that breaks once DELAY_ABORT_EVAL_MS have passed (k6's abortOnFail). */
  readonly gate: boolean;
  readonly prometheus?: URL | undefined;
  readonly identities: IdentitySources;
  /** Where the reports go; none writes nothing. */
  readonly out?: string | undefined;
  /** The control plane that keeps reports. */
  readonly controlPlane?: ControlPlaneTarget | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The live progress line; off in tests. */
  readonly progress?: boolean;
  readonly log?: (line: string) => void;
}

export class TargetUnreachableError extends Error {
  override name = 'TargetUnreachableError';
}

/** As k6's delayAbortEval for the gate's thresholds: time enough for a first judgement to mean something. */
export const DELAY_ABORT_EVAL_MS = 10_000;
/** Between the steps of a capacity search, so that one step's backlog does not land on the next. */
const SETTLE_MS = 2_000;

export const REPORT_FILES = { json: 'report.json', k6Summary: 'k6-summary.json', junit: 'junit.xml', markdown: 'report.md' } as const;

/** The versioned report, and the same run as k6's end-of-test summary. */
export interface LoadTestOutput {
  readonly report: LoadTestReport;
  readonly k6Summary: Record<string, unknown>;
}

/** Runs a profile against a target, judges it against the catalog's SLOs, and writes and sends the reports. */
export async function loadTest(options: LoadTestOptions): Promise<LoadTestOutput> {
  const { catalog, target } = options;
  const profile = profileOf(catalog, options.profile);
  await preflight(target);
  const clients = ClientPool.for(target);
  try {
    const output = profile.executor === 'capacity' ? await capacity(options, clients) : await single(options, clients, loadPlan(catalog, options.profile));
    if (options.out) writeReports(options.out, output);
    // The verdict stands either way; the reports on disk keep what the control plane did not take.
    if (options.controlPlane) await postReport(options.controlPlane, output.report).catch((error: unknown) => options.log?.((error as Error).message));
    return output;
  } finally {
    await clients.close();
  }
}

function output(input: ReportInput): LoadTestOutput {
  return { report: buildReport(input), k6Summary: k6Summary(input) };
}

async function single(options: LoadTestOptions, clients: ClientPool, plan: LoadPlan): Promise<LoadTestOutput> {
  const identities = await identitiesFor(plan, options.target, clients, options.identities);
  const run = await execute(options, clients, plan, identities, options.profile);
  const verdict = judge(plan, run.recorder, run.stoppedEarly);
  const server = options.prometheus ? await serverView(options.catalog, new PrometheusClient(options.prometheus), run.startedAt, run.endedAt, verdict.results) : undefined;
  const disagreements = (server ?? []).filter((view) => view.disagrees).map((view) => `${view.service} ${view.slo}: the client saw ${ratio(view.clientErrorRatio)} bad events, the gateway's SLI ${ratio(view.errorRatio)} (more apart than half the budget, ${ratio(view.margin)})`);
  return output({ plan, target: options.target, run, verdict: { ...verdict, reasons: [...verdict.reasons, ...disagreements] }, server, sourceAddresses: clients.addresses.length });
}

async function capacity(options: LoadTestOptions, clients: ClientPool): Promise<LoadTestOutput> {
  let identities: Identities | undefined;
  const log = options.log ?? (() => undefined);
  const runStep = async (plan: LoadPlan): Promise<StepRun> => {
    // Faster steps may need more logged-in users (plan.ts, jwtUsersFor).
    if (!identities || identities.tokens.length < plan.jwtUsers) identities = await identitiesFor(plan, options.target, clients, options.identities);
    const run = await execute(options, clients, plan, identities, `${options.profile} ${(plan.scenarios.reduce((sum, s) => sum + (s.kind === 'arrivals' ? s.startPerMinute : 0), 0) / 60).toFixed(0)} req/s`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { plan, run, verdict: judge(plan, run.recorder, run.stoppedEarly) };
  };
  const { outcome, knee, last } = await searchKnee(options.catalog, options.profile, runStep, (step) => {
    log(`step ${step.scale.toFixed(2)}x peak, ${step.rps.toFixed(0)} req/s: ${step.verdict}${step.reasons[0] ? ` (${step.reasons[0]})` : ''}`);
  });
  const shown = knee ?? last;
  return output({ plan: shown.plan, target: options.target, run: shown.run, verdict: capacityVerdict(outcome, shown), server: undefined, sourceAddresses: clients.addresses.length, capacity: outcome });
}

/** A capacity search passes when the knee holds ten times the peak; it cannot be judged when no step could. */
function capacityVerdict(outcome: CapacityOutcome, shown: StepRun): StepRun['verdict'] {
  const results = shown.verdict.results;
  if (outcome.knee_rps === null) {
    const judged = shown.verdict.exitCode === 1;
    return { exitCode: judged ? 1 : 2, verdict: judged ? 'fail' : 'error', reasons: [`the first step (${outcome.steps[0]?.rps.toFixed(0) ?? '?'} req/s) already broke an SLO`, ...shown.verdict.reasons], results };
  }
  const headroom = outcome.headroom ?? 0;
  const knee = `${outcome.at_least ? 'at least ' : ''}${outcome.knee_rps.toFixed(0)} req/s`;
  return headroom >= 1
    ? { exitCode: 0, verdict: 'pass', reasons: [], results }
    : { exitCode: 1, verdict: 'fail', reasons: [`the knee is ${knee}, ${headroom.toFixed(2)}x of the ${outcome.target_rps.toFixed(0)} req/s target (ten times the peak)`], results };
}

async function execute(options: LoadTestOptions, clients: ClientPool, plan: LoadPlan, identities: Identities, label: string): Promise<EngineResult> {
  const progress = options.progress ? new Progress(label, plan.durationMs) : undefined;
  try {
    return await runPlan({
      target: options.target,
      plan,
      clients,
      identities,
      ...(options.signal ? { signal: options.signal } : {}),
      everySecond: (recorder: Recorder, elapsedMs: number) => {
        progress?.update(recorder, elapsedMs);
        return options.gate && elapsedMs >= DELAY_ABORT_EVAL_MS ? firstBreak(plan, recorder) : undefined;
      },
    });
  } finally {
    progress?.done();
  }
}

/** Any HTTP answer from the target's origin will do; no answer at all is a run that cannot be judged. */
async function preflight(target: URL): Promise<void> {
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new TargetUnreachableError(`the target ${target.href} is unreachable (${cause}): nothing can be measured`);
  }
}

export function writeReports(dir: string, { report, k6Summary: summary }: LoadTestOutput): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, REPORT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, REPORT_FILES.k6Summary), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, REPORT_FILES.junit), junitXml(report));
  writeFileSync(join(dir, REPORT_FILES.markdown), markdownReport(report));
}

function ratio(value: number | undefined): string {
  return value === undefined ? 'none' : `${(value * 100).toFixed(3)} %`;
}

