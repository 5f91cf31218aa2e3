// Commit and lag bookkeeping of one session: which records are done or held (the
// OffsetTracker decides what may be committed), committing that after `beforeCommit`, and
// each partition's lag as of its last batch.
import type { ConsumerContext } from "./context.js";
import { errorMessage } from "./errors.js";
import type { KafkaBatch, KafkaConsumerPort } from "./kafka.js";
import { OffsetTracker } from "./offsets.js";
import type { HeldRecord, PartitionLag } from "./types.js";

/** Per partition, from the last batch: offsets kept as text, converted only when read. */
export interface LagState {
  topic: string;
  partition: number;
  highWatermark: string;
  firstOffset: string;
  lastDone: string | undefined;
}

export class OffsetManager {
  readonly #ctx: ConsumerContext;
  readonly #tracker = new OffsetTracker();
  readonly #lag = new Map<string, LagState>();
  #lastCommitAt: number;
  /** The last commit started (settled: never rejects), and whether a background one waits. */
  #commits: Promise<void> = Promise.resolve();
  #backgroundQueued = false;

  constructor(ctx: ConsumerContext, now: number) {
    this.#ctx = ctx;
    this.#lastCommitAt = now;
  }

  /** Starts the lag record of a batch's partition; undefined for an empty batch. */
  beginBatch(batch: KafkaBatch): LagState | undefined {
    const first = batch.messages[0];
    if (first === undefined) return undefined;
    const lag: LagState = {
      topic: batch.topic,
      partition: batch.partition,
      highWatermark: batch.highWatermark,
      firstOffset: first.offset,
      lastDone: undefined,
    };
    this.#lag.set(`${batch.topic}\u0000${batch.partition}`, lag);
    return lag;
  }

  /** The record at `offset` needs nothing more from this consumer. */
  done(lag: LagState | undefined, topic: string, partition: number, offset: string): void {
    this.#tracker.done(topic, partition, offset);
    if (lag !== undefined) lag.lastDone = offset;
  }

  /** A split part waits for the rest of its message: commits stay below it. */
  hold(topic: string, partition: number, offset: string): void {
    this.#tracker.hold(topic, partition, offset);
  }

  release(part: HeldRecord): void {
    this.#tracker.release(part.topic, part.partition, part.offset);
  }

  /** Parts other than the current record were held; they no longer bound the commit. */
  releaseOthers(parts: HeldRecord[], current: HeldRecord): void {
    for (const part of parts) {
      if (part === current) continue;
      this.#tracker.release(part.topic, part.partition, part.offset);
    }
  }

  /** During a long batch, commit at least every `commitIntervalMs`. */
  commitDue(now: number): boolean {
    return now - this.#lastCommitAt >= this.#ctx.options.commitIntervalMs;
  }

  /** Something handled is not committed yet. */
  hasUncommitted(): boolean {
    return this.#tracker.committable().length > 0;
  }

  /**
   * Commits what may be committed once the commits before it are done: commits run one at a
   * time, so Kafka never sees an older offset after a newer one. Rejects when it fails.
   */
  commit(consumer: KafkaConsumerPort | undefined): Promise<void> {
    return this.#afterCommits(() => this.#commitNow(consumer));
  }

  /**
   * A commit the batch loop does not wait for: its `beforeCommit` (the store's fsync) and
   * Kafka's round trip overlap the next messages' work instead of stalling it. One is queued
   * at most: it commits whatever is done when it starts. A failure is logged; the next commit
   * tries again. `commit()` and `commitOrWarn()` wait for it (stop, rebalance, eviction).
   */
  commitInBackground(consumer: KafkaConsumerPort | undefined): void {
    if (this.#backgroundQueued) return;
    this.#backgroundQueued = true;
    this.#lastCommitAt = this.#ctx.options.clock.now();
    void this.#afterCommits(() => {
      this.#backgroundQueued = false;
      return this.#commitNow(consumer);
    }).catch((error: unknown) => this.#warn(error));
  }

  /** Runs `commit` once every commit started before it has settled; the chain never rejects. */
  #afterCommits(commit: () => Promise<void>): Promise<void> {
    const run = this.#commits.then(commit);
    this.#commits = run.catch(() => undefined);
    return run;
  }

  async #commitNow(consumer: KafkaConsumerPort | undefined): Promise<void> {
    const offsets = this.#tracker.committable();
    if (consumer === undefined || offsets.length === 0) return;
    const { beforeCommit, clock, logger } = this.#ctx.options;
    await beforeCommit?.(offsets);
    await consumer.commitOffsets(offsets);
    this.#tracker.markCommitted(offsets);
    this.#lastCommitAt = clock.now();
    this.#ctx.counters.commits++;
    logger.debug({ event: "hook_consumer_committed", offsets });
    this.#ctx.emit("commit", { offsets });
    this.#ctx.lastLag = this.lag();
  }

  /** commit(), a failure only logged: the next commit tries again. */
  commitOrWarn(consumer: KafkaConsumerPort | undefined): Promise<void> {
    return this.commit(consumer).catch((error: unknown) => this.#warn(error));
  }

  #warn(error: unknown): void {
    this.#ctx.options.logger.warn({
      event: "hook_consumer_commit_failed",
      error: errorMessage(error),
    });
  }

  /** After a rebalance the client reads again from the committed offsets: start afresh. */
  reset(): void {
    this.#tracker.reset();
    this.#lag.clear();
  }

  lag(): PartitionLag[] {
    return [...this.#lag.values()].map((l) => {
      const position = l.lastDone === undefined ? BigInt(l.firstOffset) : BigInt(l.lastDone) + 1n;
      const highWatermark = BigInt(l.highWatermark);
      const lag = highWatermark > position ? Number(highWatermark - position) : 0;
      return {
        topic: l.topic,
        partition: l.partition,
        highWatermark: l.highWatermark,
        position: position.toString(),
        lag,
      };
    });
  }
}
