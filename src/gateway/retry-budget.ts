/**
 * Caps retries at a share of recent traffic (plus a small floor per second), so that retries
 * cannot multiply the load on an upstream that is already failing: a retry storm is how a
 * partial outage becomes a full one.
 */
export class RetryBudget {
  private tokens: number;
  private updatedMs: number;
  private readonly capacity: number;

  constructor(
    private readonly ratio: number,
    private readonly minPerSecond: number,
    nowMs: number = Date.now(),
  ) {
    this.capacity = Math.max(10, minPerSecond * 10);
    this.tokens = this.capacity;
    this.updatedMs = nowMs;
  }

  /** Every original request earns the budget `ratio` of a retry. */
  recordRequest(): void {
    this.tokens = Math.min(this.capacity, this.tokens + this.ratio);
  }

  tryRetry(nowMs: number = Date.now()): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.updatedMs) / 1000) * this.minPerSecond);
    this.updatedMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
