import { isUtf8 } from "node:buffer";
import { systemClock, type Clock } from "./clock.js";
import { HookDecoder, incompleteSplitError } from "./codec/decoder.js";
import type { EnvelopeInfo, HookNotification } from "./codec/model.js";
import type { EvictedSplit } from "./codec/split.js";
import { classifyHandlerError, errorCode, errorMessage, HookOptionsError } from "./errors.js";
import { Emitter, type HookConsumerEvent, type HookConsumerEventMap, type HookConsumerEventType } from "./events.js";
import { loggerFailedMessageSink, type FailedMessageRecord, type FailedMessageSink } from "./failed.js";
import {
  kafkajsClient,
  type BatchContext,
  type KafkaClient,
  type KafkaConsumerPort,
  type KafkaProducerPort,
  type KafkaRecord,
  type TopicPartition,
  type TopicPartitionOffset,
} from "./kafka.js";
import { silentLogger, type Logger } from "./logger.js";
import { OffsetTracker } from "./offsets.js";
import { DEFAULT_SETTINGS, validateSettings, type HookConsumerSettings } from "./options.js";

/** A Kafka record's position. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** What the handler receives: the notification, where it came from, and the fencing epoch. */
export interface HookMessage extends RecordPosition {
  notification: HookNotification;
  envelope: EnvelopeInfo;
  /**
   * Every record the message came in, by part index (one unless split). For a split message
   * `topic`/`partition`/`offset` are those of part 0 whatever order the parts arrived in, so
   * a message assembled again after redelivery has the same identity.
   */
  parts: RecordPosition[];
  /** The epoch given to `start()`: carry it with every store write (SPEC §8 fencing). */
  epoch: number;
  /** 1 for the first attempt. */
  attempt: number;
}

/**
 * Applies a message. Resolve only once its effects are durable — or, with `beforeCommit`,
 * once they will be when `beforeCommit` resolves: the offset is committed after that. Throw an error with `permanent: true` (or a PermanentHookError) when retrying
 * cannot help, and one with `fenced: true` or code `STORE_FENCED` when the store refused the
 * write for a stale epoch. Anything else is retried.
 */
export type HookHandler = (message: HookMessage) => Promise<void> | void;

export interface HookConsumerOptions extends Partial<HookConsumerSettings> {
  handler: HookHandler;
  /** Kafka client id for the default client. */
  clientId?: string;
  /** Default: kafkajs over `brokers`. */
  kafka?: KafkaClient;
  /** Default: an error-level log event per failed message. See `fileFailedMessageSink`. */
  failedMessages?: FailedMessageSink;
  clock?: Clock;
  logger?: Logger;
  /** During a long batch, commit at least this often (ms). Batches also commit when they end. Default 1000. */
  commitIntervalMs?: number;
  /**
   * Runs before each offset commit, with the offsets about to be committed. A handler that
   * does not make each message durable on its own (one fsync per message caps a store at a
   * few thousand messages a second) makes everything handled so far durable here: a group
   * commit. While it rejects, nothing is committed (the next commit tries again).
   */
  beforeCommit?: (offsets: TopicPartitionOffset[]) => Promise<void> | void;
  /** How long stop() waits for the handler in hand before abandoning it (uncommitted). Default 30 000. */
  stopTimeoutMs?: number;
  /** First delay before reconnecting after a failed connect or a fatal client crash; doubles up to 30 s. Default 1000. */
  reconnectBackoffMs?: number;
  /** Refuse compressed messages that decompress to more than this. Default 256 MiB. */
  maxDecompressedBytes?: number;
  /**
   * Longest wait of one fetch on an idle topic (default client only). stop() waits for the
   * fetch in flight, so this bounds how long an idle consumer delays a failover. Default 100:
   * at 500 a clean hand-over took 120–840 ms depending on where the fetch was (bench/,
   * figure 1); an idle consumer's ten small fetches a second cost the broker next to nothing,
   * and a fetch with records to return answers at once whatever this is.
   */
  fetchMaxWaitMs?: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  highWatermark: string;
  /** Next offset this consumer will handle. */
  position: string;
  lag: number;
}

