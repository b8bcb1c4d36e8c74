import { BURN_RATE_TIERS } from '../catalog/burn-rate.js';
import { burnAlertName, PAGE_SEVERITY } from '../catalog/conventions.js';
import { parseDuration, type Catalog } from '../catalog/index.js';
import type { AlertWatch, FiredAlert } from './alerts.js';
import { checkResilience, resilienceWindow } from './resilience.js';
import type { Experiment } from './experiment.js';
import { JOURNAL_FORMAT, journalFile, writeJournal, type AlertCheck, type ChaosJournal, type ChaosVerdict, type Injection, type PhaseResult } from './journal.js';
import { ChaosProviderError, describeUndo, inject, plannedUndo, undo, type ProviderTargets } from './providers.js';
import { provenBelow, wilsonUpper, type SliSnapshot, type SliSource, type SloWindow } from './slis.js';

export interface RunOptions {
  readonly catalog: Catalog;
  readonly experiment: Experiment;
  readonly slis: SliSource;
  /** The catalog's alerts in Prometheus, when it is configured: journaled, checked, and an abort condition. */
  readonly alerts?: AlertWatch;
  readonly targets: ProviderTargets;
  readonly journalDir: string;
  readonly dryRun?: boolean;
  /** Ctrl-C: stop waiting, roll back, report. */
  readonly signal?: AbortSignal;
  /** One line per event and a progress line per second. */
  readonly log: (line: string) => void;
  readonly progress?: (line: string) => void;
}

export interface RunResult {
  readonly journal: ChaosJournal;
  readonly file: string;
}

/** The window over which an SLO not expected to break may not burn past the abort threshold. */
const ABORT_WINDOW_MS = 10_000;
/** How often Prometheus's alerts are read: its rules are evaluated every few seconds at best. */
const ALERT_POLL_MS = 2_000;
const TICK_MS = 1_000;

/**
 * Runs an experiment: the steady state must hold first (every SLO at its objective, with traffic),
 * then the method's faults go in, each journaled before it is injected, while the SLIs are watched
 * every second and the run aborts when an SLO not expected to break burns too fast; then every fault
 * is rolled back, always, and the recovery measured. The verdict: the SLOs expected to break broke,
 * every other held, and all recovered.
 */
