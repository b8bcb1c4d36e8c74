import { GATEWAY_JOB, SLI_COUNT } from '../catalog/conventions.js';

/** What `sre up` reports while it runs: what is up, what the gateway serves, what is firing. */
export interface StackSnapshot {
  readonly at: Date;
  readonly healthy: readonly string[];
  readonly down: readonly string[];
  /** Absent when Prometheus is not part of the stack or did not answer. */
  readonly gateway?: { readonly requestsPerSecond: number; readonly errorRatio: number } | undefined;
  readonly firing?: readonly string[] | undefined;
}

export interface StatusProbe {
  readonly name: string;
  readonly healthUrl: string;
}

const PROBE_TIMEOUT_MS = 2_000;
const MAX_ALERTS_SHOWN = 3;

const REQUEST_RATE = `sum(rate(${SLI_COUNT}{job="${GATEWAY_JOB}"}[1m]))`;
const ERROR_RATE = `sum(rate(${SLI_COUNT}{job="${GATEWAY_JOB}",http_response_status_code=~"5.."}[1m]))`;

/** One short line, such as `status 14:02:10 · 6/6 healthy · gateway 9.8 req/s, 5xx 0.00 % · firing: none`. */
export function formatStatus(snapshot: StackSnapshot): string {
  const parts = [`status ${snapshot.at.toISOString().slice(11, 19)}`];
  const total = snapshot.healthy.length + snapshot.down.length;
  parts.push(snapshot.down.length === 0 ? `${total}/${total} healthy` : `${snapshot.healthy.length}/${total} healthy, DOWN: ${snapshot.down.join(', ')}`);
  if (snapshot.gateway) {
    const { requestsPerSecond, errorRatio } = snapshot.gateway;
    parts.push(`gateway ${requestsPerSecond.toFixed(1)} req/s, 5xx ${(errorRatio * 100).toFixed(2)} %`);
  }
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
    const [requests, errors, alerts] = await Promise.all([query(prometheusUrl, REQUEST_RATE), query(prometheusUrl, ERROR_RATE), query(prometheusUrl, 'ALERTS{alertstate="firing"}')]);
    const requestsPerSecond = Number(requests[0]?.value[1] ?? 0);
    const errorsPerSecond = Number(errors[0]?.value[1] ?? 0);
    return {
      at,
      healthy,
      down,
      gateway: { requestsPerSecond, errorRatio: requestsPerSecond > 0 ? errorsPerSecond / requestsPerSecond : 0 },
      firing: alerts.map((alert) => alertLabel(alert.metric)).sort(),
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

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function query(prometheusUrl: string, expr: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const body = (await response.json()) as { status: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}`);
  return body.data?.result ?? [];
}
