import type { Stage } from './plan.js';

/**
 * When each arrival of an arrival-rate scenario is due, in milliseconds from the start: the rate
 * runs linearly from each stage's start to its target (constant when they are equal), and the n-th
 * arrival is due when the rate's integral reaches n. The first is due at 0, as in k6.
 */
export function* arrivalTimes(startPerMinute: number, stages: readonly Stage[]): Generator<number> {
  let stageStart = 0;
  let done = 0;
  let from = startPerMinute / 60_000;
  let next = 0;
  for (const stage of stages) {
    const to = stage.targetPerMinute / 60_000;
    const duration = stage.durationMs;
    const total = done + ((from + to) / 2) * duration;
    for (; next < total - 1e-9; next++) {
      const m = next - done;
      // Solves from*t + (to-from)*t^2/(2*duration) = m, in a form that stays exact when to == from.
      const discriminant = from * from + (2 * (to - from) * m) / duration;
      const t = m === 0 ? 0 : (2 * m) / (from + Math.sqrt(Math.max(0, discriminant)));
      yield stageStart + Math.min(t, duration);
    }
    done = total;
    stageStart += duration;
    from = to;
  }
}

/** How many arrivals a scenario makes in all: the integral of its rate. */
export function arrivalCount(startPerMinute: number, stages: readonly Stage[]): number {
  return [...arrivalTimes(startPerMinute, stages)].length;
}
