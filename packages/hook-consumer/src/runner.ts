// The batch loop of one session: each record decoded, handed to the handler (with the retry
// policy: transient errors retried, permanent ones and exhausted retries routed to the failed
// log, a fenced write stopping the consumer), marked done and committed; heartbeats kept up
// and the event loop given turns while a batch is in hand.
import { backoffDelay } from "@atlas-ha/shared";
import type { ConsumerContext } from "./context.js";
import { classifyHandlerError, errorCode } from "./errors.js";
import type { BatchContext, KafkaRecord } from "./kafka.js";
import type { LagState } from "./offset-manager.js";
import type { Session } from "./session.js";
import type { HeldRecord, HookMessage } from "./types.js";
import { ABANDON, deferred, sleep } from "./wait.js";

type Outcome = "done" | "abandoned";
type DecodeResult = ReturnType<Session["decoder"]["decode"]>;

/** A complete message waiting for its group's handleBatch call, with what marks it done. */
interface Gathered {
  message: HookMessage;
  parts: HeldRecord[];
  held: HeldRecord;
  record: KafkaRecord;
}

const HEARTBEAT_EVERY_MS = 3000;
/**
 * Longest stretch of handling before the event loop gets a turn. A handler over a synchronous
 * store (better-sqlite3) resolves in microtasks only, so without this a whole Kafka batch
 * would run without one: status requests would wait, and election-core's lease, renewed by
 * ZooKeeper answers handled on the event loop, could lapse under hook load
 * (docs/decisions.md).
 */
const YIELD_EVERY_MS = 20;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Longest wait between two tries of a message while the store is unavailable. */
const UNAVAILABLE_MAX_WAIT_MS = 10_000;
/** Shortest such wait, whatever retryIntervalMs is. */
const UNAVAILABLE_MIN_WAIT_MS = 50;

export class Runner {
  readonly #ctx: ConsumerContext;
  readonly #session: Session;
  /** No longer the active instance: the consumer stops (the face's stop()). */
  readonly #onFenced: () => void;
  #lastHeartbeatAt: number;

  constructor(ctx: ConsumerContext, session: Session, onFenced: () => void, now: number) {
    this.#ctx = ctx;
    this.#session = session;
    this.#onFenced = onFenced;
    this.#lastHeartbeatAt = now;
  }

  async eachBatch(context: BatchContext): Promise<void> {
    const session = this.#session;
    const { clock, handleBatch, batchMaxMessages, batchMaxMs } = this.#ctx.options;
    if (session.stopping) return;
    if (session.eviction.evicting !== undefined) await session.eviction.evicting;
    const done = deferred();
    session.inFlight = done.promise;
    const { batch } = context;
    const stopHeartbeats = this.#keepAlive(context);
    // Messages decoded but not yet applied (with handleBatch only): applied together when
    // there are batchMaxMessages of them, when the first waited batchMaxMs, before a record
    // that is not a complete message, and at the end of the Kafka batch.
    const gathered: Gathered[] = [];
    let gatheredAt = 0;
    try {
      const lag: LagState | undefined = session.offsets.beginBatch(batch);
      // `resolve: false` for a record followed at once (no await between) by a later one of
      // the same batch that is resolved: kafkajs keeps only the last, and parses each.
      const markDone = (record: KafkaRecord, resolve = true) => {
        if (resolve) context.resolveOffset(record.offset);
        session.offsets.done(lag, batch.topic, batch.partition, record.offset);
      };
      const flush = async (): Promise<Outcome> => {
        if (gathered.length === 0) return "done";
        const group = gathered.splice(0);
        return this.#handleGroup(group, context, (g, resolve) => {
          session.offsets.releaseOthers(g.parts, g.held);
          markDone(g.record, resolve);
        });
      };
      let turnAt = performance.now();
      let abandoned = false;
      for (const record of batch.messages) {
        if (session.stopping || !context.isRunning() || context.isStale()) break;
        if (session.decoder.pendingSplits > 0) await session.eviction.evictExpired();
        const decoded = this.#decode(batch.topic, batch.partition, record);
        if (handleBatch !== undefined && decoded.result.status === "complete") {
          if (gathered.length === 0) gatheredAt = performance.now();
          gathered.push(this.#gathered(decoded.held, decoded.result, record));
          if (gathered.length >= batchMaxMessages || performance.now() - gatheredAt >= batchMaxMs) {
            abandoned = (await flush()) === "abandoned";
            if (abandoned) break;
          }
        } else {
          // Records are marked done in order: what was gathered before this one goes first.
          abandoned = (await flush()) === "abandoned";
          if (abandoned) break;
          abandoned =
            (await this.#settle(decoded.held, decoded.result, record, context)) === "abandoned";
          if (abandoned) break;
          markDone(record);
        }
        const now = clock.now();
        if (session.offsets.commitDue(now)) session.offsets.commitInBackground(session.consumer);
        // kafkajs only sends a heartbeat when its interval is due; asking once a second is plenty.
        if (now - this.#lastHeartbeatAt >= 1000) {
          this.#lastHeartbeatAt = now;
          await context.heartbeat();
        }
        // Real time, not the injected clock: this is about the process's own event loop.
        if (performance.now() - turnAt >= YIELD_EVERY_MS) {
          await nextTurn();
          turnAt = performance.now();
        }
      }
      // Stopped or abandoned midway: what is still gathered stays unapplied and uncommitted
      // (and its split parts held), for the next consumer to read again.
      if (!abandoned && !session.stopping && context.isRunning() && !context.isStale())
        await flush();
    } finally {
      // The next batch does not wait for this commit (OffsetManager.commitInBackground), but a
      // stop or a rebalance does: stop() commits after it, and a reset must not come first.
      if (session.stopping || session.resetAfterBatch)
        await session.offsets.commitOrWarn(session.consumer);
      else session.offsets.commitInBackground(session.consumer);
      stopHeartbeats();
      if (session.resetAfterBatch) session.resetPositions();
      session.inFlight = undefined;
      done.resolve();
      session.eviction.arm();
    }
  }

