// The consumer's face: createHookConsumer, start/stop (one after the other), metrics, events.
// The work is done per activation by a Session (session.ts: group membership), its Runner
// (runner.ts: batch loop, retries, heartbeats), FailedMessageRouter (failed.ts), OffsetManager
// (offset-manager.ts: commits, lag) and SplitEviction (eviction.ts).
import { newCounters, type ConsumerContext } from "./context.js";
import { errorMessage, HookOptionsError } from "./errors.js";
import { Emitter } from "@atlas-ha/shared";
import type { HookConsumerEvent, HookConsumerEventMap, HookConsumerEventType } from "./events.js";
import { resolveOptions, type HookConsumerOptions, type HookConsumerSettings } from "./options.js";
import { Session } from "./session.js";
import type { HookConsumer, HookConsumerMetrics } from "./types.js";

export function createHookConsumer(options: HookConsumerOptions): HookConsumer {
  return new Consumer(options);
}

class Consumer implements HookConsumer {
  readonly settings: Readonly<HookConsumerSettings>;
  readonly #ctx: ConsumerContext;
  readonly #emitter: Emitter<HookConsumerEventMap>;
  #session: Session | undefined;
  #transition: Promise<void> = Promise.resolve();

  constructor(options: HookConsumerOptions) {
    const resolved = resolveOptions(options);
    const { clock, logger } = resolved;
    this.settings = resolved.settings;
    const emitter = new Emitter<HookConsumerEventMap>({
      now: () => clock.wallTime(),
      onListenerError: (error) =>
        logger.warn({ event: "hook_consumer_listener_failed", error: errorMessage(error) }),
    });
    this.#emitter = emitter;
    this.#ctx = {
      options: resolved,
      counters: newCounters(),
      lastLag: [],
      emit: (type, payload) => emitter.emit(type, payload),
      hasListeners: (type) => emitter.has(type),
    };
  }

  on<K extends HookConsumerEventType>(
    type: K,
    listener: (event: HookConsumerEvent<K>) => void,
  ): () => void {
    return this.#emitter.on(type, listener);
  }

  /** start/stop run one after the other, so a start during a stop waits for it. */
  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#transition.then(step);
    this.#transition = next.catch(() => undefined);
    return next;
  }

  start({ epoch }: { epoch: number }): Promise<void> {
    if (typeof epoch !== "number" || !Number.isFinite(epoch)) {
      return Promise.reject(
        new HookOptionsError("epoch", `start() needs a numeric epoch, got ${String(epoch)}`),
      );
    }
    return this.#serial(async () => {
      const { logger } = this.#ctx.options;
      if (this.settings.disabled) {
        logger.info({ event: "hook_consumer_disabled", epoch });
        return;
      }
      const current = this.#session;
      if (current !== undefined && !current.stopping) {
        // Already consuming (a repeated activation): later messages carry the new epoch.
        current.epoch = epoch;
        return;
      }
      // A fenced write: no longer the active instance, stop consuming until activated again.
      const session = new Session(this.#ctx, epoch, () => void this.stop().catch(() => undefined));
      this.#session = session;
      this.#ctx.lastLag = [];
      logger.info({
        event: "hook_consumer_starting",
        epoch,
        groupId: this.settings.groupId,
        topics: this.settings.topics,
      });
      this.#ctx.emit("start", { epoch });
      void session.run();
    });
  }

  stop(): Promise<void> {
    return this.#serial(async () => {
      const session = this.#session;
      if (session === undefined) return;
      const { clock, logger } = this.#ctx.options;
      const started = clock.now();
      const abandoned = await session.stop();
      if (this.#session === session) this.#session = undefined;
      logger.info({
        event: "hook_consumer_stopped",
        epoch: session.epoch,
        abandoned,
        tookMs: Math.round(clock.now() - started),
      });
      this.#ctx.emit("stop", { abandoned });
    });
  }

  metrics(): HookConsumerMetrics {
    const session = this.#session;
    const lag = session === undefined ? this.#ctx.lastLag : session.offsets.lag();
    return {
      state: this.settings.disabled
        ? "disabled"
        : session === undefined
          ? "stopped"
          : session.stopping
            ? "stopping"
            : "running",
      epoch: session?.epoch,
      ...this.#ctx.counters,
      pendingSplits: session?.decoder.pendingSplits ?? 0,
      heldParts: session?.decoder.heldParts ?? 0,
      lag,
      totalLag: lag.reduce((sum, l) => sum + l.lag, 0),
    };
  }
}
