import type { Logger } from './logger.js';
import type { ReportedSpanDropReason } from './span-drops.js';

const MESSAGES: Readonly<Record<ReportedSpanDropReason, string>> = {
  queue_full: 'spans dropped: OTEL_BSP_MAX_QUEUE_SIZE spans were already waiting for export (the export worker fell behind, or the collector is slow)',
  export_failed: 'spans dropped: the collector refused or did not answer their export (the exporter\'s own error is logged beside this)',
};

/**
 * Logs spans the export path dropped, for each reason at most one line a window with the total
 * since its last line: under sustained overload drops are reported many times a second, and the
 * log must stay readable while still saying how many were lost.
 */
export class DroppedSpansLog {
  private readonly pending: Record<ReportedSpanDropReason, number> = { queue_full: 0, export_failed: 0 };
  private readonly timers = new Map<ReportedSpanDropReason, NodeJS.Timeout>();

  constructor(
    private readonly log: Logger,
    private readonly maxQueueSize: number,
    private readonly windowMs = 10_000,
  ) {}

  add(count: number, reason: ReportedSpanDropReason): void {
    this.pending[reason] += count;
    if (this.timers.has(reason) || this.pending[reason] === 0) return;
    this.log.warn({ dropped_spans: this.pending[reason], reason, max_queue_size: this.maxQueueSize }, MESSAGES[reason]);
    this.pending[reason] = 0;
    const timer = setTimeout(() => {
      this.timers.delete(reason);
      this.add(0, reason);
    }, this.windowMs);
    timer.unref();
    this.timers.set(reason, timer);
  }
}
