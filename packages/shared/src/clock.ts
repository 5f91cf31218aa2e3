/** Time and timers, passed in so tests control them. */
export interface Clock {
  /** Monotonic milliseconds (keeps counting while the process is stopped): durations, leases, waits. */
  now(): number;
  /** Wall-clock milliseconds since the epoch: timestamps of events and log lines. */
  wallTime(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock. Its timers never keep a process alive on their own (`unref`), unless
 * `keepAlive` is set: ha-state's handler timeouts must fire even when the handler waits on
 * nothing else that does.
 */
export function systemClock(options: { keepAlive?: boolean } = {}): Clock {
  const keepAlive = options.keepAlive === true;
  return {
    now: () => performance.now(),
    wallTime: () => Date.now(),
    setTimeout: (callback, ms) => {
      const handle = setTimeout(callback, ms);
      if (!keepAlive) handle.unref?.();
      return handle;
    },
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
}
