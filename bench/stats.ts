/**
 * The arithmetic of the benchmark, kept pure so it can be tested without a stack: order
 * statistics, rates and the ours/floor ratios every figure is reported as.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples: a value that was actually observed. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const mean = samples.length ? samples.reduce((s, x) => s + x, 0) / samples.length : Number.NaN;
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), mean };
}

/** Items per second from a count and a duration in milliseconds. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return Number.NaN;
  return (count * 1000) / elapsedMs;
}

/** ours / floor; NaN when either side was not measured, so a missing figure never reads as a good one. */
export function ratio(ours: number, floor: number): number {
  if (!Number.isFinite(ours) || !Number.isFinite(floor) || floor === 0) return Number.NaN;
  return ours / floor;
}

/** Round to `digits` decimals for the report (NaN stays NaN, which the table prints as "n/a"). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * A throughput ratio measured in alternating rounds (floor, ours, floor, ours…) is the median of
 * the per-round ratios: a burst of load from elsewhere on the machine spoils one round, not the figure.
 */
export function medianRoundRatio(rounds: readonly { ours: number; floor: number }[]): number {
  const ratios = rounds.map((r) => ratio(r.ours, r.floor)).filter(Number.isFinite);
  return ratios.length ? median(ratios) : Number.NaN;
}
