import { BURN_RATE_TIERS, detectionTimeMs, errorRatioThreshold, windowMs, type BurnRateTier } from '../../catalog/burn-rate.js';
import { formatDuration } from '../../catalog/duration.js';
import { GATEWAY_JOB, burnAlertName, leLabel, sliErrorRatio } from '../../catalog/conventions.js';
import { sliSelector } from './sli-queries.js';
import type { Catalog, Slo } from '../../catalog/index.js';
import { burnRateAlert } from './alert-rules.js';

/** promtool's unit-test file format (the parts used here). */
export interface RuleTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly RuleTest[];
}

export interface RuleTest {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { series: string; values: string }[];
  readonly alert_rule_test?: readonly { eval_time: string; alertname: string; exp_alerts: readonly { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }[];
  readonly promql_expr_test?: readonly { expr: string; eval_time: string; exp_samples: readonly { labels: string; value: number }[] }[];
}

const REQUESTS_PER_MINUTE = 600;
const BAD_EVENTS: Readonly<Record<Slo['id'], string>> = { availability: 'requests fail', latency: 'requests are slow', acknowledgement: 'pages are acknowledged late' };

/**
 * Tests for every burn-rate alert, derived from the same arithmetic the alerts use: errors start
 * after one clean long window, at twice the tier's threshold ratio (at most 100 %); the alert must
 * be quiet at 80 % of the computed detection time and firing at 120 %.
 */
export function fastTierTests(catalog: Catalog, service: string, ruleFiles: readonly string[]): RuleTestFile {
  return testFile(catalog, service, ruleFiles, BURN_RATE_TIERS.filter((t) => windowMs(t.longWindow) <= 6 * 3_600_000), { input: '1m', evaluation: '1m' }, true);
}

/**
 * The slow tiers read days of data: sampled every 8 minutes so promtool stays quick, evaluated
 * every 4. Alerts read recorded series from another group, which may run first at the same
 * instant; an evaluation interval under the 5-minute lookback keeps the last recording visible.
 */
export function slowTierTests(catalog: Catalog, service: string, ruleFiles: readonly string[]): RuleTestFile {
  return testFile(catalog, service, ruleFiles, BURN_RATE_TIERS.filter((t) => windowMs(t.longWindow) > 6 * 3_600_000), { input: '8m', evaluation: '4m' }, false);
}

function testFile(catalog: Catalog, service: string, ruleFiles: readonly string[], tiers: readonly BurnRateTier[], intervals: { input: string; evaluation: string }, withGuards: boolean): RuleTestFile {
  const slos = catalog.slos.filter((slo) => slo.service === service);
  const tests: RuleTest[] = [];
  for (const slo of slos) {
    for (const tier of tiers) tests.push(burnTest(catalog, slo, tier, intervals.input));
    if (withGuards) tests.push(lowTrafficTest(catalog, slo), silenceTest(slo));
  }
  return { rule_files: ruleFiles, evaluation_interval: intervals.evaluation, tests };
}

function burnTest(catalog: Catalog, slo: Slo, tier: BurnRateTier, interval: string): RuleTest {
  const stepMs = windowMs(interval);
  const threshold = errorRatioThreshold(tier, slo.periodMs, slo.budget);
  const errorRatio = Math.min(1, 2 * threshold);
  const detection = detectionTimeMs(tier, slo.periodMs, slo.budget, errorRatio);
  const start = windowMs(tier.longWindow);
  const quiet = roundTo(start + 0.8 * detection, stepMs);
  const firing = roundTo(start + 1.2 * detection, stepMs);
  const steps = Math.ceil((firing + stepMs) / stepMs);
  const cleanSteps = Math.round(start / stepMs);
  const perStep = REQUESTS_PER_MINUTE * (stepMs / 60_000);
  const alert = burnRateAlert(catalog, slo, tier);
  const percent = `${(errorRatio * 100).toPrecision(3)} %`;
  return {
    name: `${alert.alert} for ${slo.service}/${slo.id} fires when ${percent} of ${BAD_EVENTS[slo.id]} for ${formatDuration(firing - start)}, not after ${formatDuration(quiet - start)}`,
    interval,
    input_series: trafficSeries(slo, perStep, steps, cleanSteps, errorRatio),
    alert_rule_test: [
      { eval_time: formatDuration(quiet), alertname: alert.alert, exp_alerts: [] },
      { eval_time: formatDuration(firing), alertname: alert.alert, exp_alerts: [{ exp_labels: { ...alert.labels }, exp_annotations: { ...alert.annotations } }] },
    ],
  };
}

/**
 * One failure among three requests an hour is a 33 % error ratio; it must not page. Sampled every
 * minute (counters rising by fractions), so that both windows have a ratio and only the
 * minimum-traffic guard can keep the alert quiet.
 */
function lowTrafficTest(catalog: Catalog, slo: Slo): RuleTest {
  const tier = BURN_RATE_TIERS[0] as BurnRateTier;
  const alert = burnRateAlert(catalog, slo, tier);
  return {
    name: `${alert.alert} for ${slo.service}/${slo.id} does not fire on low traffic (1 bad request among 3 an hour)`,
    interval: '1m',
    input_series: trafficSeries(slo, 3 / 60, 300, 0, 1 / 3, true),
    alert_rule_test: [
      { eval_time: '2h', alertname: alert.alert, exp_alerts: [] },
      { eval_time: '4h', alertname: alert.alert, exp_alerts: [] },
    ],
  };
}

/** Zero traffic is 0/0: the SLI must be absent (no NaN), and no alert may fire. */
function silenceTest(slo: Slo): RuleTest {
  const total = `${slo.sli.count}{${sliSelector(slo.sli)}${eventLabels(slo, '/', '200')}}`;
  return {
    name: `the ${slo.service}/${slo.id} SLI of a service without traffic is absent, not NaN`,
    interval: '1m',
    input_series: [{ series: total, values: '100x180' }],
    promql_expr_test: [{ expr: `${sliErrorRatio('5m')}{service="${slo.service}",slo="${slo.id}"}`, eval_time: '2h', exp_samples: [] }],
    alert_rule_test: [{ eval_time: '2h', alertname: burnAlertName('fast'), exp_alerts: [] }],
  };
}

/**
 * Request counters shaped for one SLO: `cleanSteps` of good traffic, then `errorRatio` bad.
 * Availability: separate 200 and 500 series. Latency: every request counted, the good ones also in
 * the threshold bucket. `spread` distributes the few bad requests of a low-traffic test evenly.
 */
function trafficSeries(slo: Slo, perStep: number, steps: number, cleanSteps: number, errorRatio: number, spread = false): { series: string; values: string }[] {
  const labels = (status: string): string => `${sliSelector(slo.sli)}${eventLabels(slo, '/api/test', status)}`;
  const badPerStep = perStep * errorRatio;
  const bad = spread ? evenCounter(badPerStep, steps) : counter(0, cleanSteps, badPerStep, steps - cleanSteps);
  const good = spread ? evenCounter(perStep - badPerStep, steps) : counter(perStep, cleanSteps, perStep - badPerStep, steps - cleanSteps);
  if (slo.id === 'availability') {
    return [
      { series: `${slo.sli.count}{${labels('200')}}`, values: good },
      { series: `${slo.sli.count}{${labels('500')}}`, values: bad },
    ];
  }
  return [
    { series: `${slo.sli.count}{${labels('200')}}`, values: `0+${perStep}x${steps}` },
    { series: `${slo.sli.bucket}{${labels('200')},le="${leLabel(slo.thresholdSeconds)}"}`, values: good },
  ];
}

/** The labels an event carries besides the SLI's selector: a gateway request's route, method and status. */
function eventLabels(slo: Slo, route: string, status: string): string {
  return slo.sli.job === GATEWAY_JOB ? `,http_route="${route}",http_request_method="GET",http_response_status_code="${status}"` : `,service="any"`;
}

/** promtool series notation: `a` steps growing by `x`, then `b` steps growing by `y`. */
function counter(x: number, a: number, y: number, b: number): string {
  const afterClean = x * a;
  const head = a > 0 ? `0+${num(x)}x${a}` : '0';
  return b > 0 ? `${head} ${num(afterClean + y)}+${num(y)}x${b - 1}` : head;
}

function evenCounter(perStep: number, steps: number): string {
  return `0+${num(perStep)}x${steps}`;
}

function num(value: number): string {
  return String(Number(value.toPrecision(10)));
}

function roundTo(ms: number, stepMs: number): number {
  return Math.round(ms / stepMs) * stepMs;
}
