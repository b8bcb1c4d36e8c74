/**
 * Why a sampled span went unexported, as gateway_spans_dropped_total's `reason` label says:
 * - queue_full: OTEL_BSP_MAX_QUEUE_SIZE spans were already waiting, on either side of the export
 *   worker (it fell behind, or the collector is slow to take batches);
 * - export_failed: the span was in a batch the collector refused or never answered;
 * - worker_failed: the export worker is gone, and nothing exports any more.
 */
export const SPAN_DROP_REASONS = ['queue_full', 'export_failed', 'worker_failed'] as const;
export type SpanDropReason = (typeof SPAN_DROP_REASONS)[number];
/** The reasons told as each drop happens; worker_failed is told once, by the worker's failure. */
export type ReportedSpanDropReason = Exclude<SpanDropReason, 'worker_failed'>;

export type SpansDropped = Record<SpanDropReason, number>;

export function noSpansDropped(): SpansDropped {
  return { queue_full: 0, export_failed: 0, worker_failed: 0 };
}

/** Adds `more` into `total`, reason by reason. */
export function addSpansDropped(total: SpansDropped, more: Readonly<SpansDropped>): SpansDropped {
  for (const reason of SPAN_DROP_REASONS) total[reason] += more[reason];
  return total;
}
