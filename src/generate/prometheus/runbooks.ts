import { BURN_RATE_TIERS, burnRateFactor } from '../../catalog/burn-rate.js';
import { CIRCUIT_OPEN_ALERT, DASHBOARD_UIDS, SLI_ABSENT_ALERT, SPANS_DROPPED, SPANS_DROPPED_ALERT, TARGET_DOWN_ALERT, burnAlertName } from '../../catalog/conventions.js';
import type { Catalog } from '../../catalog/index.js';

/** One Markdown runbook per alert name, linked from the alert's runbook_url. */
export function runbooks(catalog: Catalog): Map<string, string> {
  const books = new Map<string, string>();
  const dashboards = catalog.alerting.dashboard_base_url.replace(/\/$/, '');
  for (const tier of BURN_RATE_TIERS) {
    const factor = burnRateFactor(tier, catalog.slos[0]?.periodMs ?? 30 * 86_400_000);
    books.set(
      burnAlertName(tier.name),
      `# ${burnAlertName(tier.name)}

**Severity:** ${tier.severity} (${tier.severity === 'critical' ? 'pages the on-call engineer' : 'opens a ticket'}).
**Fires when** the SLO error ratio over ${tier.longWindow} *and* over ${tier.shortWindow} both exceed ${factor}x the error budget
(for a 30-day period), and the service had at least its \`min_events\` requests in the last ${tier.longWindow}.
At that rate ${(tier.budgetShare * 100).toFixed(0)} % of the month's budget is spent within ${tier.longWindow}.

## Impact
Users of the service named in the \`service\` label see errors (\`slo="availability"\`) or slow answers
(\`slo="latency"\`). Unchecked, the whole monthly budget is gone in 30 days / ${factor}.

## Diagnose
1. Open the service dashboard: ${dashboards}/d/${DASHBOARD_UIDS.serviceDetail} (the alert's \`dashboard_url\`).
2. Which routes fail? \`sum by (http_route, http_response_status_code) (rate(http_server_request_duration_seconds_count{service="<service>",http_response_status_code=~"5.."}[5m]))\`
3. Gateway-made errors name the upstream: 502 \`upstream_unavailable\`, 503 \`circuit_open\`/\`upstream_saturated\`, 504 \`upstream_timeout\`.
   Check \`gateway_upstream_circuit_state{service="<service>"}\` and \`gateway_upstream_rejected_requests_total\`.
4. Latency: compare \`histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="<service>"}[5m])))\`
   with the upstream's own \`http_client_request_duration_seconds\`: a gap means the gateway queues.
5. Follow an exemplar from the latency panel to its trace in Jaeger.
6. Locally: \`curl -s 127.0.0.1:8099/services\` shows any fault injected into the simulator.

## Mitigate
Roll back the last deploy of the service; shed load (rate limits in \`slo/catalog.yaml\`); scale the
service; if an upstream dependency fails, let the breaker hold and communicate. Afterwards, record the
budget spent (\`slo:period_error_budget_remaining:ratio\`).
`,
    );
  }
  books.set(
    CIRCUIT_OPEN_ALERT,
    `# ${CIRCUIT_OPEN_ALERT}

**Severity:** warning. **Fires when** the gateway's breaker for an upstream has been open for 1 minute.

While open, the gateway answers 503 \`circuit_open\` for that service without calling it, and probes it
again after the half-open delay (growing from \`half_open_after\` to \`max_half_open_after\`).

## Diagnose
- \`gateway_upstream_circuit_state{service="<service>"}\` over time; \`http_client_request_duration_seconds_count\` by status.
- Is the upstream up? \`curl <upstream>/health\`; locally \`curl 127.0.0.1:8099/faults/<service>\`.
## Mitigate
Fix or roll back the upstream. The breaker closes by itself after a successful probe.
`,
  );
  books.set(
    TARGET_DOWN_ALERT,
    `# ${TARGET_DOWN_ALERT}

**Severity:** critical. **Fires when** Prometheus has failed to scrape the gateway for 2 minutes.

Every SLI comes from the gateway's histogram: while it is not scraped, no SLO alert can fire.

## Diagnose
- Prometheus targets page: the scrape error. \`curl <gateway>/healthz\` and \`/metrics\`.
- Did the gateway restart or drain? Check its logs (JSON, \`msg\` "draining"/"drained").
## Mitigate
Restore the gateway or the scrape configuration; until then watch user-facing symptoms directly.
`,
  );
  books.set(
    SLI_ABSENT_ALERT,
    `# ${SLI_ABSENT_ALERT}

**Severity:** warning. **Fires when** \`http_server_request_duration_seconds_count{job="gateway"}\` has been absent for 10 minutes.

The scrape works but the SLI series are missing: a renamed metric or label, a relabeling rule, or no
traffic since the gateway started. The SLO rules then compute nothing, and their alerts are blind.

## Diagnose
\`curl <gateway>/metrics | grep http_server_request_duration_seconds\`; run \`npx sre validate\`, whose contract
check compares every metric and label the rules use with the live exposition.
`,
  );
  books.set(
    SPANS_DROPPED_ALERT,
    `# ${SPANS_DROPPED_ALERT}

**Severity:** warning. **Fires when** \`${SPANS_DROPPED}\` has kept rising for 15 minutes on one gateway, for one \`reason\`.

The SLIs are intact (they come from the gateway's histograms, not from traces); the traces are not.
Sampled requests have no trace in Jaeger, and exemplars on the latency panels lead nowhere.

## Diagnose by \`reason\`
- \`queue_full\`: \`OTEL_BSP_MAX_QUEUE_SIZE\` spans were already waiting. Either the collector takes batches
  slowly (see its own telemetry: refused spans, its exporters' queues, its CPU), or the gateway is
  CPU-bound and its export worker, which runs at a lower priority, gets too little of it
  (\`rate(process_cpu_seconds_total{job="gateway"}[5m])\` near the pod's CPU limit).
- \`export_failed\`: the collector refused the exports or did not answer in time. The gateway logs the
  exporter's error beside a "spans dropped" line; check the collector's address (\`OTEL_EXPORTER_OTLP_ENDPOINT\`),
  that it is up, and its logs.
- \`worker_failed\`: the export worker died; the gateway logged "span export worker failed" with the cause.
  Nothing is exported until the gateway restarts.

## Mitigate
Restore the collector, or give it more CPU or replicas. On a CPU-bound gateway, lower the sampling ratio
(\`OTEL_TRACES_SAMPLER_ARG\`) or add gateway replicas. A larger \`OTEL_BSP_MAX_QUEUE_SIZE\` only rides out bursts.
`,
  );
  return books;
}
