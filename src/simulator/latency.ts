/** z-score of the 95th percentile of the standard normal distribution. */
const Z95 = 1.6448536269514722;

export interface LatencyModel {
  readonly medianMs: number;
  readonly p95Ms: number;
}

/**
 * Draws latencies from a log-normal distribution fitted to a median and a 95th percentile: service
 * latencies are right-skewed, and two quantiles are what an SRE actually knows about a service.
 */
export function logNormalSampler(model: LatencyModel, random: () => number = Math.random): () => number {
  if (model.medianMs <= 0) return () => 0;
  const mu = Math.log(model.medianMs);
  const sigma = model.p95Ms > model.medianMs ? (Math.log(model.p95Ms) - mu) / Z95 : 0;
  return () => Math.exp(mu + sigma * standardNormal(random));
}

function standardNormal(random: () => number): number {
  // Box-Muller; 1 - random() keeps the logarithm's argument away from zero.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
