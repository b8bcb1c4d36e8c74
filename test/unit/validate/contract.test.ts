import { describe, expect, it } from 'vitest';
import { GATEWAY_METRICS } from '../../../src/catalog/conventions.js';
import { checkContract, checkDeclaredMetrics } from '../../../src/validate/contract.js';
import { parseExposition } from '../../../src/validate/exposition.js';
import { PromqlSyntaxError, selectorsOf } from '../../../src/promql/selectors.js';

const live = parseExposition(`# HELP http_server_request_duration_seconds x
# TYPE http_server_request_duration_seconds histogram
http_server_request_duration_seconds_bucket{le="0.1",service="user",http_route="/api/users/me",http_request_method="GET",http_response_status_code="200"} 3
http_server_request_duration_seconds_count{service="user",http_route="/api/users/me",http_request_method="GET",http_response_status_code="200"} 3
`);

function findings(expr: string, recorded: string[] = []): string[] {
  return checkContract(selectorsOf(expr).map((selector) => ({ where: 'rule', selector })), live, new Set(recorded)).map((f) => f.problem);
}

describe('the metrics contract', () => {
  it('accepts selectors that match the live exposition, ignoring target labels', () => {
    expect(findings('sum(rate(http_server_request_duration_seconds_count{job="gateway",service="user",http_response_status_code=~"5.."}[5m]))')).toEqual([]);
  });

  it('catches the platform\'s old mistake: a label the services never export', () => {
    expect(findings('rate(http_server_request_duration_seconds_count{status=~"5.."}[5m])')).toEqual([
      'http_server_request_duration_seconds_count has no label "status" (it has: service, http_route, http_request_method, http_response_status_code)',
    ]);
  });

  it('catches an le spelled differently from the client library', () => {
    expect(findings('http_server_request_duration_seconds_bucket{le="0.10"}')).toEqual(['http_server_request_duration_seconds_bucket{le="0.10"} matches nothing live; values seen: 0.1']);
  });

  it('catches an unknown service and an unknown metric', () => {
    expect(findings('http_server_request_duration_seconds_count{service="users"} + pyairtable_requests_total')).toEqual([
      'http_server_request_duration_seconds_count{service="users"} matches nothing live; values seen: user',
      'metric pyairtable_requests_total is not in the live /metrics of the gateway or the simulator',
    ]);
  });

  it('requires recorded series to come from a generated recording rule', () => {
    expect(findings('slo:sli_error:ratio_rate1h{service="user"} > 0', ['slo:sli_error:ratio_rate1h'])).toEqual([]);
    expect(findings('slo:sli_error:ratio_rate7h{service="user"} > 0', ['slo:sli_error:ratio_rate1h'])).toEqual(['slo:sli_error:ratio_rate7h is not produced by any generated recording rule']);
  });

  it('refuses invalid PromQL', () => {
    expect(() => selectorsOf('sum(rate(x[5m])')).toThrow(PromqlSyntaxError);
  });

  it('names every metric the SLI contract declares that the gateway does not export', () => {
    const problems = checkDeclaredMetrics(GATEWAY_METRICS, live).map((f) => f.problem);
    expect(problems).not.toContainEqual(expect.stringContaining('http_server_request_duration_seconds_count'));
    expect(problems).toContain('nothing live exports gateway_upstream_circuit_state, which the SLI contract declares');
    expect(problems).toContain('nothing live exports gateway_spans_dropped_total, which the SLI contract declares');
  });

  it('names a declared label the live series lack', () => {
    const unlabelled = parseExposition('gateway_upstream_retries_total 0\n');
    expect(checkDeclaredMetrics(GATEWAY_METRICS, unlabelled).map((f) => f.problem)).toContain('gateway_upstream_retries_total has no label "service", which the SLI contract declares');
  });
});
