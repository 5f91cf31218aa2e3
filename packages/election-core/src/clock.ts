/** Time and timers, passed in so tests control them. */
export interface Clock {
  /** Monotonic milliseconds (keeps counting while the process is stopped). */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for event timestamps. */
  wallTime(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // Election timers never keep a process alive on their own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Exponential back-off with "equal jitter": half the delay is fixed, half random, so many
 * participants failing together spread out, and no delay is ever near zero.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