export interface HookConsumerMetrics {
  state: "stopped" | "running" | "stopping" | "disabled";
  epoch: number | undefined;
  /** Kafka records read. */
  received: number;
  /** Notifications the handler completed. */
  processed: number;
  /** Records written to the failed-messages log. */
  failed: number;
  /** Handler attempts after the first. */
  retried: number;
  /** Incomplete split messages dropped after the wait. */
  droppedSplits: number;
  /** Redelivered or repeated split parts ignored. */
  duplicateParts: number;
  /** Split messages waiting for parts, and the records they hold. */
  pendingSplits: number;
  heldParts: number;
  commits: number;
  lag: PartitionLag[];
  totalLag: number;
}

export interface HookConsumer {
  /** Starts consuming in the background (SPEC §2: activation must not wait for Kafka). */
  start(options: { epoch: number }): Promise<void>;
  /**
   * Stops: resolves once nothing more will be handled and what was handled is committed.
   * The message in hand is finished (or abandoned uncommitted after `stopTimeoutMs`).
   */
  stop(): Promise<void>;
  metrics(): HookConsumerMetrics;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends HookConsumerEventType>(type: K, listener: (event: HookConsumerEvent<K>) => void): () => void;
  readonly settings: Readonly<HookConsumerSettings>;
}

export function createHookConsumer(options: HookConsumerOptions): HookConsumer {
  return new Consumer(options);
}

interface HeldRecord extends RecordPosition {
  value: Buffer | null;
}

type Outcome = "done" | "abandoned";

const ABANDON = Symbol("abandon");
const HEARTBEAT_EVERY_MS = 3000;
/**
 * Longest stretch of handling before the event loop gets a turn. A handler over a synchronous
 * store (better-sqlite3) resolves in microtasks only, so a whole Kafka batch (thousands of
 * messages) ran without one: status requests waited up to a second, and election-core's
 * lease, renewed by ZooKeeper answers handled on the event loop, could lapse and make the
 * active step down under hook load (bench/, figures 5 and 7).
 */
const YIELD_EVERY_MS = 20;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** One activation: from start() to stop(). Everything uncommitted dies with it. */
class Session {
  epoch: number;
  readonly decoder: HookDecoder<HeldRecord>;
  readonly tracker = new OffsetTracker();
  consumer: KafkaConsumerPort | undefined;
  producer: Promise<KafkaProducerPort> | undefined;
  phase: "connecting" | "joining" | "running" | "backoff" | "ended" = "connecting";
  /** The current client has joined its group (got an assignment) at least once. */
  joined = false;
  stopping = false;
  /** Resolves when stop is requested. */
  readonly stopSignal = deferred();
  /** Resolves when the running client must be torn down (stop, or a fatal crash). */
  endSignal = deferred();
  /** Set when stop() gives up waiting for the handler in hand. */
  abandoned = false;
  #wakeOnAbandon: (() => void) | undefined;
  readonly loopDone = deferred();
  inFlight: Promise<void> | undefined;
  evicting: Promise<void> | undefined;
  resetAfterBatch = false;
  lastCommitAt: number;
  evictionTimer: unknown;
  lastHeartbeatAt: number;
  readonly lag = new Map<string, LagState>();

  constructor(epoch: number, decoder: HookDecoder<HeldRecord>, now: number) {
    this.epoch = epoch;
    this.decoder = decoder;
    this.lastCommitAt = now;
    this.lastHeartbeatAt = now;
  }

  /** stop() gives up on the handler in hand. */
  abandon(): void {
    this.abandoned = true;
    this.#wakeOnAbandon?.();
  }

