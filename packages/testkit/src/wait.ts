import { TimeoutError } from "./errors.js";

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Time between two probes; default 50 ms. */
  intervalMs?: number;
  /** Named in the error when the deadline passes, e.g. "zk-2 to serve". */
  what: string;
}

/**
 * Polls `probe` until it returns a truthy value, and returns that value. A probe that throws
 * counts as "not yet"; its last error is the cause of the TimeoutError at the deadline.
 * This is the only way tests wait: on a condition, with a deadline, never a bare sleep.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions,
): Promise<NonNullable<T>> {
  const interval = options.intervalMs ?? 50;
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new TimeoutError(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}${detail}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
