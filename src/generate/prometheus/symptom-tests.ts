import { CIRCUIT_OPEN_ALERT, GATEWAY_JOB, GATEWAY_METRICS, SLI_ABSENT_ALERT, SLI_COUNT, SPANS_DROPPED_ALERT, TARGET_DOWN_ALERT } from '../../catalog/conventions.js';
import type { Catalog } from '../../catalog/index.js';
import { gatewayAlertRules } from './alert-rules.js';
import type { AlertingRule } from './rule-types.js';
import type { RuleTestFile } from './rule-tests.js';

/** promtool tests for the gateway symptom alerts: each quiet before its `for` elapses, firing after. */
export function symptomTests(catalog: Catalog, ruleFiles: readonly string[]): RuleTestFile {
  const rules = new Map(gatewayAlertRules(catalog).groups.flatMap((g) => g.rules as AlertingRule[]).map((rule) => [rule.alert, rule]));
  const rule = (name: string): AlertingRule => {
    const found = rules.get(name);
    if (!found) throw new Error(`no alert ${name}`);
    return found;
  };
  const service = catalog.services[0]?.id ?? 'service';
  const instance = '127.0.0.1:8000';
  const render = (text: string, labels: Record<string, string>): string => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');
  const expected = (name: string, labels: Record<string, string>) => {
    const alert = rule(name);
    const all = { ...labels, ...alert.labels };
    return [{ exp_labels: all, exp_annotations: Object.fromEntries(Object.entries(alert.annotations).map(([key, value]) => [key, render(value, all)])) }];
  };
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
