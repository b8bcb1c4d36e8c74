export interface RateLimit {
  /** Tokens in a full bucket: how many requests may come at once. */
  readonly capacity: number;
  /** Tokens added per millisecond: the sustained rate. */
  readonly refillPerMs: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the bucket is full again (X-RateLimit-Reset). */
  readonly resetSeconds: number;
  /** Seconds until one request is allowed again (Retry-After), when refused. */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function rateLimit(requests: number, perMs: number, burst: number = requests): RateLimit {
  return { capacity: burst, refillPerMs: requests / perMs };
}

/**
 * Token buckets keyed by client identity. Unlike a fixed window, a token bucket cannot be
 * doubled at a window boundary; the bucket map is swept so idle clients cost no memory.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly maxKeys = 100_000) {
    this.sweeper = setInterval(() => {
      this.sweep(Date.now());
    }, 60_000);
    this.sweeper.unref();
  }

  /** Takes a token from the key's bucket if it has one. */
  take(key: string, limit: RateLimit, nowMs: number = Date.now()): RateDecision {
    const bucket = this.refilled(key, limit, nowMs);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return decision(allowed, bucket.tokens, limit);
  }

  /** Whether take() would allow the key now, taking nothing. */
  peek(key: string, limit: RateLimit, nowMs: number = Date.now()): RateDecision {
    const bucket = this.buckets.get(key);
    const tokens = bucket ? tokensAt(bucket, limit, nowMs) : limit.capacity;
    return decision(tokens >= 1, tokens, limit);
  }

  private refilled(key: string, limit: RateLimit, nowMs: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(nowMs);
      bucket = { tokens: limit.capacity, updatedMs: nowMs };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = tokensAt(bucket, limit, nowMs);
      bucket.updatedMs = nowMs;
    }
    return bucket;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** Drops buckets idle long enough to have refilled completely: they hold no information. */
  private sweep(nowMs: number, idleMs = 300_000): void {
    for (const [key, bucket] of this.buckets) {
      if (nowMs - bucket.updatedMs > idleMs) this.buckets.delete(key);
    }
  }

  private evict(nowMs: number): void {
    this.sweep(nowMs, 1_000);
    // Still full of active clients: drop the oldest inserted, which Map iteration order gives first.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/** The bucket's tokens at `nowMs`: refilled at the sustained rate since its last update, up to capacity. */
function tokensAt(bucket: Bucket, limit: RateLimit, nowMs: number): number {
  return Math.min(limit.capacity, bucket.tokens + (nowMs - bucket.updatedMs) * limit.refillPerMs);
}

function decision(allowed: boolean, tokens: number, limit: RateLimit): RateDecision {
  return {
    allowed,
    limit: limit.capacity,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((limit.capacity - tokens) / limit.refillPerMs / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / limit.refillPerMs / 1000)),
  };
}
