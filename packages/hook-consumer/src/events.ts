import type { FailedMessageRecord } from "./failed.js";
import type { TopicPartition, TopicPartitionOffset } from "./kafka.js";

/** Payloads of the consumer's events, by type. */
export interface HookConsumerEventMap {
  /** start() was called; consumption begins in the background. */
  start: { epoch: number };
  /** The group assigned partitions to this consumer. */
  group_join: { assignment: TopicPartition[] };
  /** Connecting or joining failed; tried again after `retryInMs`. */
  connect_failed: { error: Error; retryInMs: number };
  /** The Kafka client crashed; `restarting` false means this consumer restarts it itself. */
  crash: { error: Error; restarting: boolean };
  message_processed: {
    topic: string;
    partition: number;
    offset: string;
    type: string;
    attempts: number;
  };
  message_retried: {
    topic: string;
    partition: number;
    offset: string;
    attempt: number;
    error: Error;
  };
  message_failed: { record: FailedMessageRecord };
  /** An incomplete split message was dropped after the wait. */
  split_dropped: { msgId: string; received: number; count: number };
  commit: { offsets: TopicPartitionOffset[] };
  /** The handler reported a fenced write: this instance is no longer active; consumption stops. */
  fenced: { epoch: number; error: Error };
  /** Writing to the failed-messages sink or the dead-letter topic failed. */
  sink_failed: { target: "sink" | "dlq"; error: Error };
  stop: { abandoned: boolean };
}

export type HookConsumerEventType = keyof HookConsumerEventMap;

/** kafkajs-style instrumentation event. */
export interface HookConsumerEvent<K extends HookConsumerEventType = HookConsumerEventType> {
  type: K;
  /** Epoch ms. */
  timestamp: number;
  payload: HookConsumerEventMap[K];
}

export class Emitter {
  readonly #listeners = new Map<HookConsumerEventType, Set<(event: never) => void>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on<K extends HookConsumerEventType>(
    type: K,
    listener: (event: HookConsumerEvent<K>) => void,
  ): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    const entry = listener as (event: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Cheap check, so per-message events cost nothing without listeners. */
  has(type: HookConsumerEventType): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends HookConsumerEventType>(
    type: K,
    timestamp: number,
    payload: HookConsumerEventMap[K],
  ): void {
    const set = this.#listeners.get(type);
    if (set === undefined || set.size === 0) return;
    const event: HookConsumerEvent<K> = { type, timestamp, payload };
    for (const listener of [...set]) {
      try {
        (listener as (event: HookConsumerEvent<K>) => void)(event);
      } catch (error) {
        // A throwing listener must not break the consumer's loop.
        this.#onListenerError(error);
      }
    }
  }
}
