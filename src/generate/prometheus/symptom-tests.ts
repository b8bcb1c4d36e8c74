import { CIRCUIT_OPEN_ALERT, CONTROL_PLANE_DOWN_ALERT, CONTROL_PLANE_JOB, CONTROL_PLANE_METRICS, COST_METRICS, COST_REGRESSION_ALERT, GATEWAY_JOB, GATEWAY_METRICS, INCIDENT_UNACKNOWLEDGED_ALERT, SLI_ABSENT_ALERT, SLI_COUNT, SPANS_DROPPED_ALERT, TARGET_DOWN_ALERT } from '../../catalog/conventions.js';
import { acknowledgementTargetSeconds, type Catalog } from '../../catalog/index.js';
import { controlPlaneAlertRules, costAlertRules, gatewayAlertRules } from './alert-rules.js';
import type { AlertingRule, RuleFile } from './rule-types.js';
import type { RuleTestFile } from './rule-tests.js';

/** promtool tests for the gateway symptom alerts: each quiet before its `for` elapses, firing after. */
export function symptomTests(catalog: Catalog, ruleFiles: readonly string[]): RuleTestFile {
  const expected = expectedAlerts(gatewayAlertRules(catalog));
  const service = catalog.services[0]?.id ?? 'service';
  const instance = '127.0.0.1:8000';
  return {
    rule_files: ruleFiles,
    evaluation_interval: '1m',
    tests: [
      {
        name: `${CIRCUIT_OPEN_ALERT} fires when a breaker stays open for over a minute, not while it has just opened`,
        interval: '1m',
        input_series: [
          { series: `${GATEWAY_METRICS.circuitState.name}{job="${GATEWAY_JOB}",instance="${instance}",service="${service}",state="open"}`, values: '0x5 1x10' },
          { series: `${GATEWAY_METRICS.circuitState.name}{job="${GATEWAY_JOB}",instance="${instance}",service="${service}",state="closed"}`, values: '1x5 0x10' },
        ],
        alert_rule_test: [
          { eval_time: '6m', alertname: CIRCUIT_OPEN_ALERT, exp_alerts: [] },
          { eval_time: '8m', alertname: CIRCUIT_OPEN_ALERT, exp_alerts: expected(CIRCUIT_OPEN_ALERT, { service }) },
        ],
      },
      {
        name: `${TARGET_DOWN_ALERT} fires when the gateway has not been scraped for over 2 minutes`,
        interval: '1m',
        input_series: [{ series: `up{job="${GATEWAY_JOB}",instance="${instance}"}`, values: '1x5 0x10' }],
        alert_rule_test: [
          { eval_time: '7m', alertname: TARGET_DOWN_ALERT, exp_alerts: [] },
          { eval_time: '9m', alertname: TARGET_DOWN_ALERT, exp_alerts: expected(TARGET_DOWN_ALERT, { job: GATEWAY_JOB, instance }) },
        ],
      },
      {
        name: `${SLI_ABSENT_ALERT} fires when the SLI series have been gone for over 10 minutes, not while they are scraped`,
        interval: '1m',
        input_series: [{ series: `${SLI_COUNT}{job="${GATEWAY_JOB}",instance="${instance}",service="${service}",http_route="/",http_request_method="GET",http_response_status_code="200"}`, values: '1+1x10 _x40' }],
        alert_rule_test: [
          { eval_time: '10m', alertname: SLI_ABSENT_ALERT, exp_alerts: [] },
          { eval_time: '22m', alertname: SLI_ABSENT_ALERT, exp_alerts: [] },
          { eval_time: '35m', alertname: SLI_ABSENT_ALERT, exp_alerts: expected(SLI_ABSENT_ALERT, { job: GATEWAY_JOB }) },
        ],
      },
      {
        name: `${SPANS_DROPPED_ALERT} fires when spans keep being dropped for over 15 minutes, not for one burst of failed exports`,
        interval: '1m',
        input_series: [
          // From minute 10 on, 100 spans a minute find the queue full.
          { series: `${GATEWAY_METRICS.spansDropped.name}{job="${GATEWAY_JOB}",instance="${instance}",reason="queue_full"}`, values: '0x10 100+100x30' },
          // One batch of 512 failed at minute 10, and nothing since.
          { series: `${GATEWAY_METRICS.spansDropped.name}{job="${GATEWAY_JOB}",instance="${instance}",reason="export_failed"}`, values: '0x10 512x30' },
          { series: `${GATEWAY_METRICS.spansDropped.name}{job="${GATEWAY_JOB}",instance="${instance}",reason="worker_failed"}`, values: '0x40' },
        ],
        alert_rule_test: [
          { eval_time: '20m', alertname: SPANS_DROPPED_ALERT, exp_alerts: [] },
          { eval_time: '30m', alertname: SPANS_DROPPED_ALERT, exp_alerts: expected(SPANS_DROPPED_ALERT, { instance, reason: 'queue_full' }) },
        ],
      },
    ],
  };
}

