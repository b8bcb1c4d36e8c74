/**
 * Spans a gateway log line reports dropped: the gateway's own count (dropped_spans), or the SDK's
 * "Dropped N spans because maxQueueSize reached" from the export worker. The gateway logs the
 * SDK's message at most once a minute, so a sum of these is a lower bound: what matters is above 0.
 */
export function droppedSpansIn(line: string): number {
  if (!line.includes('ropped')) return 0;
  try {
    const entry = JSON.parse(line) as { dropped_spans?: unknown; msg?: unknown };
    if (typeof entry.dropped_spans === 'number') return entry.dropped_spans;
    const sdk = typeof entry.msg === 'string' ? /Dropped (\d+) spans/.exec(entry.msg) : null;
    return sdk ? Number(sdk[1]) : 0;
  } catch {
    return 0;
  }
}
