/**
 * The median of paired differences with a distribution-free confidence interval: the order
 * statistics x(k) and x(n+1-k) around the median, with k from the binomial distribution (the
 * sign-test interval). It assumes nothing about the shape of the differences, which on a shared
 * host are skewed by whatever the neighbours do, and it needs no random resampling, so the same
 * data always give the same interval.
 */
export interface MedianInterval {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** The interval's actual coverage, at least the confidence asked for (order statistics are discrete). */
  readonly confidence: number;
}

export function median(values: readonly number[]): number {
  return middleOf([...values].sort((a, b) => a - b));
}

function middleOf(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const lower = sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
  const upper = sorted[Math.ceil((sorted.length - 1) / 2)] ?? Number.NaN;
  return (lower + upper) / 2;
}

/** The value below which a share `p` (0-1) of the values lie: the nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

export function medianInterval(values: readonly number[], confidence = 0.9): MedianInterval {
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be between 0 and 1, got ${confidence}`);
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const k = lowerRank(n, (1 - confidence) / 2);
  if (k === 0) return { median: middleOf(sorted), low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY, confidence: 1 };
  return {
    median: middleOf(sorted),
    low: sorted[k - 1] ?? Number.NaN,
    high: sorted[n - k] ?? Number.NaN,
    confidence: 1 - 2 * binomialCdf(n, k - 1),
  };
}

/**
 * The largest rank k (1-based) with P(Binomial(n, 1/2) <= k - 1) <= tail, or 0 when even the
 * extremes do not reach the confidence (too few values).
 */
function lowerRank(n: number, tail: number): number {
  let k = 0;
  while (k + 1 <= n && binomialCdf(n, k) <= tail) k++;
  return k;
}

/** P(X <= x) for X ~ Binomial(n, 1/2). */
function binomialCdf(n: number, x: number): number {
  let term = 0.5 ** n;
  let sum = 0;
  for (let i = 0; i <= x; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}
