/** Where a report goes when a run is over: a control plane, and an API key with its operator role. */
export interface ControlPlaneTarget {
  readonly url: URL;
  readonly apiKey: string;
}

/** POSTs a load-test or chaos report to the control plane (POST /api/v1/reports); an error names its answer. */
export async function postReport(controlPlane: ControlPlaneTarget, report: unknown): Promise<void> {
  const response = await fetch(new URL('/api/v1/reports', controlPlane.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': controlPlane.apiKey },
    body: JSON.stringify(report),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the control plane at ${controlPlane.url.origin} refused the report: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}
