export interface BackoffOptions {
  /** The delay before the first retry (attempt 1), ms. */
  baseMs: number;
  /** No delay is longer than this, ms. */
  maxMs: number;
  /**
   * `"none"` (the default): exactly `min(maxMs, baseMs × 2^(attempt-1))`. `"equal"`: half
   * of that fixed and half random, so many participants failing together spread out and no
   * delay is ever near zero (rounded to whole milliseconds).
   */
  jitter?: "none" | "equal";
  /** Uniform in [0, 1); for `"equal"` jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * The one exponential back-off of atlas-ha: the delay before retry number `attempt`
 * (1-based; 0 and below count as 1), doubling from `baseMs` up to `maxMs`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  if (options.jitter !== "equal") return exponential;
  const random = options.random ?? Math.random;
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