export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const { experiment, slis, log } = options;
  const started = new Date();
  const file = journalFile(options.journalDir, started, experiment.title);
  const journal: ChaosJournal = {
    ...JOURNAL_FORMAT,
    experiment: { title: experiment.title, description: experiment.description, file: experiment.file, touched: experiment.touched, expect_breaks: experiment.extension.expect_breaks },
    sli_source: slis.description,
    alerts_source: options.alerts?.description ?? null,
    started_at: started.toISOString(),
    status: 'running',
    ended_at: null,
    injections: [],
    phases: [],
    timeline: [],
    resilience: {},
    alerts: [],
    alert_checks: [],
    aborted: null,
    verdict: null,
    reasons: [],
  };
  let firstInjectionAt: number | undefined;
  let lastAlertPoll = 0;
  const pollAlerts = async (): Promise<void> => {
    if (!options.alerts || Date.now() - lastAlertPoll < ALERT_POLL_MS) return;
    lastAlertPoll = Date.now();
    for (const alert of await options.alerts.poll()) {
      log(`alert firing: ${alert.alertname} (${alert.severity}) for ${alert.service}${alert.slo ? `/${alert.slo}` : ''}`);
      // A page for a service the method leaves alone, started by the faults: stop.
      const newSinceFaults = firstInjectionAt !== undefined && Date.parse(alert.active_at) >= firstInjectionAt;
      if (experiment.extension.abort.untouched_page && newSinceFaults && alert.severity === PAGE_SEVERITY && !experiment.touched.includes(alert.service) && journal.aborted === null) {
        journal.aborted = `${alert.alertname} paged for ${alert.service}, which the method does not touch`;
      }
    }
    journal.alerts = options.alerts.fired;
  };
  const finish = (verdict: ChaosVerdict, reasons: readonly string[]): RunResult => {
    journal.verdict = verdict;
    journal.reasons = [...reasons];
    journal.status = 'completed';
    journal.ended_at = new Date().toISOString();
    writeJournal(file, journal);
    return { journal, file };
  };
  // After a change (faults in, faults out), the SLIs trail by the source's lag: a window begins after it.
  const lag = await slis.lagMs();
  const watch = async (phase: PhaseResult['phase'], ms: number, abortCheck?: (recent: readonly SloWindow[]) => string | undefined, settleMs = 0): Promise<PhaseResult> => {
    const deadline = Date.now() + ms;
    await sleep(Math.min(settleMs, ms), options.signal);
    const from = await slis.snapshot();
    const began = new Date();
    const recent: SliSnapshot[] = [from];
    while (Date.now() < deadline && !options.signal?.aborted && journal.aborted === null) {
      await sleep(Math.min(TICK_MS, deadline - Date.now()), options.signal);
      await pollAlerts();
      const now = await slis.snapshot();
      const last = recent[recent.length - 1] ?? from;
      recent.push(now);
      if (recent.length > ABORT_WINDOW_MS / TICK_MS + 1) recent.shift();
      const second = slis.window(last, now);
      journal.timeline.push({ at: new Date().toISOString(), phase, slis: Object.fromEntries(second.filter((w) => experiment.touched.includes(w.slo.split('/')[0] ?? '')).map((w) => [w.slo, w.sli])) });
      const reason = abortCheck?.(slis.window(recent[0] ?? from, now));
      if (reason) journal.aborted = reason;
      options.progress?.(progressLine(phase, deadline - Date.now(), slis.window(from, now), experiment));
    }
    const result: PhaseResult = { phase, started_at: began.toISOString(), ended_at: new Date().toISOString(), slos: slis.window(from, await slis.snapshot()) };
    journal.phases.push(result);
    writeJournal(file, journal);
    return result;
  };

  // 1. The steady state: every SLO with traffic, at its objective.
  log(`steady state: measuring every SLO for ${experiment.extension.steady_state}`);
  const steady = await watch('steady-state', experiment.steadyStateMs);
  // The services the faults touch need traffic, or nothing can be shown; the others are judged where they have some.
  const silent = steady.slos.filter((w) => w.requests === 0 && (experiment.touched.includes(w.slo.split('/')[0] ?? '') || experiment.extension.expect_breaks.includes(w.slo))).map((w) => w.slo);
  if (silent.length > 0) return finish('not run', [`no traffic through the gateway for ${silent.join(', ')}: the steady state cannot be verified (start traffic: sre up --traffic, or --traffic here)`]);
  // Judged with the sampling error of a short window: only a shortfall chance cannot explain counts.
  const unhealthy = steady.slos.filter(provenBelow);
  if (unhealthy.length > 0) return finish('not run', unhealthy.map((w) => `steady state does not hold: ${w.slo} at ${pct(w.sli)} under its objective ${pct(w.objective)}; refusing to inject into an unhealthy system`));
  if (options.signal?.aborted) return finish('not run', ['interrupted before any injection']);

  // 2. The method, each fault journaled before it goes in.
  const limits = { maxPodShare: experiment.extension.blast_radius.max_pod_share, maxDurationMs: experiment.maxDurationMs };
  const planned: Injection[] = [];
  try {
    for (const [index, action] of experiment.method.entries()) {
      const name = `sre-chaos-${started.getTime().toString(36)}-${index}`;
      planned.push({ action: action.name, service: action.provider.service, undo: await plannedUndo(action.provider, options.targets, name, limits), injected_at: null, rolled_back_at: null, detail: null });
    }
    if (options.dryRun) {
      for (const [index, action] of experiment.method.entries()) {
        const plan = planned[index];
        if (plan) log(`dry run: ${action.name}: ${await inject(action.provider, plan.undo, limits, true)}; then ${describeUndo(plan.undo)}`);
      }
      return finish('not run', ['dry run: nothing injected']);
    }
  } catch (error) {
    if (error instanceof ChaosProviderError) return finish('not run', [`cannot ${options.dryRun ? 'validate' : 'plan'} the method: ${error.message}`]);
    throw error;
  }
  const breaks = new Set(experiment.extension.expect_breaks);
  const abortCheck = (recent: readonly SloWindow[]): string | undefined => {
    const { untouched_burn_rate_above: limit, min_requests: min } = experiment.extension.abort;
    const burning = recent.find((w) => !breaks.has(w.slo) && w.requests >= min && (w.burnRate ?? 0) > limit);
    return burning ? `${burning.slo} burned at ${(burning.burnRate ?? 0).toFixed(1)}x over the last ${ABORT_WINDOW_MS / 1000} s (${burning.requests} requests), over the abort threshold ${limit}x` : undefined;
  };
  const injectionStart = Date.now();
  const durings: PhaseResult[] = [];
  let failed: string | undefined;
  const notUndone: string[] = [];
  const resilienceBefore = await slis.resilience();
  try {
    for (const [index, action] of experiment.method.entries()) {
      if (options.signal?.aborted || journal.aborted !== null) break;
      const injection = planned[index];
      if (!injection) continue;
      if (action.pauses?.before) await sleep(action.pauses.before * 1000, options.signal);
      journal.injections.push(injection);
      writeJournal(file, journal);
      try {
        injection.detail = await inject(action.provider, injection.undo, limits);
      } catch (error) {
        if (!(error instanceof ChaosProviderError)) throw error;
        failed = `${action.name}: ${error.message}`;
        break;
      }
      injection.injected_at = new Date().toISOString();
      firstInjectionAt ??= Date.parse(injection.injected_at);
      writeJournal(file, journal);
      log(`injected: ${action.name}: ${injection.detail}`);
      const budget = Math.max(0, experiment.maxDurationMs - (Date.now() - injectionStart));
      // The faults stay in for the pause plus the SLIs' lag, so that the window measured is the whole pause.
      durings.push(await watch('injection', Math.min((action.pauses?.after ?? 0) * 1000 + lag, budget), abortCheck, lag));
    }
    // What the gateway did for the touched services while the faults were in.
    const resilienceAfter = await slis.resilience();
    const seconds = (Date.now() - injectionStart) / 1000;
    for (const service of experiment.touched) {
      const counts = resilienceAfter.get(service);
      if (counts) journal.resilience[service] = { ...resilienceWindow(resilienceBefore.get(service), counts), seconds };
    }
  } finally {
    // 3. Always roll back, in reverse order; then the experiment's own rollbacks.
    // One undo failing does not stop the others; what failed stays pending for `sre chaos rollback`.
    for (const injection of [...journal.injections].reverse()) {
      try {
        await undo(injection.undo);
        injection.rolled_back_at = new Date().toISOString();
        log(`rolled back: ${describeUndo(injection.undo)}`);
      } catch (error) {
        notUndone.push(`${describeUndo(injection.undo)}: ${(error as Error).message}`);
      }
    }
    for (const rollback of experiment.rollbacks) await undo({ type: 'simulator-fault', admin: options.targets.simulatorAdmin, service: rollback.provider.service, previous: null });
    journal.status = notUndone.length === 0 ? 'rolled back' : 'running';
    writeJournal(file, journal);
  }
  if (notUndone.length > 0) return finish('not run', [...(failed ? [`injection failed: ${failed}`] : []), ...notUndone.map((line) => `not rolled back (run sre chaos rollback): ${line}`)]);
  if (failed) return finish('not run', [`injection failed, everything rolled back: ${failed}`]);
  const during = mergeInjections(durings);
  if (journal.aborted) log(`aborted: ${journal.aborted}`);

  // 4. Recovery: with the faults gone, every SLO back at its objective. A breaker the faults opened
  // fails fast until its half-open probe succeeds (the catalog's half_open_after): wait for it first.
  const open = (await slis.openCircuits()).filter((service) => experiment.touched.includes(service));
  if (open.length > 0) {
    const limit = Math.max(...options.catalog.services.filter((s) => open.includes(s.id)).map((s) => s.resilience.breaker.max_half_open_after));
    log(`recovery: the breaker of ${open.join(', ')} is open; waiting for it to close (half-open probes per the catalog, at most ${Math.round(limit / 1000)} s)`);
    const deadline = Date.now() + limit;
    while (Date.now() < deadline && !options.signal?.aborted && (await slis.openCircuits()).some((service) => open.includes(service))) await sleep(TICK_MS, options.signal);
  }
  log(`recovery: measuring every SLO for ${experiment.extension.recovery}`);
  const recovery = await watch('recovery', experiment.recoveryMs + lag, undefined, lag);
  lastAlertPoll = 0;
  await pollAlerts();
  const [judged, judgedReasons] = judge(experiment, during, recovery, journal.aborted, options.signal?.aborted === true);
  const resilienceReasons = experiment.touched.flatMap((id) => {
    const service = options.catalog.services.find((s) => s.id === id);
    const window = journal.resilience[id];
    return service && window ? checkResilience(experiment.extension.expect_resilience, options.catalog, service, window, window.seconds) : [];
  });
  const verdict = judged === 'held' && resilienceReasons.length > 0 ? 'not held' : judged;
  const reasons = [...judgedReasons, ...resilienceReasons];
  if (options.alerts === undefined || firstInjectionAt === undefined || !during) return finish(verdict, reasons);
  journal.alert_checks = checkAlerts(experiment, options.catalog, during, journal.alerts, firstInjectionAt);
  const missed = journal.alert_checks.filter((check) => check.fired_after_ms === null || check.fired_after_ms > check.within_ms);
  return finish(verdict === 'held' && missed.length > 0 ? 'not held' : verdict, [...reasons, ...missed.map(describeMissedAlert)]);
}