  /**
   * The handler's result, or ABANDON if stop() gives up first. Not Promise.race against one
   * promise that lives as long as the session: every race would leave a reaction on it that
   * is only freed when it settles, about 300 bytes per message for good (bench/, figure 7).
   */
  untilAbandoned<T>(work: Promise<T>): Promise<T | typeof ABANDON> {
    if (this.abandoned) return Promise.resolve(ABANDON);
    return new Promise((resolve, reject) => {
      const wake = () => resolve(ABANDON);
      const settle = () => {
        if (this.#wakeOnAbandon === wake) this.#wakeOnAbandon = undefined;
      };
      this.#wakeOnAbandon = wake;
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

/** Per partition, from the last batch: offsets kept as text, converted only when read. */
interface LagState {
  topic: string;
  partition: number;
  highWatermark: string;
  firstOffset: string;
  lastDone: string | undefined;
}

class Consumer implements HookConsumer {
  readonly settings: Readonly<HookConsumerSettings>;
  readonly #handler: HookHandler;
  readonly #kafka: KafkaClient;
  readonly #sink: FailedMessageSink;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #emitter: Emitter;
  readonly #commitIntervalMs: number;
  readonly #beforeCommit: HookConsumerOptions["beforeCommit"];
  readonly #stopTimeoutMs: number;
  readonly #reconnectBackoffMs: number;
  readonly #maxDecompressedBytes: number | undefined;
  #session: Session | undefined;
  #transition: Promise<void> = Promise.resolve();
  #counters = { received: 0, processed: 0, failed: 0, retried: 0, droppedSplits: 0, duplicateParts: 0, commits: 0 };
  #lastLag: PartitionLag[] = [];

  constructor(options: HookConsumerOptions) {
    if (typeof options.handler !== "function") throw new HookOptionsError("handler", "a handler function is required");
    const settings: HookConsumerSettings = {
      brokers: options.brokers ?? [...DEFAULT_SETTINGS.brokers],
      groupId: options.groupId ?? DEFAULT_SETTINGS.groupId,
      topics: options.topics ?? [...DEFAULT_SETTINGS.topics],
      maxRetries: options.maxRetries ?? DEFAULT_SETTINGS.maxRetries,
      retryIntervalMs: options.retryIntervalMs ?? DEFAULT_SETTINGS.retryIntervalMs,
      splitWaitMs: options.splitWaitMs ?? DEFAULT_SETTINGS.splitWaitMs,
      disabled: options.disabled ?? DEFAULT_SETTINGS.disabled,
      dlqTopic: options.dlqTopic ?? DEFAULT_SETTINGS.dlqTopic,
      sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_SETTINGS.sessionTimeoutMs,
    };
    validateSettings(settings);
    this.settings = Object.freeze(settings);
    this.#handler = options.handler;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    const clientOptions: Parameters<typeof kafkajsClient>[0] = {
      brokers: settings.brokers,
      logger: this.#logger,
      maxWaitTimeInMs: options.fetchMaxWaitMs ?? 100,
      sessionTimeoutMs: settings.sessionTimeoutMs,
    };
    if (options.clientId !== undefined) clientOptions.clientId = options.clientId;
    this.#kafka = options.kafka ?? kafkajsClient(clientOptions);
    this.#sink = options.failedMessages ?? loggerFailedMessageSink(this.#logger);
    this.#commitIntervalMs = options.commitIntervalMs ?? 1000;
    this.#beforeCommit = options.beforeCommit;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
    this.#reconnectBackoffMs = options.reconnectBackoffMs ?? 1000;
    this.#maxDecompressedBytes = options.maxDecompressedBytes;
    this.#emitter = new Emitter((error) =>
      this.#logger.warn({ event: "hook_consumer_listener_failed", error: errorMessage(error) }),
    );
  }

  on<K extends HookConsumerEventType>(type: K, listener: (event: HookConsumerEvent<K>) => void): () => void {
    return this.#emitter.on(type, listener);
  }

  #emit<K extends HookConsumerEventType>(type: K, payload: HookConsumerEventMap[K]): void {
    this.#emitter.emit(type, this.#clock.wallTime(), payload);
  }

  /** start/stop run one after the other, so a start during a stop waits for it. */
  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#transition.then(step);
    this.#transition = next.catch(() => undefined);
    return next;
  }

  start({ epoch }: { epoch: number }): Promise<void> {
    if (typeof epoch !== "number" || !Number.isFinite(epoch)) {
      return Promise.reject(new HookOptionsError("epoch", `start() needs a numeric epoch, got ${String(epoch)}`));
    }
    return this.#serial(async () => {
      if (this.settings.disabled) {
        this.#logger.info({ event: "hook_consumer_disabled", epoch });
        return;
      }
      const current = this.#session;
      if (current !== undefined && !current.stopping) {
        // Already consuming (a repeated activation): later messages carry the new epoch.
        current.epoch = epoch;
        return;
      }
      const decoderOptions: ConstructorParameters<typeof HookDecoder<HeldRecord>>[0] = {
        splitWaitMs: this.settings.splitWaitMs,
        now: () => this.#clock.now(),
      };
      if (this.#maxDecompressedBytes !== undefined) decoderOptions.maxDecompressedBytes = this.#maxDecompressedBytes;
      const session = new Session(epoch, new HookDecoder<HeldRecord>(decoderOptions), this.#clock.now());
      this.#session = session;
      this.#lastLag = [];
      this.#logger.info({ event: "hook_consumer_starting", epoch, groupId: this.settings.groupId, topics: this.settings.topics });
      this.#emit("start", { epoch });
      void this.#runSession(session);
    });
  }

  stop(): Promise<void> {
    return this.#serial(async () => {
      const session = this.#session;
      if (session === undefined) return;
      const started = this.#clock.now();
      const abandoned = await this.#stopSession(session);
      if (this.#session === session) this.#session = undefined;
      this.#logger.info({ event: "hook_consumer_stopped", epoch: session.epoch, abandoned, tookMs: Math.round(this.#clock.now() - started) });
      this.#emit("stop", { abandoned });
    });
  }

