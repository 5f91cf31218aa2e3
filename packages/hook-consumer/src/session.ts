// One activation, from start() to stop(): the Kafka client's membership of the group
// (connect, subscribe, join, crash and reconnect with back-off, leave), how stop() ends it,
// and the session's parts: decoder, batch runner, commits, failed routing, split eviction.
// Everything uncommitted dies with it.
import { backoffDelay } from "@atlas-ha/shared";
import { HookDecoder } from "./codec/decoder.js";
import type { ConsumerContext } from "./context.js";
import { errorMessage } from "./errors.js";
import { FailedMessageRouter } from "./failed.js";
import { SplitEviction } from "./eviction.js";
import type { KafkaConsumerPort, TopicPartition } from "./kafka.js";
import { OffsetManager } from "./offset-manager.js";
import { Runner } from "./runner.js";
import type { HeldRecord } from "./types.js";
import { Abandonment, deferred, sleep, within } from "./wait.js";

/** Longest wait before connecting again after a crash or failed connects. */
const RECONNECT_MAX_MS = 30_000;

export class Session {
  epoch: number;
  readonly decoder: HookDecoder<HeldRecord>;
  readonly offsets: OffsetManager;
  readonly failed: FailedMessageRouter;
  readonly eviction: SplitEviction;
  readonly runner: Runner;
  consumer: KafkaConsumerPort | undefined;
  phase: "connecting" | "joining" | "running" | "backoff" | "ended" = "connecting";
  /** The current client has joined its group (got an assignment) at least once. */
  joined = false;
  stopping = false;
  /** Resolves when stop is requested. */
  readonly stopSignal = deferred();
  /** Resolves when the running client must be torn down (stop, or a fatal crash). */
  endSignal = deferred();
  /** Set when stop() gives up waiting for the handler in hand. */
  readonly abandonment = new Abandonment();
  readonly loopDone = deferred();
  /** The batch in hand; resolves when it is over (committed). */
  inFlight: Promise<void> | undefined;
  /** The group was joined again during the batch in hand: forget positions after it. */
  resetAfterBatch = false;
  readonly #ctx: ConsumerContext;

  /** `onFenced`: the handler reported a fenced write; the consumer stops. */
  constructor(ctx: ConsumerContext, epoch: number, onFenced: () => void) {
    const { settings, clock, maxDecompressedBytes } = ctx.options;
    this.#ctx = ctx;
    this.epoch = epoch;
    this.decoder = new HookDecoder<HeldRecord>({
      splitWaitMs: settings.splitWaitMs,
      now: () => clock.now(),
      maxDecompressedBytes,
    });
    const now = clock.now();
    this.offsets = new OffsetManager(ctx, now);
    this.failed = new FailedMessageRouter(ctx);
    this.eviction = new SplitEviction(ctx, this);
    this.runner = new Runner(ctx, this, onFenced, now);
  }

