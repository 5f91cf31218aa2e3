import type { ConnectionOptions } from "node:tls";
import kafkajs from "kafkajs";
import type { ConsumerConfig, Kafka as KafkajsKafka, KafkaConfig, SASLOptions } from "kafkajs";
import type { Logger } from "@atlas-ha/shared";
import { HookKafkaError, type HookKafkaErrorCode } from "./errors.js";
import type { KafkaSecurity } from "./security.js";

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
  heartbeatIntervalMs?: number;
  /** As the group's rebalance timeout (Kafka's `max.poll.interval.ms`). */
  rebalanceTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** TCP connect and TLS handshake. */
  connectionTimeoutMs?: number;
  /** TLS and SASL; default PLAINTEXT. */
  security?: KafkaSecurity;
}

const { Kafka, logLevel } = kafkajs;

/** kafkajs's `ssl` and `sasl` for our security settings. */
export function kafkajsSecurity(
  security: KafkaSecurity | undefined,
): Pick<KafkaConfig, "ssl" | "sasl"> {
  const config: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  if (security === undefined) return config;
  if (security.protocol === "SSL" || security.protocol === "SASL_SSL") {
    const tls = security.tls ?? { verifyHostname: true };
    const ssl: ConnectionOptions = { rejectUnauthorized: true };
    if (tls.ca !== undefined) ssl.ca = tls.ca;
    if (tls.pfx !== undefined) ssl.pfx = tls.pfx;
    if (tls.cert !== undefined) ssl.cert = tls.cert;
    if (tls.key !== undefined) ssl.key = tls.key;
    if (tls.passphrase !== undefined) ssl.passphrase = tls.passphrase;
    // The chain is still verified; only the name check is off (Kafka's empty
    // ssl.endpoint.identification.algorithm).
    if (!tls.verifyHostname) ssl.checkServerIdentity = () => undefined;
    config.ssl = ssl;
  }
  if (
    (security.protocol === "SASL_PLAINTEXT" || security.protocol === "SASL_SSL") &&
    security.sasl
  ) {
    const { mechanism, username, password } = security.sasl;
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  return config;
}

// Node's certificate verification codes and the alerts a broker sends when it refuses ours.
const TLS_CODE =
  /^(?:CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_|ERR_TLS_|HOSTNAME_MISMATCH)/;
const TLS_MESSAGE = /certificate|ssl|tls|handshake|alert/i;

/**
 * Our code for an error of the Kafka client, found in its cause chain: a refused SASL login,
 * a TLS failure (Node's verification codes, or the broker's alert when it refuses the
 * client's certificate), or any other connection failure.
 */
export function kafkaErrorCode(error: unknown): HookKafkaErrorCode {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const { name, code, message, cause } = e as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (name === "KafkaJSSASLAuthenticationError") return "HOOK_KAFKA_AUTH_FAILED";
    if (typeof code === "string" && TLS_CODE.test(code)) return "HOOK_KAFKA_TLS_FAILED";
    if (
      name === "KafkaJSConnectionError" &&
      typeof message === "string" &&
      TLS_MESSAGE.test(message)
    )
      return "HOOK_KAFKA_TLS_FAILED";
    e = cause;
  }
  return "HOOK_KAFKA_CONNECT_FAILED";
}

/** The client's error as a HookKafkaError (once: an error already ours is kept). */
export function kafkaError(error: unknown): Error {
  if ((error as { name?: unknown } | null)?.name === "HookKafkaError") return error as Error;
  const code = kafkaErrorCode(error);
  const detail = innermostMessage(error);
  const what =
    code === "HOOK_KAFKA_AUTH_FAILED"
      ? "Kafka refused the SASL login (check the user, the password and sasl.mechanism)"
      : code === "HOOK_KAFKA_TLS_FAILED"
        ? "the TLS handshake with Kafka failed (check the truststore, the client certificate and their dates)"
        : "cannot connect to Kafka";
  return new HookKafkaError(code, `${what}: ${detail}`, { cause: error });
}

function innermostMessage(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const message = (e as { message?: unknown }).message;
    if (typeof message === "string" && !messages.includes(message)) messages.push(message);
    e = (e as { cause?: unknown }).cause;
  }
  return messages.length === 0 ? String(error) : messages.join(": ");
}

const wrapErrors = async <T>(operation: Promise<T>): Promise<T> => {
  try {
    return await operation;
  } catch (error) {
    throw kafkaError(error);
  }
};

/** The KafkaClient over kafkajs 2.x. */
export function kafkajsClient(options: KafkajsClientOptions): KafkaClient {
  const logger = options.logger;
  const kafka =
    options.kafka ??
    new Kafka({
      clientId: options.clientId ?? "atlas-ha-hook-consumer",
      brokers: options.brokers,
      ...kafkajsSecurity(options.security),
      ...(options.connectionTimeoutMs !== undefined
        ? { connectionTimeout: options.connectionTimeoutMs }
        : {}),
      ...(options.requestTimeoutMs !== undefined
        ? { requestTimeout: options.requestTimeoutMs }
        : {}),
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
      if (options.heartbeatIntervalMs !== undefined)
        consumerConfig.heartbeatInterval = options.heartbeatIntervalMs;
      if (options.rebalanceTimeoutMs !== undefined)
        consumerConfig.rebalanceTimeout = options.rebalanceTimeoutMs;
      const consumer = kafka.consumer(consumerConfig);
      return {
        connect: () => wrapErrors(consumer.connect()),
        subscribe: (topics, fromBeginning) =>
          wrapErrors(consumer.subscribe({ topics, fromBeginning })),
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
            listener(
              // A lost login or handshake gets our code; other crashes keep the client's error.
              kafkaErrorCode(event.payload.error) === "HOOK_KAFKA_CONNECT_FAILED"
                ? event.payload.error
                : kafkaError(event.payload.error),
              event.payload.restart,
            ),
          ),
      };
    },
    producer() {
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      return {
        connect: () => wrapErrors(producer.connect()),
        send: async (topic, records) => {
          await wrapErrors(producer.send({ topic, messages: records }));
        },
        disconnect: () => producer.disconnect(),
      };
    },
  };
}
