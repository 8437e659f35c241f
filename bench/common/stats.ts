/**
 * Percentiles of an ascending array, `p` from 0 to 100; undefined when it is empty (each bench
 * says what an empty sample prints). Two definitions, each kept where it was used so that a
 * bench's numbers compare with its earlier runs.
 */

/** Nearest rank: the smallest value with at least p % of the sample at or below it. */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** The value at index floor(p % of the length): one rank above nearestRank at whole ranks. */
export function floorIndexRank(sorted: readonly number[], p: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
