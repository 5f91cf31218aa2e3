// Small statistics for noisy, shared machines: order statistics only (no means, which one
// slow outlier drags), and quantiles by the nearest-rank rule so p99 of 20 samples is the max.

/** The q-quantile (0 < q ≤ 1) of `values` by nearest rank; NaN when there are none. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const median = (values) => quantile(values, 0.5);

/** n, min, p50 (median), p99, max of `values`. */
export function summarize(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    n: finite.length,
    min: finite.length ? Math.min(...finite) : Number.NaN,
    p50: median(finite),
    p99: quantile(finite, 0.99),
    max: finite.length ? Math.max(...finite) : Number.NaN,
  };
}

/** Rounds to `digits` decimals, keeping NaN/undefined as null for JSON. */
export function round(value, digits = 0) {
  if (value === undefined || value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
