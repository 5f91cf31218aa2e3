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
  kafkaErrorCode,
  kafkajsClient,
  kafkajsSecurity,
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
  IGNORED_KAFKA_KEYS,
  SECURITY_KEYS,
  kafkaSecurityFromProperties,
  parseJaasConfig,
  type JaasLogin,
  type KafkaSaslMechanism,
  type KafkaSecurity,
  type KafkaSecurityProtocol,
  type KafkaTls,
} from "./security.js";
export {
  HookConfigError,
  HookDecodeError,
  HookKafkaError,
  HookOptionsError,
  PermanentHookError,
  type HookDecodeErrorCode,
  type HookKafkaErrorCode,
} from "./errors.js";
export type { Clock, Logger } from "@atlas-ha/shared";
export * from "./codec/index.js";
