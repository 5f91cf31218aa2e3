/** Time and timers, passed in so tests control them. */
export interface Clock {
  /** Monotonic milliseconds: split-message waits and commit intervals. */
  now(): number;
  /** Wall-clock epoch milliseconds: timestamps of events and failed-message lines. */
  wallTime(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A consumer's timers never keep a process alive on their own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
