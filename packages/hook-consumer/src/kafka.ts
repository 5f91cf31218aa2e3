import kafkajs from "kafkajs";
import type { ConsumerConfig, Kafka as KafkajsKafka } from "kafkajs";
import type { Logger } from "@atlas-ha/shared";

// Our own small view of Kafka: what the consumer needs and nothing more, so unit tests use
// a fake and the kafkajs details (event names, option spellings) stay in this file.

export interface KafkaRecord {
  offset: string;
  value: Buffer | null;
}

export interface KafkaBatch {
  topic: string;
  partition: number;
  /** The partition's high watermark when the batch was fetched (offset of the next record written). */
  highWatermark: string;
  messages: KafkaRecord[];
}

export interface BatchContext {
  batch: KafkaBatch;
  /** Marks a record consumed for this consumer's fetch position (not a commit). */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** False once the client is stopping. */
  isRunning(): boolean;
  /** True when the partition was reassigned or sought since the batch was fetched. */
  isStale(): boolean;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read (Kafka's commit convention: last handled + 1). */
  offset: string;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface KafkaConsumerPort {
  connect(): Promise<void>;
  subscribe(topics: string[], fromBeginning: boolean): Promise<void>;
  /** Starts consuming; resolves once the group is joined. Batches of one partition never overlap. */
  run(eachBatch: (context: BatchContext) => Promise<void>): Promise<void>;
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Stops consuming (waiting for the batch in hand), leaves the group, closes connections. */
  disconnect(): Promise<void>;
  onGroupJoin(listener: (assignment: TopicPartition[]) => void): () => void;
  /** `restarting`: the client recovers by itself; otherwise the consumer is dead. */
  onCrash(listener: (error: Error, restarting: boolean) => void): () => void;
}

export interface OutgoingRecord {
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

export interface KafkaProducerPort {
  connect(): Promise<void>;
  send(topic: string, records: OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  consumer(options: { groupId: string }): KafkaConsumerPort;
  producer(): KafkaProducerPort;
}

export interface KafkajsClientOptions {
  brokers: string[];
  clientId?: string;
  /** An existing kafkajs `Kafka` instance (then `brokers` and `clientId` are ignored). */
  kafka?: KafkajsKafka;
  logger?: Logger;
  /** Longest time a fetch waits for new records; kafkajs' default is 5000. */
  maxWaitTimeInMs?: number;
  sessionTimeoutMs?: number;
}

const { Kafka, logLevel } = kafkajs;

/** The KafkaClient over kafkajs 2.x. */
export function kafkajsClient(options: KafkajsClientOptions): KafkaClient {
  const logger = options.logger;
  const kafka =
    options.kafka ??
    new Kafka({
      clientId: options.clientId ?? "atlas-ha-hook-consumer",
      brokers: options.brokers,
      logLevel: logger === undefined ? logLevel.NOTHING : logLevel.WARN,
      logCreator: () => (entry) => {
        if (logger === undefined) return;
        const { message, ...extra } = entry.log;
        const record = { event: "kafkajs", namespace: entry.namespace, message, ...extra };
        if (entry.level <= logLevel.ERROR) logger.error(record);
        else if (entry.level === logLevel.WARN) logger.warn(record);
        else logger.debug(record);
      },
    });

  return {
    consumer({ groupId }) {
      const consumerConfig: ConsumerConfig = { groupId };
      if (options.maxWaitTimeInMs !== undefined)
        consumerConfig.maxWaitTimeInMs = options.maxWaitTimeInMs;
      if (options.sessionTimeoutMs !== undefined)
        consumerConfig.sessionTimeout = options.sessionTimeoutMs;
      const consumer = kafka.consumer(consumerConfig);
      return {
        connect: () => consumer.connect(),
        subscribe: (topics, fromBeginning) => consumer.subscribe({ topics, fromBeginning }),
        run: (eachBatch) =>
          consumer.run({
            // Commits are ours alone, after the handler's effects are durable (docs/contracts/hooks.md).
            autoCommit: false,
            // A batch cut short by stop() must not mark its unread records consumed.
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: 1,
            eachBatch: async (payload) =>
              eachBatch({
                batch: {
                  topic: payload.batch.topic,
                  partition: payload.batch.partition,
                  highWatermark: payload.batch.highWatermark,
                  messages: payload.batch.messages,
                },
                // kafkajs hands out closures, not methods that need their `this`.
                /* eslint-disable @typescript-eslint/unbound-method */
                resolveOffset: payload.resolveOffset,
                heartbeat: payload.heartbeat,
                isRunning: payload.isRunning,
                isStale: payload.isStale,
                /* eslint-enable @typescript-eslint/unbound-method */
              }),
          }),
        commitOffsets: (offsets) => consumer.commitOffsets(offsets),
        disconnect: () => consumer.disconnect(),
        onGroupJoin: (listener) =>
          consumer.on(consumer.events.GROUP_JOIN, (event) => {
            const assignment = event.payload.memberAssignment;
            listener(
              Object.entries(assignment).flatMap(([topic, partitions]) =>
                partitions.map((partition) => ({ topic, partition })),
              ),
            );
          }),
        onCrash: (listener) =>
          consumer.on(consumer.events.CRASH, (event) =>
            listener(event.payload.error, event.payload.restart),
          ),
      };
    },
    producer() {
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      return {
        connect: () => producer.connect(),
        send: async (topic, records) => {
          await producer.send({ topic, messages: records });
        },
        disconnect: () => producer.disconnect(),
      };
    },
  };
}
