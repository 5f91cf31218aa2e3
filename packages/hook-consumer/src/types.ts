// The consumer's public types: what the handler receives, the consumer's face, its metrics.
// (Its options are in options.ts, its events in events.ts.)
import type { EnvelopeInfo, HookNotification } from "./codec/model.js";
import type { HookConsumerEvent, HookConsumerEventType } from "./events.js";
import type { HookConsumerSettings } from "./options.js";

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
  /** The epoch given to `start()`: carry it with every store write (docs/contracts/hooks.md fencing). */
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

/**
 * Applies consecutive messages of one partition, in order, all or none — e.g. in one store
 * transaction with each message's offset recorded in it. Resolve under the same rule as
 * `HookHandler` (durable, or durable once `beforeCommit` resolves). Throw a fenced error as
 * `HookHandler` does; any other error means nothing of the batch took effect, and the
 * consumer applies the messages again one by one through `handler` (retries, failed log).
 */
export type HookBatchHandler = (messages: HookMessage[]) => Promise<void> | void;

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
  /** Starts consuming in the background (docs/contracts/components.md: activation must not wait for Kafka). */
  start(options: { epoch: number }): Promise<void>;
  /**
   * Stops: resolves once nothing more will be handled and what was handled is committed.
   * The message in hand is finished (or abandoned uncommitted after `stopTimeoutMs`).
   */
  stop(): Promise<void>;
  metrics(): HookConsumerMetrics;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends HookConsumerEventType>(
    type: K,
    listener: (event: HookConsumerEvent<K>) => void,
  ): () => void;
  readonly settings: Readonly<HookConsumerSettings>;
}

/** Internal: a record as the session keeps it until its message is done (not exported from the package). */
export interface HeldRecord extends RecordPosition {
  value: Buffer | null;
}
