/**
 * Group commit: deliveries that arrive while a transaction is on its way to disk wait, then go
 * down together in the next one. Every caller is answered only once its own delivery is committed,
 * and one fsync serves many: durable ingestion at a rate one commit per delivery could not reach.
 * With `concurrency` above 1 (PostgreSQL, whose round trips dominate) several batches are in flight.
 */
export class GroupCommit<T, R> {
  private waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly commit: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly concurrency = 1,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<R> {
    const result = new Promise<R>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
    if (this.running < this.concurrency) void this.drain();
    return result;
  }

  /** Resolves when every delivery added so far is committed (or failed). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const results = await this.commit(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => {
          entry.resolve(results[index] as R);
        });
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.running--;
    if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