/** promtool tests for the control plane's alerts: quiet before their condition holds, firing after. */
export function controlPlaneTests(catalog: Catalog, ruleFiles: readonly string[]): RuleTestFile {
  const expected = expectedAlerts(controlPlaneAlertRules(catalog));
  const target = acknowledgementTargetSeconds(catalog);
  const instance = '127.0.0.1:8500';
  const minutes = Math.round(target / 60);
  return {
    rule_files: ruleFiles,
    evaluation_interval: '1m',
    tests: [
      {
        name: `${INCIDENT_UNACKNOWLEDGED_ALERT} fires once a page has waited over ${minutes} minutes, not before`,
        interval: '1m',
        input_series: [
          // A page opens at minute 5 and nobody acknowledges it: its age grows by 60 s a minute.
          { series: `${CONTROL_PLANE_METRICS.oldestUnacknowledged.name}{job="${CONTROL_PLANE_JOB}",instance="${instance}",severity="critical"}`, values: `0x5 60+60x${minutes + 10}` },
          { series: `${CONTROL_PLANE_METRICS.oldestUnacknowledged.name}{job="${CONTROL_PLANE_JOB}",instance="${instance}",severity="warning"}`, values: `0+600x${minutes + 15}` },
        ],
        alert_rule_test: [
          { eval_time: `${5 + minutes}m`, alertname: INCIDENT_UNACKNOWLEDGED_ALERT, exp_alerts: [] },
          {
            eval_time: `${5 + minutes + 2}m`,
            alertname: INCIDENT_UNACKNOWLEDGED_ALERT,
            exp_alerts: expected(INCIDENT_UNACKNOWLEDGED_ALERT, {}, `${minutes + 2}m 0s`),
          },
        ],
      },
      {
        name: `${CONTROL_PLANE_DOWN_ALERT} fires when the control plane has not been scraped for over 2 minutes`,
        interval: '1m',
        input_series: [{ series: `up{job="${CONTROL_PLANE_JOB}",instance="${instance}"}`, values: '1x5 0x10' }],
        alert_rule_test: [
          { eval_time: '7m', alertname: CONTROL_PLANE_DOWN_ALERT, exp_alerts: [] },
          { eval_time: '9m', alertname: CONTROL_PLANE_DOWN_ALERT, exp_alerts: expected(CONTROL_PLANE_DOWN_ALERT, { job: CONTROL_PLANE_JOB, instance }) },
        ],
      },
    ],
  };
}

/**
 * What promtool should report for an alert of `rules` firing on series with these labels: the rule's
 * labels added, its annotations rendered as Prometheus renders them (`value` is the humanized $value).
 */
function expectedAlerts(rules: RuleFile) {
  const byName = new Map(rules.groups.flatMap((group) => group.rules as AlertingRule[]).map((rule) => [rule.alert, rule]));
  return (name: string, labels: Record<string, string>, value = '') => {
    const alert = byName.get(name);
    if (!alert) throw new Error(`no alert ${name}`);
    const all = { ...labels, ...alert.labels };
    const render = (text: string): string =>
      text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => all[label] ?? '').replace(/\{\{ \$value \| humanizeDuration \}\}/g, value);
    return [{ exp_labels: all, exp_annotations: Object.fromEntries(Object.entries(alert.annotations).map(([key, text]) => [key, render(text)])) }];
  };
}

/**
 * promtool tests for the cost regression ticket: steady traffic at a steady cost stays quiet; the
 * same cost with traffic halved from day 7 fires once a day of the lower traffic is compared with a
 * week before. Samples and evaluations every 4 minutes, under the 5-minute lookback: the alert reads
 * series another group records, and a longer step leaves gaps that reset its `for`.
 */
export function costTests(catalog: Catalog, ruleFiles: readonly string[]): RuleTestFile {
  const expected = expectedAlerts(costAlertRules(catalog));
  const cost = `${COST_METRICS.hourly.name}{job="${CONTROL_PLANE_JOB}",instance="127.0.0.1:8500",service="user"}`;
  const baseline = `${COST_METRICS.baselineHourly.name}{job="${CONTROL_PLANE_JOB}",instance="127.0.0.1:8500",service="user"}`;
  const requests = `${SLI_COUNT}{job="${GATEWAY_JOB}",instance="127.0.0.1:8000",service="user",http_route="/api/users",http_request_method="GET",http_response_status_code="200"}`;
  const steps = 9 * 360; // nine days of 4-minute samples
  const week = 7 * 360;
  const inputs = (requestValues: string) => [
    { series: cost, values: `0.5x${steps}` },
    { series: baseline, values: `0.6x${steps}` },
    { series: requests, values: requestValues },
  ];
  return {
    rule_files: ruleFiles,
    evaluation_interval: '4m',
    tests: [
      {
        name: `${COST_REGRESSION_ALERT} stays quiet while traffic and cost hold steady`,
        interval: '4m',
        input_series: inputs(`0+2400x${steps}`),
        alert_rule_test: [{ eval_time: '9d', alertname: COST_REGRESSION_ALERT, exp_alerts: [] }],
      },
      {
        name: `${COST_REGRESSION_ALERT} opens a ticket when traffic halves at the same cost`,
        interval: '4m',
        input_series: inputs(`0+2400x${week - 1} ${2400 * week}+1200x${steps - week}`),
        alert_rule_test: [{ eval_time: '9d', alertname: COST_REGRESSION_ALERT, exp_alerts: expected(COST_REGRESSION_ALERT, {}) }],
      },
    ],
  };
}