  /** Runs the session: (re)connects and consumes until stopped. Never rejects. */
  async run(): Promise<void> {
    const { kafka, settings, logger, clock, reconnectBackoffMs } = this.#ctx.options;
    let failures = 0;
    // After a crash (no failure counted) or the n-th failed connect in a row.
    const reconnectDelay = (attempt: number) =>
      backoffDelay(attempt, { baseMs: reconnectBackoffMs, maxMs: RECONNECT_MAX_MS });
    try {
      while (!this.stopping) {
        const consumer = kafka.consumer({ groupId: settings.groupId });
        this.consumer = consumer;
        this.joined = false;
        this.endSignal = deferred();
        const offJoin = consumer.onGroupJoin((assignment) => this.#onGroupJoin(assignment));
        const offCrash = consumer.onCrash((error, restarting) => {
          logger.error({ event: "hook_consumer_crashed", error: error.message, restarting });
          this.#ctx.emit("crash", { error, restarting });
          if (!restarting) this.endSignal.resolve();
        });
        let connected = false;
        try {
          this.phase = "connecting";
          await consumer.connect();
          connected = true;
          if (this.stopping) break;
          await consumer.subscribe([...settings.topics], true);
          if (this.stopping) break;
          this.phase = "joining";
          await consumer.run((context) => this.runner.eachBatch(context));
          this.phase = "running";
          failures = 0;
          await Promise.race([this.endSignal.promise, this.stopSignal.promise]);
          await this.#drain();
          if (this.stopping) break;
        } catch (error) {
          if (this.stopping) break;
          failures++;
          const retryInMs = reconnectDelay(failures);
          logger.warn({
            event: "hook_consumer_connect_failed",
            error: errorMessage(error),
            retryInMs,
          });
          this.#ctx.emit("connect_failed", {
            error: error instanceof Error ? error : new Error(String(error)),
            retryInMs,
          });
        } finally {
          offJoin();
          offCrash();
          if (connected || this.phase !== "connecting")
            await consumer.disconnect().catch(() => undefined);
        }
        if (this.stopping) break;
        // A fatal crash or a failed connect: try again while still active.
        this.phase = "backoff";
        await sleep(clock, reconnectDelay(failures), this.stopSignal.promise);
      }
    } finally {
      this.phase = "ended";
      this.eviction.cancel();
      const closing = this.failed.close();
      if (closing !== undefined) await closing;
      this.loopDone.resolve();
    }
  }

  /** Ends the session; returns true when the message in hand had to be abandoned. */
  async stop(): Promise<boolean> {
    const { logger, clock, stopTimeoutMs, settings } = this.#ctx.options;
    const wasPhase = this.phase;
    this.stopping = true;
    this.stopSignal.resolve();
    this.eviction.cancel();
    let abandoned = false;
    if (this.inFlight !== undefined) {
      const finished = await within(clock, this.inFlight, stopTimeoutMs);
      if (!finished) {
        abandoned = true;
        logger.warn({ event: "hook_consumer_handler_abandoned", timeoutMs: stopTimeoutMs });
        this.abandonment.abandon();
      }
    }
    // While connecting or waiting to reconnect nothing can be handled any more: the loop
    // cleans up on its own, and stop() need not wait for a broker that does not answer.
    if (wasPhase === "connecting" || wasPhase === "backoff") return abandoned;
    // Still waiting for the group to form (e.g. right after a crash failover the coordinator
    // holds the join until the dead member's Kafka session expires): nothing was handled, so
    // nothing is left to commit. Leaving the group waits for that join, and stop() need not:
    // the instance can leave its election now, the loop disconnects behind
    // (docs/decisions.md).
    if (!this.joined && this.inFlight === undefined && !this.offsets.hasUncommitted()) {
      logger.info({ event: "hook_consumer_stopped_before_join", groupId: settings.groupId });
      return abandoned;
    }
    await this.loopDone.promise;
    return abandoned;
  }

  /** Waits for the batch in hand (abandoning its handler past the deadline), then commits. */
  async #drain(): Promise<void> {
    const { clock, stopTimeoutMs } = this.#ctx.options;
    if (this.inFlight !== undefined && !(await within(clock, this.inFlight, stopTimeoutMs))) {
      this.abandonment.abandon();
      await this.inFlight;
    }
    if (this.eviction.evicting !== undefined) await this.eviction.evicting;
    await this.offsets.commitOrWarn(this.consumer);
  }

  #onGroupJoin(assignment: TopicPartition[]): void {
    this.joined = true;
    this.#ctx.options.logger.info({
      event: "hook_consumer_group_joined",
      groupId: this.#ctx.options.settings.groupId,
      assignment,
    });
    this.#ctx.emit("group_join", { assignment });
    // After a (re)join the client reads again from the committed offsets, so every record not
    // committed, held split parts included, is delivered again: forget them now.
    if (this.inFlight !== undefined) this.resetAfterBatch = true;
    else this.resetPositions();
  }

  resetPositions(): void {
    this.resetAfterBatch = false;
    this.offsets.reset();
    this.decoder.clearPending();
  }
}