  #decode(
    topic: string,
    partition: number,
    record: KafkaRecord,
  ): { held: HeldRecord; result: DecodeResult } {
    this.#ctx.counters.received++;
    const held: HeldRecord = { topic, partition, offset: record.offset, value: record.value };
    return { held, result: this.#session.decoder.decode(record.value, held) };
  }

  #gathered(
    held: HeldRecord,
    result: Extract<DecodeResult, { status: "complete" }>,
    record: KafkaRecord,
  ): Gathered {
    const identity = result.parts[0] ?? held;
    const message: HookMessage = {
      notification: result.notification,
      envelope: result.envelope,
      topic: identity.topic,
      partition: identity.partition,
      offset: identity.offset,
      parts: result.parts.map(({ topic: t, partition: p, offset: o }) => ({
        topic: t,
        partition: p,
        offset: o,
      })),
      epoch: this.#session.epoch,
      attempt: 1,
    };
    return { message, parts: result.parts, held, record };
  }

  /**
   * Gathered messages through `handleBatch`, all at once. Fenced: the consumer stops, nothing
   * of the group is committed. Any other failure: the batch took no effect (its contract),
   * so each message goes through `handler` and the retry policy on its own, in order.
   */
  async #handleGroup(
    group: Gathered[],
    context: BatchContext,
    markDone: (g: Gathered, resolve: boolean) => void,
  ): Promise<Outcome> {
    const session = this.#session;
    const { handleBatch, logger } = this.#ctx.options;
    const messages = group.map((g) => {
      g.message.epoch = session.epoch;
      g.message.attempt = 1;
      return g.message;
    });
    try {
      const result = handleBatch!(messages);
      if (isThenable(result)) {
        const handled = Promise.resolve(result);
        handled.catch(() => undefined);
        const winner = await session.abandonment.untilAbandoned(handled);
        if (winner === ABANDON) return "abandoned";
      }
      const last = group.length - 1;
      for (let i = 0; i <= last; i++) {
        this.#processed(group[i]!.message, 1);
        markDone(group[i]!, i === last);
      }
      return "done";
    } catch (error) {
      const asError = error instanceof Error ? error : new Error(String(error));
      if (classifyHandlerError(error) === "fenced") {
        this.#fenced(asError);
        return "abandoned";
      }
      logger.warn({
        event: "hook_batch_failed",
        topic: group[0]!.message.topic,
        partition: group[0]!.message.partition,
        firstOffset: group[0]!.message.offset,
        messages: group.length,
        error: asError.message,
        then: "one by one",
      });
    }
    for (const g of group) {
      const outcome = await this.#handle(g.message, g.parts, context);
      if (outcome === "abandoned") return "abandoned";
      markDone(g, true);
    }
    return "done";
  }

  /** A decoded record without handleBatch, or one that is not a complete message. */
  async #settle(
    held: HeldRecord,
    result: DecodeResult,
    record: KafkaRecord,
    context: BatchContext,
  ): Promise<Outcome> {
    const session = this.#session;
    const { logger } = this.#ctx.options;
    const { topic, partition } = held;
    switch (result.status) {
      case "pending":
        session.offsets.hold(topic, partition, record.offset);
        logger.debug({
          event: "hook_split_part_held",
          msgId: result.msgId,
          received: result.received,
          count: result.count,
          topic,
          partition,
          offset: record.offset,
        });
        return "done";
      case "duplicate":
        this.#ctx.counters.duplicateParts++;
        logger.info({
          event: "hook_split_part_duplicate",
          msgId: result.msgId,
          reason: result.reason,
          topic,
          partition,
          offset: record.offset,
        });
        return "done";
      case "failed":
        await session.failed.fail(
          result.parts,
          result.error.code,
          result.error.message,
          undefined,
          splitId(result.parts, record),
        );
        session.offsets.releaseOthers(result.parts, held);
        return "done";
      case "complete": {
        const { message, parts } = this.#gathered(held, result, record);
        const outcome = await this.#handle(message, parts, context);
        // An abandoned message keeps its parts held: nothing past them is committed, and the
        // next consumer reassembles it from the redelivered records.
        if (outcome === "done") session.offsets.releaseOthers(parts, held);
        return outcome;
      }
    }
  }

  #processed(message: HookMessage, attempts: number): void {
    this.#ctx.counters.processed++;
    if (this.#ctx.hasListeners("message_processed")) {
      this.#ctx.emit("message_processed", {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        type: message.notification.type,
        attempts,
      });
    }
  }

  /** No longer the active instance: leave the message(s) uncommitted for the new active and stop consuming until activated again. */
  #fenced(error: Error): void {
    const session = this.#session;
    this.#ctx.options.logger.warn({
      event: "hook_consumer_fenced",
      epoch: session.epoch,
      error: error.message,
    });
    this.#ctx.emit("fenced", { epoch: session.epoch, error });
    session.stopping = true;
    this.#onFenced();
  }

  /** The retry policy: attempts until done, permanent, fenced, out of attempts or stopped. */
  async #handle(
    message: HookMessage,
    parts: HeldRecord[],
    context: BatchContext,
  ): Promise<Outcome> {
    const session = this.#session;
    const { settings, handler, logger, clock } = this.#ctx.options;
    const max = settings.maxRetries;
    let unavailableFor = 0;
    for (let attempt = 1; ; attempt++) {
      message.attempt = attempt;
      message.epoch = session.epoch;
      let error: unknown;
      try {
        const result = handler(message);
        if (isThenable(result)) {
          const handled = Promise.resolve(result);
          // A handler still running when stop() gives up keeps running; its result is ignored.
          handled.catch(() => undefined);
          const winner = await session.abandonment.untilAbandoned(handled);
          if (winner === ABANDON) return "abandoned";
        }
        this.#processed(message, attempt);
        return "done";
      } catch (caught) {
        error = caught;
      }
      const kind = classifyHandlerError(error);
      const asError = error instanceof Error ? error : new Error(String(error));
      if (kind === "fenced") {
        this.#fenced(asError);
        return "abandoned";
      }
      if (kind === "unavailable") {
        // Not counted as an attempt, and the partition waits (applying later messages first
        // would reorder them); a stop abandons it, uncommitted, for the next active.
        attempt--;
        unavailableFor++;
        // Never a tight loop, even with retryIntervalMs 0.
        const base = Math.max(settings.retryIntervalMs, UNAVAILABLE_MIN_WAIT_MS);
        // Doubling at most six times, and never more than UNAVAILABLE_MAX_WAIT_MS.
        const waitMs = backoffDelay(unavailableFor, {
          baseMs: base,
          maxMs: Math.min(base * 2 ** 6, UNAVAILABLE_MAX_WAIT_MS),
        });
        logger.warn({
          event: "hook_store_unavailable",
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          waits: unavailableFor,
          error: asError.message,
          retryInMs: waitMs,
        });
        const stopped = await sleep(clock, waitMs, session.stopSignal.promise);
        if (stopped || session.stopping) return "abandoned";
        await context.heartbeat();
        continue;
      }
      if (kind === "permanent" || attempt >= max) {
        const code = errorCode(error, "HOOK_HANDLER_FAILED");
        const reason =
          kind === "permanent"
            ? asError.message
            : `gave up after ${attempt} attempts: ${asError.message}`;
        await session.failed.fail(
          parts,
          code,
          reason,
          attempt,
          message.envelope.splitCount > 1 ? message.envelope.msgId : undefined,
        );
        return "done";
      }
      this.#ctx.counters.retried++;
      logger.warn({
        event: "hook_message_retry",
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        attempt,
        error: asError.message,
        retryInMs: settings.retryIntervalMs,
      });
      this.#ctx.emit("message_retried", {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        attempt,
        error: asError,
      });
      // A stop during the wait abandons the message: the next active retries it from Kafka.
      const stopped = await sleep(clock, settings.retryIntervalMs, session.stopSignal.promise);
      if (stopped || session.stopping) return "abandoned";
      await context.heartbeat();
    }
  }

  /**
   * kafkajs has no background heartbeat: a handler slower than the group session timeout
   * (`sessionTimeoutMs`) would get the consumer thrown out of the group mid-message. While a
   * batch is in hand, heartbeat every few seconds on our own (docs/decisions.md).
   */
  #keepAlive(context: BatchContext): () => void {
    const { clock } = this.#ctx.options;
    let handle: unknown;
    let active = true;
    const beat = () => {
      if (!active) return;
      if (clock.now() - this.#lastHeartbeatAt >= HEARTBEAT_EVERY_MS) {
        this.#lastHeartbeatAt = clock.now();
        context.heartbeat().catch(() => undefined);
      }
      handle = clock.setTimeout(beat, HEARTBEAT_EVERY_MS);
    };
    handle = clock.setTimeout(beat, HEARTBEAT_EVERY_MS);
    return () => {
      active = false;
      clock.clearTimeout(handle);
    };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function splitId(parts: HeldRecord[], record: KafkaRecord): string | undefined {
  if (parts.length <= 1 || record.value === null) return undefined;
  try {
    const doc = JSON.parse(record.value.toString("utf8")) as { msgId?: unknown };
    return typeof doc.msgId === "string" ? doc.msgId : undefined;
  } catch {
    return undefined;
  }
}
