import type { Clock } from "./clock.js";

/**
 * A Clock whose time moves only when a test says so (`advance`), for fast, deterministic unit
 * tests; published as election-core's `ManualClock` (`@atlas-ha/election-core/testing`).
 */
export class ManualClock implements Clock {
  #now = 0;
  #suspended = 0;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #next = 1;

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return 1_700_000_000_000 + this.#now + this.#suspended;
  }

  /** A host suspend: the wall clock moves on, the monotonic clock (and every timer) does not. */
  suspend(ms: number): void {
    this.#suspended += ms;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.push({ at: this.#now + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Timers set and not yet fired nor cleared. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Advances time, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const due = this.#timers[0];
      if (!due || due.at > end) break;
      this.#timers.shift();
      this.#now = due.at;
      due.fn();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets pending promise callbacks run (several turns of the event loop). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
