// Split eviction of one session: a split message whose parts did not all arrive within
// `splitWaitMs` is dropped to the failed-messages log and its parts released for the commit,
// checked before each record and, when no record comes, on a timer.
import { incompleteSplitError } from "./codec/decoder.js";
import type { EvictedSplit } from "./codec/split.js";
import type { ConsumerContext } from "./context.js";
import { errorMessage } from "./errors.js";
import type { Session } from "./session.js";
import type { HeldRecord } from "./types.js";

export class SplitEviction {
  readonly #ctx: ConsumerContext;
  readonly #session: Session;
  #timer: unknown;
  #evicting: Promise<void> | undefined;

  constructor(ctx: ConsumerContext, session: Session) {
    this.#ctx = ctx;
    this.#session = session;
  }

  /** The eviction (and commit) the timer started, while it runs: a batch waits for it. */
  get evicting(): Promise<void> | undefined {
    return this.#evicting;
  }

  async evictExpired(): Promise<void> {
    const decoder = this.#session.decoder;
    const expiry = decoder.nextExpiry();
    if (expiry === undefined || this.#ctx.options.clock.now() < expiry) return;
    for (const evicted of decoder.evictExpired()) await this.#dropSplit(evicted);
  }

  async #dropSplit(evicted: EvictedSplit<HeldRecord>): Promise<void> {
    this.#ctx.counters.droppedSplits++;
    const error = incompleteSplitError(evicted, this.#ctx.options.settings.splitWaitMs);
    this.#ctx.options.logger.warn({
      event: "hook_split_dropped",
      msgId: evicted.msgId,
      received: evicted.received,
      count: evicted.count,
    });
    this.#ctx.emit("split_dropped", {
      msgId: evicted.msgId,
      received: evicted.received,
      count: evicted.count,
    });
    await this.#session.failed.fail(
      evicted.parts,
      error.code,
      error.message,
      undefined,
      evicted.msgId,
    );
    for (const part of evicted.parts) this.#session.offsets.release(part);
  }

  /** Expires split sets on time even when no record arrives to trigger the check. */
  arm(): void {
    const session = this.#session;
    const { clock, logger } = this.#ctx.options;
    clock.clearTimeout(this.#timer);
    const expiry = session.decoder.nextExpiry();
    if (expiry === undefined || session.stopping) return;
    const delay = Math.max(0, expiry - clock.now()) + 1;
    this.#timer = clock.setTimeout(() => {
      if (session.stopping || session.inFlight !== undefined || this.#evicting !== undefined) {
        // The batch in hand checks expiry before each record; look again afterwards.
        if (!session.stopping && session.inFlight === undefined) this.arm();
        return;
      }
      this.#evicting = (async () => {
        await this.evictExpired();
        await session.offsets.commit(session.consumer);
      })()
        .catch((error: unknown) =>
          logger.warn({ event: "hook_consumer_commit_failed", error: errorMessage(error) }),
        )
        .finally(() => {
          this.#evicting = undefined;
          this.arm();
        });
    }, delay);
  }

  /** No more timed checks (the session is stopping or over). */
  cancel(): void {
    this.#ctx.options.clock.clearTimeout(this.#timer);
  }
}
