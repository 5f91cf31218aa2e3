/**
 * The election's steps run one at a time; each re-reads ZooKeeper rather than trusting what
 * an earlier step saw. What a failed step leads to:
 *
 * - a fatal error (see AclConflictError): nothing more is tried, start() rejects;
 * - connection trouble while disconnected: nothing; the connection's state change (RECONNECTED
 *   or a new session) brings the participant back;
 * - anything else: logged and told to listeners (unless it was connection trouble), then the
 *   check is retried after a jittered exponential back-off.
 */
import { backoffDelay, type Clock } from "@atlas-ha/shared";
import {
  CONNECTION_CODES,
  ElectionNotAuthorizedError,
  FATAL_CODES,
  isZooKeeperError,
} from "./errors.js";

type Log = (level: "debug" | "error", event: string, extra: object) => void;

/** The back-off settings of the election's options. */
export interface StepTiming {
  clock: Clock;
  retryBaseMs: number;
  retryMaxMs: number;
  random: () => number;
}

export interface StepHooks {
  log: Log;
  closed: () => boolean;
  connected: () => boolean;
  /** A fatal error: the participant stays out of the election. */
  onFatal: (error: Error) => void;
  /** A failure the participant recovers from by itself. */
  onError: (error: Error) => void;
  /** The step run again after the back-off. */
  retry: () => Promise<void>;
}

export class Steps {
  readonly #o: StepTiming & StepHooks;
  #queue: Promise<void> = Promise.resolve();
  #retryTimer: unknown = null;
  #retryAttempt = 0;
  /** An error no retry can help with: the participant stays out of the election. */
  #fatal: Error | null = null;

  constructor(timing: StepTiming, hooks: StepHooks) {
    this.#o = {
      clock: timing.clock,
      retryBaseMs: timing.retryBaseMs,
      retryMaxMs: timing.retryMaxMs,
      random: timing.random,
      ...hooks,
    };
  }

  /**
   * Queues a step. `skipped` is called instead when it will not run: the participant was
   * closed, or stopped by a fatal error, before its turn came (a caller waiting on the step,
   * as stepAside and relinquish do, would otherwise wait forever).
   */
  run(step: () => Promise<void>, skipped?: (why: "fatal" | "closed") => void): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#fatal) return skipped?.("fatal");
      if (this.#o.closed()) return skipped?.("closed");
      try {
        await step();
        this.#retryAttempt = 0;
      } catch (caught) {
        if (this.#o.closed()) return;
        // NOAUTH: the election's nodes are not ours to use (ElectionNotAuthorizedError). The
        // NOAUTH an instant after our own create is a tampered node, converted before here.
        const error = isZooKeeperError(caught, "ZK_NOAUTH")
          ? new ElectionNotAuthorizedError(caught.operation)
          : caught;
        const code = (error as { code?: string }).code;
        if ((FATAL_CODES as readonly unknown[]).includes(code)) {
          // Retrying cannot help (see AclConflictError): start() rejects, nothing more is tried.
          this.#fatal = error as Error;
          this.#o.log("error", "election_refused", { error: (error as Error).message, code });
          this.#o.onFatal(error as Error);
          return;
        }
        const connectionTrouble = isZooKeeperError(error, ...CONNECTION_CODES);
        if (connectionTrouble && !this.#o.connected()) {
          // The connection's state change (RECONNECTED or a new session) brings us back.
          this.#o.log("debug", "election_step_interrupted", { error: (error as Error).message });
          return;
        }
        if (!connectionTrouble) {
          this.#o.log("error", "election_step_failed", { error: (error as Error).message, code });
          this.#o.onError(error as Error);
        }
        this.#scheduleRetry();
      }
    });
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== null || this.#o.closed()) return;
    const delay = backoffDelay(++this.#retryAttempt, {
      baseMs: this.#o.retryBaseMs,
      maxMs: this.#o.retryMaxMs,
      jitter: "equal",
      random: this.#o.random,
    });
    this.#retryTimer = this.#o.clock.setTimeout(() => {
      this.#retryTimer = null;
      this.run(() => this.#o.retry());
    }, delay);
  }

  /** Stops a pending retry (close()). */
  cancel(): void {
    if (this.#retryTimer !== null) this.#o.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }
}