  metrics(): HookConsumerMetrics {
    const session = this.#session;
    const lag = session === undefined ? this.#lastLag : lagOf(session);
    return {
      state: this.settings.disabled ? "disabled" : session === undefined ? "stopped" : session.stopping ? "stopping" : "running",
      epoch: session?.epoch,
      ...this.#counters,
      pendingSplits: session?.decoder.pendingSplits ?? 0,
      heldParts: session?.decoder.heldParts ?? 0,
      lag,
      totalLag: lag.reduce((sum, l) => sum + l.lag, 0),
    };
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  async #runSession(session: Session): Promise<void> {
    let failures = 0;
    try {
      while (!session.stopping) {
        const consumer = this.#kafka.consumer({ groupId: this.settings.groupId });
        session.consumer = consumer;
        session.joined = false;
        session.endSignal = deferred();
        const offJoin = consumer.onGroupJoin((assignment) => this.#onGroupJoin(session, assignment));
        const offCrash = consumer.onCrash((error, restarting) => {
          this.#logger.error({ event: "hook_consumer_crashed", error: error.message, restarting });
          this.#emit("crash", { error, restarting });
          if (!restarting) session.endSignal.resolve();
        });
        let connected = false;
        try {
          session.phase = "connecting";
          await consumer.connect();
          connected = true;
          if (session.stopping) break;
          await consumer.subscribe([...this.settings.topics], true);
          if (session.stopping) break;
          session.phase = "joining";
          await consumer.run((context) => this.#eachBatch(session, context));
          session.phase = "running";
          failures = 0;
          await Promise.race([session.endSignal.promise, session.stopSignal.promise]);
          await this.#drain(session);
          if (session.stopping) break;
        } catch (error) {
          if (session.stopping) break;
          const retryInMs = Math.min(30_000, this.#reconnectBackoffMs * 2 ** failures);
          failures++;
          this.#logger.warn({ event: "hook_consumer_connect_failed", error: errorMessage(error), retryInMs });
          this.#emit("connect_failed", { error: error instanceof Error ? error : new Error(String(error)), retryInMs });
        } finally {
          offJoin();
          offCrash();
          if (connected || session.phase !== "connecting") await consumer.disconnect().catch(() => undefined);
        }
        if (session.stopping) break;
        // A fatal crash or a failed connect: try again while still active.
        session.phase = "backoff";
        const delay = Math.min(30_000, this.#reconnectBackoffMs * 2 ** Math.max(0, failures - 1));
        await this.#sleep(delay, session.stopSignal.promise);
      }
    } finally {
      session.phase = "ended";
      this.#clock.clearTimeout(session.evictionTimer);
      if (session.producer !== undefined) {
        await session.producer.then((p) => p.disconnect()).catch(() => undefined);
      }
      session.loopDone.resolve();
    }
  }

  /** Returns true when the message in hand had to be abandoned. */
  async #stopSession(session: Session): Promise<boolean> {
    const wasPhase = session.phase;
    session.stopping = true;
    session.stopSignal.resolve();
    this.#clock.clearTimeout(session.evictionTimer);
    let abandoned = false;
    if (session.inFlight !== undefined) {
      const finished = await this.#within(session.inFlight, this.#stopTimeoutMs);
      if (!finished) {
        abandoned = true;
        this.#logger.warn({ event: "hook_consumer_handler_abandoned", timeoutMs: this.#stopTimeoutMs });
        session.abandon();
      }
    }
    // While connecting or waiting to reconnect nothing can be handled any more: the loop
    // cleans up on its own, and stop() need not wait for a broker that does not answer.
    if (wasPhase === "connecting" || wasPhase === "backoff") return abandoned;
    // Still waiting for the group to form (e.g. right after a crash failover the coordinator
    // holds the join until the dead member's Kafka session expires, 10 s by default): nothing
    // was handled, so nothing is left to commit. Leaving the group waits for that join, and
    // stop() need not: the instance can leave its election now, the loop disconnects behind.
    if (!session.joined && session.inFlight === undefined && session.tracker.committable().length === 0) {
      this.#logger.info({ event: "hook_consumer_stopped_before_join", groupId: this.settings.groupId });
      return abandoned;
    }
    await session.loopDone.promise;
    return abandoned;
  }

  /** Waits for the batch in hand (abandoning its handler past the deadline), then commits. */
  async #drain(session: Session): Promise<void> {
    if (session.inFlight !== undefined && !(await this.#within(session.inFlight, this.#stopTimeoutMs))) {
      session.abandon();
      await session.inFlight;
    }
    if (session.evicting !== undefined) await session.evicting;
    await this.#commit(session).catch((error: unknown) =>
      this.#logger.warn({ event: "hook_consumer_commit_failed", error: errorMessage(error) }),
    );
  }

  #onGroupJoin(session: Session, assignment: TopicPartition[]): void {
    session.joined = true;
    this.#logger.info({ event: "hook_consumer_group_joined", groupId: this.settings.groupId, assignment });
    this.#emit("group_join", { assignment });
    // After a (re)join the client reads again from the committed offsets, so every record not
    // committed, held split parts included, is delivered again: forget them now.
    if (session.inFlight !== undefined) session.resetAfterBatch = true;
    else this.#resetPositions(session);
  }

  #resetPositions(session: Session): void {
    session.resetAfterBatch = false;
    session.tracker.reset();
    session.decoder.clearPending();
    session.lag.clear();
  }

