/** Medians and spreads of repeated measurements: the benchmark reports every figure as median (min–max). */

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in run order. */
  runs: number[];
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values };
}

/** `0.97 (0.96–0.98)`, or the single value when there was one run. */
export function formatSpread(s: Spread, digits: number): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  return s.runs.length > 1 && s.min !== s.max ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}