/** The verdict and its reasons, from the injection and recovery windows. */
export function judge(experiment: Experiment, during: PhaseResult | undefined, recovery: PhaseResult, aborted: string | null, interrupted: boolean): [ChaosVerdict, string[]] {
  if (!during) return ['not run', [interrupted ? 'interrupted before the first injection ended' : 'nothing was injected']];
  const reasons: string[] = [];
  const breaks = new Set(experiment.extension.expect_breaks);
  if (aborted) reasons.push(`aborted: ${aborted}`);
  if (interrupted) reasons.push('interrupted: rolled back before the method ended');
  for (const w of during.slos) {
    if (breaks.has(w.slo)) {
      if (w.sli === null) reasons.push(`${w.slo} had no requests during the faults: its burn cannot be shown`);
      else if (!provenBelow(w)) reasons.push(`${w.slo} was expected to burn but held at ${pct(w.sli)} of ${w.requests} requests (objective ${pct(w.objective)})`);
    } else if (provenBelow(w)) {
      reasons.push(`${w.slo} was expected to hold but fell to ${pct(w.sli)} of ${w.requests} requests (objective ${pct(w.objective)})`);
    }
  }
  for (const w of recovery.slos) if (provenBelow(w)) reasons.push(`${w.slo} did not recover: ${pct(w.sli)} of ${w.requests} requests after the rollback (objective ${pct(w.objective)})`);
  return [reasons.length === 0 ? 'held' : 'not held', reasons];
}

