/**
 * The systems in the order they run in a round: as listed in odd rounds, reversed in even ones, so
 * that no system always runs first, or always after the same neighbour (docs/performance/methodology.md).
 */
export function inRoundOrder<T>(systems: readonly T[], round: number): readonly T[] {
  return round % 2 === 1 ? systems : [...systems].reverse();
}
