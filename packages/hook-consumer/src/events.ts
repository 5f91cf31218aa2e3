import type { InstrumentationEvent } from "@atlas-ha/shared";
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

/** kafkajs-style instrumentation event `{ type, timestamp, payload }`, as every atlas-ha event. */
export type HookConsumerEvent<K extends HookConsumerEventType = HookConsumerEventType> =
  InstrumentationEvent<HookConsumerEventMap, K>;