/**
 * Each expected alert against what fired: how long after the first injection it was seen firing, and
 * how long it had. A burn-rate alert's default is its tier's promise at the burn measured: the time
 * the tier's share of the error budget takes to burn at that rate (budget share x period / burn rate).
 */
export function checkAlerts(experiment: Experiment, catalog: Catalog, during: PhaseResult, fired: readonly FiredAlert[], firstInjectionAt: number): AlertCheck[] {
  return experiment.extension.expect_alerts.map((expected) => {
    const [service, id] = expected.slo.split('/');
    const firing = fired.find((a) => a.alertname === expected.alert && a.service === service && a.slo === id && Date.parse(a.firing_seen_at) >= firstInjectionAt);
    const tier = BURN_RATE_TIERS.find((t) => burnAlertName(t.name) === expected.alert);
    const slo = catalog.slos.find((s) => `${s.service}/${s.id}` === expected.slo);
    const burn = during.slos.find((w) => w.slo === expected.slo)?.burnRate ?? null;
    const promised = tier && slo && burn !== null && burn > 0 ? (tier.budgetShare * slo.periodMs) / burn : null;
    const within = expected.within === undefined ? promised : (parseDuration(expected.within) ?? null);
    return { alert: expected.alert, slo: expected.slo, within_ms: within ?? 0, burn_rate: burn, fired_after_ms: firing ? Date.parse(firing.firing_seen_at) - firstInjectionAt : null, faults_ms: Date.parse(during.ended_at) - Date.parse(during.started_at) };
  });
}

function describeMissedAlert(check: AlertCheck): string {
  const within = `${(check.within_ms / 60_000).toFixed(1)} min${check.burn_rate === null ? '' : ` (at the ${check.burn_rate.toFixed(1)}x burn measured)`}`;
  if (check.fired_after_ms !== null) return `${check.alert} for ${check.slo} fired ${Math.round(check.fired_after_ms / 1000)} s after the first injection, later than ${within}`;
  const short = check.faults_ms < check.within_ms ? `; the faults lasted ${Math.round(check.faults_ms / 1000)} s, less than that: lengthen the method's pauses` : '';
  return `${check.alert} for ${check.slo} was expected within ${within} and did not fire${short}`;
}

/** One action's windows after another, as one window: the faults' whole time. */
export function mergeInjections(phases: readonly PhaseResult[]): PhaseResult | undefined {
  const [first] = phases;
  const last = phases[phases.length - 1];
  if (!first || !last) return undefined;
  const slos = first.slos.map((w) => {
    const all = phases.map((p) => p.slos.find((x) => x.slo === w.slo) ?? w);
    const requests = all.reduce((n, x) => n + x.requests, 0);
    const good = all.reduce((n, x) => n + x.good, 0);
    const sli = requests > 0 ? good / requests : null;
    return { ...w, requests, good, sli, burnRate: sli === null ? null : (1 - sli) / (1 - w.objective), upper: wilsonUpper(good, requests) };
  });
  return { phase: 'injection', started_at: first.started_at, ended_at: last.ended_at, slos };
}

function progressLine(phase: string, leftMs: number, slos: readonly SloWindow[], experiment: Experiment): string {
  const touched = slos.filter((w) => experiment.touched.includes(w.slo.split('/')[0] ?? ''));
  const untouched = slos.filter((w) => !touched.includes(w) && w.sli !== null);
  const worst = untouched.reduce<SloWindow | undefined>((min, w) => (min === undefined || (w.sli ?? 1) < (min.sli ?? 1) ? w : min), undefined);
  return `${phase} · ${Math.max(0, Math.ceil(leftMs / 1000))} s left · ${touched.map((w) => `${w.slo} ${pct(w.sli)}`).join(' · ')} · untouched worst ${worst ? `${worst.slo} ${pct(worst.sli)}` : '-'}`;
}

export function pct(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(2)} %`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
