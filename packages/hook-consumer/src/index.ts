// Public API of @atlas-ha/hook-consumer: the consumer, its HA handler, the codec, options.
export { createHookConsumer } from "./consumer.js";
export type {
  HookConsumer,
  HookConsumerMetrics,
  HookBatchHandler,
  HookHandler,
  HookMessage,
  PartitionLag,
  RecordPosition,
} from "./types.js";
export { hookConsumerActivationHandler, type HookConsumerActivationHandler } from "./activation.js";
export type { HookConsumerEvent, HookConsumerEventMap, HookConsumerEventType } from "./events.js";
export {
  fileFailedMessageSink,
  loggerFailedMessageSink,
  type FailedMessageRecord,
  type FailedMessageSink,
} from "./failed.js";
export {
  kafkajsClient,
  type BatchContext,
  type KafkaBatch,
  type KafkaClient,
  type KafkaConsumerPort,
  type KafkajsClientOptions,
  type KafkaProducerPort,
  type KafkaRecord,
  type OutgoingRecord,
  type TopicPartition,
  type TopicPartitionOffset,
} from "./kafka.js";
export {
  DEFAULT_SETTINGS,
  type HookConsumerOptions,
  type HookConsumerSettings,
} from "./options.js";
export { ATLAS_KEYS, hookConsumerSettingsFromProperties } from "./properties.js";
export {
  HookConfigError,
  HookDecodeError,
  HookOptionsError,
  PermanentHookError,
  type HookDecodeErrorCode,
} from "./errors.js";
export type { Clock, Logger } from "@atlas-ha/shared";
export * from "./codec/index.js";
