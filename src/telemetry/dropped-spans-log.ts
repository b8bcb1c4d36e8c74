import type { Logger } from './logger.js';

/**
 * Logs spans the export path dropped, at most one line a window with the total since the last
 * line: under sustained overload drops are reported many times a second, and the log must stay
 * readable while still saying how many were lost.
 */
export class DroppedSpansLog {
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly maxQueueSize: number,
    private readonly windowMs = 10_000,
  ) {}

  add(count: number): void {
    this.pending += count;
    if (this.timer !== undefined || this.pending === 0) return;
    this.log.warn(
      { dropped_spans: this.pending, max_queue_size: this.maxQueueSize },
      'spans dropped: the span export worker fell behind with OTEL_BSP_MAX_QUEUE_SIZE spans waiting',
    );
    this.pending = 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.add(0);
    }, this.windowMs);
    this.timer.unref();
  }
}