  // ---- the batch loop ----------------------------------------------------------------------

  async #eachBatch(session: Session, context: BatchContext): Promise<void> {
    if (session.stopping) return;
    if (session.evicting !== undefined) await session.evicting;
    const done = deferred();
    session.inFlight = done.promise;
    const { batch } = context;
    const lagKey = `${batch.topic}\u0000${batch.partition}`;
    const stopHeartbeats = this.#keepAlive(session, context);
    try {
      const first = batch.messages[0];
      const lag: LagState | undefined =
        first === undefined
          ? undefined
          : { topic: batch.topic, partition: batch.partition, highWatermark: batch.highWatermark, firstOffset: first.offset, lastDone: undefined };
      if (lag !== undefined) session.lag.set(lagKey, lag);
      let turnAt = performance.now();
      for (const record of batch.messages) {
        if (session.stopping || !context.isRunning() || context.isStale()) break;
        if (session.decoder.pendingSplits > 0) await this.#evictExpired(session);
        const outcome = await this.#processRecord(session, batch.topic, batch.partition, record, context);
        if (outcome === "abandoned") break;
        context.resolveOffset(record.offset);
        session.tracker.done(batch.topic, batch.partition, record.offset);
        if (lag !== undefined) lag.lastDone = record.offset;
        const now = this.#clock.now();
        if (now - session.lastCommitAt >= this.#commitIntervalMs) {
          await this.#commit(session).catch((error: unknown) =>
            this.#logger.warn({ event: "hook_consumer_commit_failed", error: errorMessage(error) }),
          );
        }
        // kafkajs only sends a heartbeat when its interval is due; asking once a second is plenty.
        if (now - session.lastHeartbeatAt >= 1000) {
          session.lastHeartbeatAt = now;
          await context.heartbeat();
        }
        // Real time, not the injected clock: this is about the process's own event loop.
        if (performance.now() - turnAt >= YIELD_EVERY_MS) {
          await nextTurn();
          turnAt = performance.now();
        }
      }
    } finally {
      await this.#commit(session).catch((error: unknown) =>
        this.#logger.warn({ event: "hook_consumer_commit_failed", error: errorMessage(error) }),
      );
      stopHeartbeats();
      if (session.resetAfterBatch) this.#resetPositions(session);
      session.inFlight = undefined;
      done.resolve();
      this.#armEviction(session);
    }
  }

  async #processRecord(
    session: Session,
    topic: string,
    partition: number,
    record: KafkaRecord,
    context: BatchContext,
  ): Promise<Outcome> {
    this.#counters.received++;
    const held: HeldRecord = { topic, partition, offset: record.offset, value: record.value };
    const result = session.decoder.decode(record.value, held);
    switch (result.status) {
      case "pending":
        session.tracker.hold(topic, partition, record.offset);
        this.#logger.debug({ event: "hook_split_part_held", msgId: result.msgId, received: result.received, count: result.count, topic, partition, offset: record.offset });
        return "done";
      case "duplicate":
        this.#counters.duplicateParts++;
        this.#logger.info({ event: "hook_split_part_duplicate", msgId: result.msgId, reason: result.reason, topic, partition, offset: record.offset });
        return "done";
      case "failed":
        await this.#fail(session, result.parts, result.error.code, result.error.message, undefined, splitId(result.parts, record));
        this.#release(session, result.parts, held);
        return "done";
      case "complete": {
        const identity = result.parts[0] ?? held;
        const message: HookMessage = {
          notification: result.notification,
          envelope: result.envelope,
          topic: identity.topic,
          partition: identity.partition,
          offset: identity.offset,
          parts: result.parts.map(({ topic: t, partition: p, offset: o }) => ({ topic: t, partition: p, offset: o })),
          epoch: session.epoch,
          attempt: 1,
        };
        const outcome = await this.#handle(session, message, result.parts, context);
        // An abandoned message keeps its parts held: nothing past them is committed, and the
        // next consumer reassembles it from the redelivered records.
        if (outcome === "done") this.#release(session, result.parts, held);
        return outcome;
      }
    }
  }

  async #handle(session: Session, message: HookMessage, parts: HeldRecord[], context: BatchContext): Promise<Outcome> {
    const max = this.settings.maxRetries;
    for (let attempt = 1; ; attempt++) {
      message.attempt = attempt;
      message.epoch = session.epoch;
      let error: unknown;
      try {
        const result = this.#handler(message);
        if (isThenable(result)) {
          const handled = Promise.resolve(result);
          // A handler still running when stop() gives up keeps running; its result is ignored.
          handled.catch(() => undefined);
          const winner = await session.untilAbandoned(handled);
          if (winner === ABANDON) return "abandoned";
        }
        this.#counters.processed++;
        if (this.#emitter.has("message_processed")) {
          this.#emit("message_processed", { topic: message.topic, partition: message.partition, offset: message.offset, type: message.notification.type, attempts: attempt });
        }
        return "done";
      } catch (caught) {
        error = caught;
      }
      const kind = classifyHandlerError(error);
      const asError = error instanceof Error ? error : new Error(String(error));
      if (kind === "fenced") {
        this.#logger.warn({ event: "hook_consumer_fenced", epoch: session.epoch, error: asError.message });
        this.#emit("fenced", { epoch: session.epoch, error: asError });
        // No longer the active instance: leave the message uncommitted for the new active and
        // stop consuming until activated again.
        session.stopping = true;
        void this.stop().catch(() => undefined);
        return "abandoned";
      }
      if (kind === "permanent" || attempt >= max) {
        const code = errorCode(error, "HOOK_HANDLER_FAILED");
        const reason = kind === "permanent" ? asError.message : `gave up after ${attempt} attempts: ${asError.message}`;
        await this.#fail(session, parts, code, reason, attempt, message.envelope.splitCount > 1 ? message.envelope.msgId : undefined);
        return "done";
      }
      this.#counters.retried++;
      this.#logger.warn({ event: "hook_message_retry", topic: message.topic, partition: message.partition, offset: message.offset, attempt, error: asError.message, retryInMs: this.settings.retryIntervalMs });
      this.#emit("message_retried", { topic: message.topic, partition: message.partition, offset: message.offset, attempt, error: asError });
      // A stop during the wait abandons the message: the next active retries it from Kafka.
      const stopped = await this.#sleep(this.settings.retryIntervalMs, session.stopSignal.promise);
      if (stopped || session.stopping) return "abandoned";
      await context.heartbeat();
    }
  }

  // ---- failures, split eviction, commits ---------------------------------------------------

  async #fail(session: Session, parts: HeldRecord[], code: string, reason: string, attempts: number | undefined, msgId: string | undefined): Promise<void> {
    for (const part of parts) {
      const record: FailedMessageRecord = {
        timestamp: new Date(this.#clock.wallTime()).toISOString(),
        topic: part.topic,
        partition: part.partition,
        offset: part.offset,
        code,
        reason,
        value: part.value === null ? null : part.value.toString("utf8"),
      };
      if (part.value !== null && !isUtf8(part.value)) record.valueBase64 = part.value.toString("base64");
      if (msgId !== undefined) record.msgId = msgId;
      if (attempts !== undefined) record.attempts = attempts;
      this.#counters.failed++;
      this.#logger.warn({ event: "hook_message_failed", topic: part.topic, partition: part.partition, offset: part.offset, code, reason });
      try {
        await this.#sink.write(record);
      } catch (error) {
        // The record is still in the log above and, if configured, the dead-letter topic;
        // holding the whole stream for a full disk would be worse (SPEC §8).
        this.#logger.error({ event: "hook_failed_sink_error", error: errorMessage(error), ...record });
        this.#emit("sink_failed", { target: "sink", error: error instanceof Error ? error : new Error(String(error)) });
      }
      if (this.settings.dlqTopic !== undefined) await this.#toDeadLetter(session, part, code, reason);
      this.#emit("message_failed", { record });
    }
  }

  async #toDeadLetter(session: Session, part: HeldRecord, code: string, reason: string): Promise<void> {
    const topic = this.settings.dlqTopic;
    if (topic === undefined) return;
    try {
      session.producer ??= (async () => {
        const producer = this.#kafka.producer();
        await producer.connect();
        return producer;
      })();
      const producer = await session.producer;
      await producer.send(topic, [
        {
          value: part.value,
          headers: {
            "atlas-hook-error-code": code,
            "atlas-hook-error": reason.slice(0, 1000),
            "atlas-hook-topic": part.topic,
            "atlas-hook-partition": String(part.partition),
            "atlas-hook-offset": part.offset,
          },
        },
      ]);
    } catch (error) {
      session.producer = undefined;
      this.#logger.error({ event: "hook_dlq_failed", topic, error: errorMessage(error), source: { topic: part.topic, partition: part.partition, offset: part.offset } });
      this.#emit("sink_failed", { target: "dlq", error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  /** Parts other than the current record were held; they no longer bound the commit. */
  #release(session: Session, parts: HeldRecord[], current: HeldRecord): void {
    for (const part of parts) {
      if (part === current) continue;
      session.tracker.release(part.topic, part.partition, part.offset);
    }
  }

  async #evictExpired(session: Session): Promise<void> {
    const expiry = session.decoder.nextExpiry();
    if (expiry === undefined || this.#clock.now() < expiry) return;
    for (const evicted of session.decoder.evictExpired()) await this.#dropSplit(session, evicted);
  }

  async #dropSplit(session: Session, evicted: EvictedSplit<HeldRecord>): Promise<void> {
    this.#counters.droppedSplits++;
    const error = incompleteSplitError(evicted, this.settings.splitWaitMs);
    this.#logger.warn({ event: "hook_split_dropped", msgId: evicted.msgId, received: evicted.received, count: evicted.count });
    this.#emit("split_dropped", { msgId: evicted.msgId, received: evicted.received, count: evicted.count });
    await this.#fail(session, evicted.parts, error.code, error.message, undefined, evicted.msgId);
    for (const part of evicted.parts) session.tracker.release(part.topic, part.partition, part.offset);
  }

  /** Expires split sets on time even when no record arrives to trigger the check. */
  #armEviction(session: Session): void {
    this.#clock.clearTimeout(session.evictionTimer);
    const expiry = session.decoder.nextExpiry();
    if (expiry === undefined || session.stopping) return;
    const delay = Math.max(0, expiry - this.#clock.now()) + 1;
    session.evictionTimer = this.#clock.setTimeout(() => {
      if (session.stopping || session.inFlight !== undefined || session.evicting !== undefined) {
        // The batch in hand checks expiry before each record; look again afterwards.
        if (!session.stopping && session.inFlight === undefined) this.#armEviction(session);
        return;
      }
      session.evicting = (async () => {
        await this.#evictExpired(session);
        await this.#commit(session);
      })()
        .catch((error: unknown) => this.#logger.warn({ event: "hook_consumer_commit_failed", error: errorMessage(error) }))
        .finally(() => {
          session.evicting = undefined;
          this.#armEviction(session);
        });
    }, delay);
  }

  async #commit(session: Session): Promise<void> {
    const consumer = session.consumer;
    const offsets = session.tracker.committable();
    if (consumer === undefined || offsets.length === 0) return;
    await this.#beforeCommit?.(offsets);
    await consumer.commitOffsets(offsets);
    session.tracker.markCommitted(offsets);
    session.lastCommitAt = this.#clock.now();
    this.#counters.commits++;
    this.#logger.debug({ event: "hook_consumer_committed", offsets });
    this.#emit("commit", { offsets });
    this.#lastLag = lagOf(session);
  }

  /**
   * kafkajs has no background heartbeat: a handler slower than the session timeout (30 s)
   * would get the consumer thrown out of the group mid-message. While a batch is in hand,
   * heartbeat every few seconds on our own.
   */
  #keepAlive(session: Session, context: BatchContext): () => void {
    let handle: unknown;
    let active = true;
    const beat = () => {
      if (!active) return;
      if (this.#clock.now() - session.lastHeartbeatAt >= HEARTBEAT_EVERY_MS) {
        session.lastHeartbeatAt = this.#clock.now();
        context.heartbeat().catch(() => undefined);
      }
      handle = this.#clock.setTimeout(beat, HEARTBEAT_EVERY_MS);
    };
    handle = this.#clock.setTimeout(beat, HEARTBEAT_EVERY_MS);
    return () => {
      active = false;
      this.#clock.clearTimeout(handle);
    };
  }

  // ---- small helpers -----------------------------------------------------------------------

  /** Sleeps `ms`; resolves true early when `interrupt` resolves first. */
  #sleep(ms: number, interrupt: Promise<void>): Promise<boolean> {
    return new Promise((resolve) => {
      const handle = this.#clock.setTimeout(() => resolve(false), ms);
      void interrupt.then(() => {
        this.#clock.clearTimeout(handle);
        resolve(true);
      });
    });
  }

  /** True when `promise` settles within `ms`. */
  #within(promise: Promise<void>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const handle = this.#clock.setTimeout(() => resolve(false), ms);
      void promise.then(
        () => {
          this.#clock.clearTimeout(handle);
          resolve(true);
        },
        () => {
          this.#clock.clearTimeout(handle);
          resolve(true);
        },
      );
    });
  }
}

function lagOf(session: Session): PartitionLag[] {
  return [...session.lag.values()].map((l) => {
    const position = l.lastDone === undefined ? BigInt(l.firstOffset) : BigInt(l.lastDone) + 1n;
    const highWatermark = BigInt(l.highWatermark);
    const lag = highWatermark > position ? Number(highWatermark - position) : 0;
    return { topic: l.topic, partition: l.partition, highWatermark: l.highWatermark, position: position.toString(), lag };
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
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
