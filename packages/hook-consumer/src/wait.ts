// Waiting: a promise resolved from outside, a sleep that a signal cuts short and a wait
// bounded by a deadline (both on the injected clock), and a wait that stop() can abandon.
import type { Clock } from "@atlas-ha/shared";

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Sleeps `ms`; resolves true early when `interrupt` resolves first. */
export function sleep(clock: Clock, ms: number, interrupt: Promise<void>): Promise<boolean> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(() => resolve(false), ms);
    void interrupt.then(() => {
      clock.clearTimeout(handle);
      resolve(true);
    });
  });
}

/** True when `promise` settles within `ms`. */
export function within(clock: Clock, promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(() => resolve(false), ms);
    void promise.then(
      () => {
        clock.clearTimeout(handle);
        resolve(true);
      },
      () => {
        clock.clearTimeout(handle);
        resolve(true);
      },
    );
  });
}

export const ABANDON = Symbol("abandon");

/** Lets stop() give up on the handler in hand: a wait for it then ends with ABANDON. */
export class Abandonment {
  #abandoned = false;
  #wake: (() => void) | undefined;

  /** stop() gives up on the handler in hand. */
  abandon(): void {
    this.#abandoned = true;
    this.#wake?.();
  }

  /**
   * The handler's result, or ABANDON if stop() gives up first. Not Promise.race against one
   * promise that lives as long as the session: every race would leave a reaction on it that
   * is only freed when it settles, so memory would grow with every message
   * (docs/decisions.md).
   */
  untilAbandoned<T>(work: Promise<T>): Promise<T | typeof ABANDON> {
    if (this.#abandoned) return Promise.resolve(ABANDON);
    return new Promise((resolve, reject) => {
      const wake = () => resolve(ABANDON);
      const settle = () => {
        if (this.#wake === wake) this.#wake = undefined;
      };
      this.#wake = wake;
      work.then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }
}
