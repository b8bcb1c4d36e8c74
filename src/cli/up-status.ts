import { ALERT_NAME_PATTERN, CONTROL_PLANE_JOB, CONTROL_PLANE_METRICS, GATEWAY_JOB, SLI_COUNT } from '../catalog/conventions.js';
import { PrometheusClient } from '../prometheus/client.js';

/** What `sre up` reports while it runs: what is up, what the gateway serves, what is firing. */
export interface StackSnapshot {
  readonly at: Date;
  readonly healthy: readonly string[];
  readonly down: readonly string[];
  /** Absent when Prometheus is not part of the stack or did not answer. */
  readonly gateway?: { readonly requestsPerSecond: number; readonly errorRatio: number } | undefined;
  readonly firing?: readonly string[] | undefined;
  /** Incidents the control plane has not resolved; absent when it is not scraped. */
  readonly openIncidents?: number | undefined;
}

export interface StatusProbe {
  readonly name: string;
  readonly healthUrl: string;
}

const PROBE_TIMEOUT_MS = 2_000;
const MAX_ALERTS_SHOWN = 3;

const REQUEST_RATE = `sum(rate(${SLI_COUNT}{job="${GATEWAY_JOB}"}[1m]))`;
const ERROR_RATE = `sum(rate(${SLI_COUNT}{job="${GATEWAY_JOB}",http_response_status_code=~"5.."}[1m]))`;
// Every replica reports the same incidents (they share the database): count each once.
// None open is 0 when the control plane is scraped, and no sample when it is not.
const OPEN_INCIDENTS = `sum(max by (service, severity, status) (${CONTROL_PLANE_METRICS.openIncidents.name}{job="${CONTROL_PLANE_JOB}"})) or (0 * sum(up{job="${CONTROL_PLANE_JOB}"} == 1))`;

/** One short line, such as `status 14:02:10 · 6/6 healthy · gateway 9.8 req/s, 5xx 0.00 % · firing: none`. */
export function formatStatus(snapshot: StackSnapshot): string {
  const parts = [`status ${snapshot.at.toISOString().slice(11, 19)}`];
  const total = snapshot.healthy.length + snapshot.down.length;
  parts.push(snapshot.down.length === 0 ? `${total}/${total} healthy` : `${snapshot.healthy.length}/${total} healthy, DOWN: ${snapshot.down.join(', ')}`);
  if (snapshot.gateway) {
    const { requestsPerSecond, errorRatio } = snapshot.gateway;
    parts.push(`gateway ${requestsPerSecond.toFixed(1)} req/s, 5xx ${(errorRatio * 100).toFixed(2)} %`);
  }
  if (snapshot.openIncidents !== undefined) parts.push(`incidents open: ${snapshot.openIncidents}`);
  if (snapshot.firing) {
    const shown = snapshot.firing.slice(0, MAX_ALERTS_SHOWN);
    const more = snapshot.firing.length - shown.length;
    parts.push(shown.length === 0 ? 'firing: none' : `firing: ${shown.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`);
  }
  return parts.join(' · ');
}

/** Probes every component and, when Prometheus runs, asks it for the gateway's traffic and the firing alerts. */
export async function collectStatus(probes: readonly StatusProbe[], prometheusUrl: string | undefined, at = new Date()): Promise<StackSnapshot> {
  const results = await Promise.all(probes.map(async (probe) => ({ name: probe.name, ok: await answers(probe.healthUrl) })));
  const healthy = results.filter((r) => r.ok).map((r) => r.name);
  const down = results.filter((r) => !r.ok).map((r) => r.name);
  if (!prometheusUrl || down.includes('prometheus')) return { at, healthy, down };
  try {
    const prometheus = new PrometheusClient(new URL(prometheusUrl), PROBE_TIMEOUT_MS);
    const [requests, errors, alerts, incidents] = await Promise.all([prometheus.query(REQUEST_RATE), prometheus.query(ERROR_RATE), prometheus.query(`ALERTS{alertstate="firing",alertname=~"${ALERT_NAME_PATTERN}"}`), prometheus.query(OPEN_INCIDENTS)]);
    const requestsPerSecond = Number(requests[0]?.value[1] ?? 0);
    const errorsPerSecond = Number(errors[0]?.value[1] ?? 0);
    return {
      at,
      healthy,
      down,
      gateway: { requestsPerSecond, errorRatio: requestsPerSecond > 0 ? errorsPerSecond / requestsPerSecond : 0 },
      firing: alerts.map((alert) => alertLabel(alert.metric)).sort(),
      openIncidents: incidents[0] === undefined ? undefined : Number(incidents[0].value[1]),
    };
  } catch {
    return { at, healthy, down };
  }
}

/** `PyAirtableErrorBudgetBurnFast{service=user,slo=availability}`: the name and what it is about. */
function alertLabel(labels: Readonly<Record<string, string>>): string {
  const about = ['service', 'slo'].filter((name) => labels[name]).map((name) => `${name}=${labels[name] ?? ''}`);
  return `${labels.alertname ?? '?'}${about.length > 0 ? `{${about.join(',')}}` : ''}`;
}

/** Whether `url` answers 2xx within the timeout (the body is discarded, so no socket is held). */
export async function answers(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
