// What createHookConsumer accepts, every default in one place, and the one resolver that
// checks the options (unknown keys rejected, each bad value named) and fills in the defaults.
import { silentLogger, systemClock, type Clock, type Logger } from "@atlas-ha/shared";
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from "./codec/gzip.js";
import { HookOptionsError } from "./errors.js";
import { loggerFailedMessageSink, type FailedMessageSink } from "./failed.js";
import { kafkajsClient, type KafkaClient, type TopicPartitionOffset } from "./kafka.js";
import type { KafkaSecurity } from "./security.js";
import type { HookBatchHandler, HookHandler } from "./types.js";

/** The settings an operator controls through `atlas-application.properties` (docs/contracts/config.md). */
export interface HookConsumerSettings {
  /** `atlas.kafka.bootstrap.servers`. */
  brokers: string[];
  /** `atlas.kafka.hook.group.id`. */
  groupId: string;
  /** `atlas.notification.hook.consumer.topic.names`. */
  topics: string[];
  /** `atlas.notification.hook.maxretries`: attempts per message for transient errors. */
  maxRetries: number;
  /** `atlas.notification.consumer.retry.interval`: ms between attempts. */
  retryIntervalMs: number;
  /** `atlas.notification.split.message.segments.wait.time.seconds` × 1000. */
  splitWaitMs: number;
  /** `atlas.notification.consumer.disabled`. */
  disabled: boolean;
  /** `atlas.notification.hook.dlq.topic`; undefined: no dead-letter topic. */
  dlqTopic: string | undefined;
  /**
   * `atlas.kafka.session.timeout.ms`: how long the group waits for a consumer that stopped
   * heartbeating. After a crash of the active, the next one's consumer receives the
   * partitions only when the dead member's session has timed out, so this bounds how long
   * hook consumption pauses after a crash (a clean stop leaves the group at once). The
   * broker accepts 6000–1800000 by default.
   */
  sessionTimeoutMs: number;
  /** `atlas.kafka.heartbeat.interval.ms`; undefined: kafkajs's 3000. */
  heartbeatIntervalMs: number | undefined;
  /** `atlas.kafka.request.timeout.ms`; undefined: kafkajs's 30000. */
  requestTimeoutMs: number | undefined;
  /** `atlas.kafka.socket.connection.setup.timeout.ms` (TCP + TLS); undefined: kafkajs's 1000. */
  connectionTimeoutMs: number | undefined;
  /** `atlas.kafka.max.poll.interval.ms`, as the group's rebalance timeout; undefined: kafkajs's 60000. */
  rebalanceTimeoutMs: number | undefined;
  /**
   * `atlas.kafka.security.protocol`, `sasl.*`, `ssl.*`: how the client authenticates and
   * encrypts. Holds secrets (SASL password, keystore passphrase): never log it.
   */
  security: KafkaSecurity;
}

export const DEFAULT_SETTINGS: Readonly<HookConsumerSettings> = Object.freeze({
  brokers: ["localhost:9092"],
  groupId: "atlas",
  topics: ["ATLAS_HOOK"],
  maxRetries: 3,
  retryIntervalMs: 500,
  splitWaitMs: 900_000,
  disabled: false,
  dlqTopic: undefined,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: undefined,
  requestTimeoutMs: undefined,
  connectionTimeoutMs: undefined,
  rebalanceTimeoutMs: undefined,
  security: Object.freeze({ protocol: "PLAINTEXT" as const }),
});

export interface HookConsumerOptions extends Partial<HookConsumerSettings> {
  handler: HookHandler;
  /**
   * Optional: applies several consecutive messages of a partition at once (e.g. in one store
   * transaction), all or none. When it throws (other than fenced), the consumer applies the
   * same messages one by one through `handler`, with the usual retries and failed log, so one
   * bad message does not fail its neighbours. Without it every message goes to `handler`.
   */
  handleBatch?: HookBatchHandler;
  /** Most messages in one `handleBatch` call. Default 200. */
  batchMaxMessages?: number;
  /** A `handleBatch` call gathers messages for at most this long (ms) after its first. Default 50. */
  batchMaxMs?: number;
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
   * does not make each message durable on its own (an fsync per message limits a store's
   * throughput) makes everything handled so far durable here: a group commit. While it
   * rejects, nothing is committed (the next commit tries again; docs/decisions.md).
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
   * fetch in flight, so this bounds how long an idle consumer delays a failover; kept short,
   * since an idle consumer's small fetches cost the broker next to nothing and a fetch with
   * records to return answers at once whatever this is. Default 100 (docs/decisions.md).
   */
  fetchMaxWaitMs?: number;
}

/**
 * Defaults of the options given in code only (the settings' are DEFAULT_SETTINGS). Absent:
 * `clock` (the system clock), `logger` (silent), `failedMessages` (a log event per message),
 * `kafka` (kafkajs over `brokers`, client id `atlas-ha-hook-consumer` unless `clientId`).
 */
const DEFAULT_OPTIONS = Object.freeze({
  batchMaxMessages: 200,
  batchMaxMs: 50,
  fetchMaxWaitMs: 100,
  commitIntervalMs: 1000,
  stopTimeoutMs: 30_000,
  reconnectBackoffMs: 1000,
  maxDecompressedBytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
});

/** The options with every default filled in: what the rest of the consumer reads. */
export interface ResolvedOptions {
  readonly settings: Readonly<HookConsumerSettings>;
  readonly handler: HookHandler;
  readonly handleBatch: HookBatchHandler | undefined;
  readonly batchMaxMessages: number;
  readonly batchMaxMs: number;
  readonly kafka: KafkaClient;
  readonly failedMessages: FailedMessageSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly commitIntervalMs: number;
  readonly beforeCommit: HookConsumerOptions["beforeCommit"];
  readonly stopTimeoutMs: number;
  readonly reconnectBackoffMs: number;
  readonly maxDecompressedBytes: number;
}

// Typed as a record of every key, so an option added to HookConsumerOptions cannot be left out.
const KNOWN_KEYS: Record<keyof HookConsumerOptions, true> = {
  brokers: true,
  groupId: true,
  topics: true,
  maxRetries: true,
  retryIntervalMs: true,
  splitWaitMs: true,
  disabled: true,
  dlqTopic: true,
  sessionTimeoutMs: true,
  heartbeatIntervalMs: true,
  requestTimeoutMs: true,
  connectionTimeoutMs: true,
  rebalanceTimeoutMs: true,
  security: true,
  handler: true,
  handleBatch: true,
  batchMaxMessages: true,
  batchMaxMs: true,
  clientId: true,
  kafka: true,
  failedMessages: true,
  clock: true,
  logger: true,
  commitIntervalMs: true,
  beforeCommit: true,
  stopTimeoutMs: true,
  reconnectBackoffMs: true,
  maxDecompressedBytes: true,
  fetchMaxWaitMs: true,
};
const KNOWN: ReadonlySet<string> = new Set(Object.keys(KNOWN_KEYS));

/** Checks the options of createHookConsumer and fills in the defaults; throws HookOptionsError naming the option. */
export function resolveOptions(options: HookConsumerOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new HookOptionsError("options", "must be an object with at least `handler`");
  }
  // A misspelt option (`retryInterval`) would otherwise be ignored in silence.
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key))
      throw new HookOptionsError(key, `is not an option (known: ${[...KNOWN].join(", ")})`);
  }
  if (typeof options.handler !== "function")
    throw new HookOptionsError("handler", "a handler function is required");
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
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    requestTimeoutMs: options.requestTimeoutMs,
    connectionTimeoutMs: options.connectionTimeoutMs,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs,
    security: options.security ?? DEFAULT_SETTINGS.security,
  };
  validateSettings(settings);

  const logger = options.logger ?? silentLogger;
  if (options.logger !== undefined)
    checkMethods("logger", options.logger, ["debug", "info", "warn", "error"], "pino-compatible");
  if (options.clock !== undefined)
    checkMethods(
      "clock",
      options.clock,
      ["now", "wallTime", "setTimeout", "clearTimeout"],
      "a Clock",
    );
  if (options.kafka !== undefined)
    checkMethods("kafka", options.kafka, ["consumer", "producer"], "a KafkaClient");
  if (options.failedMessages !== undefined)
    checkMethods("failedMessages", options.failedMessages, ["write"], "a FailedMessageSink");
  if (options.handleBatch !== undefined && typeof options.handleBatch !== "function") {
    throw new HookOptionsError("handleBatch", "must be a function");
  }
  if (options.beforeCommit !== undefined && typeof options.beforeCommit !== "function") {
    throw new HookOptionsError("beforeCommit", "must be a function");
  }
  if (
    options.clientId !== undefined &&
    (typeof options.clientId !== "string" || options.clientId === "")
  ) {
    throw new HookOptionsError(
      "clientId",
      `must be a non-empty string, got ${show(options.clientId)}`,
    );
  }
  const commitIntervalMs = millis(
    "commitIntervalMs",
    options.commitIntervalMs,
    DEFAULT_OPTIONS.commitIntervalMs,
  );
  const stopTimeoutMs = millis(
    "stopTimeoutMs",
    options.stopTimeoutMs,
    DEFAULT_OPTIONS.stopTimeoutMs,
  );
  const reconnectBackoffMs = millis(
    "reconnectBackoffMs",
    options.reconnectBackoffMs,
    DEFAULT_OPTIONS.reconnectBackoffMs,
  );
  const maxDecompressedBytes = count(
    "maxDecompressedBytes",
    options.maxDecompressedBytes,
    DEFAULT_OPTIONS.maxDecompressedBytes,
    1,
  );
  const batchMaxMessages = count(
    "batchMaxMessages",
    options.batchMaxMessages,
    DEFAULT_OPTIONS.batchMaxMessages,
    1,
  );
  const batchMaxMs = millis("batchMaxMs", options.batchMaxMs, DEFAULT_OPTIONS.batchMaxMs);
  const fetchMaxWaitMs = count(
    "fetchMaxWaitMs",
    options.fetchMaxWaitMs,
    DEFAULT_OPTIONS.fetchMaxWaitMs,
    0,
  );

  // Everything checked: only now build the default client.

  let kafka = options.kafka;
  if (kafka === undefined) {
    const clientOptions: Parameters<typeof kafkajsClient>[0] = {
      brokers: settings.brokers,
      logger,
      maxWaitTimeInMs: fetchMaxWaitMs,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      security: settings.security,
    };
    for (const name of [
      "heartbeatIntervalMs",
      "requestTimeoutMs",
      "connectionTimeoutMs",
      "rebalanceTimeoutMs",
    ] as const) {
      const value = settings[name];
      if (value !== undefined) clientOptions[name] = value;
    }
    if (options.clientId !== undefined) clientOptions.clientId = options.clientId;
    kafka = kafkajsClient(clientOptions);
  }
  return {
    settings: Object.freeze(settings),
    handler: options.handler,
    handleBatch: options.handleBatch,
    batchMaxMessages,
    batchMaxMs,
    kafka,
    failedMessages: options.failedMessages ?? loggerFailedMessageSink(logger),
    clock: options.clock ?? systemClock(),
    logger,
    commitIntervalMs,
    beforeCommit: options.beforeCommit,
    stopTimeoutMs,
    reconnectBackoffMs,
    maxDecompressedBytes,
  };
}

/** Checks settings given in code (not from properties); throws HookOptionsError. */
function validateSettings(settings: HookConsumerSettings): void {
  stringList("brokers", settings.brokers);
  if (settings.brokers.length === 0)
    throw new HookOptionsError("brokers", "at least one broker is needed");
  stringList("topics", settings.topics);
  if (settings.topics.length === 0)
    throw new HookOptionsError("topics", "at least one topic is needed");
  if (typeof settings.groupId !== "string")
    throw new HookOptionsError("groupId", `must be a string, got ${show(settings.groupId)}`);
  if (settings.groupId === "") throw new HookOptionsError("groupId", "must not be empty");
  if (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 1) {
    throw new HookOptionsError("maxRetries", `must be an integer ≥ 1, got ${settings.maxRetries}`);
  }
  if (typeof settings.retryIntervalMs !== "number" || !(settings.retryIntervalMs >= 0)) {
    throw new HookOptionsError("retryIntervalMs", `must be ≥ 0, got ${settings.retryIntervalMs}`);
  }
  if (typeof settings.splitWaitMs !== "number" || !(settings.splitWaitMs > 0)) {
    throw new HookOptionsError("splitWaitMs", `must be > 0, got ${settings.splitWaitMs}`);
  }
  if (typeof settings.disabled !== "boolean")
    throw new HookOptionsError("disabled", `must be true or false, got ${show(settings.disabled)}`);
  if (
    settings.dlqTopic !== undefined &&
    (typeof settings.dlqTopic !== "string" || settings.dlqTopic === "")
  ) {
    throw new HookOptionsError("dlqTopic", `must be a topic name, got ${show(settings.dlqTopic)}`);
  }
  if (!Number.isInteger(settings.sessionTimeoutMs) || settings.sessionTimeoutMs < 1) {
    throw new HookOptionsError(
      "sessionTimeoutMs",
      `must be a positive integer, got ${settings.sessionTimeoutMs}`,
    );
  }
  for (const name of [
    "heartbeatIntervalMs",
    "requestTimeoutMs",
    "connectionTimeoutMs",
    "rebalanceTimeoutMs",
  ] as const) {
    const value = settings[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new HookOptionsError(name, `must be a positive integer, got ${show(value)}`);
  }
  const security = settings.security as Partial<KafkaSecurity> | null;
  if (
    typeof security !== "object" ||
    security === null ||
    !["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(String(security.protocol))
  ) {
    throw new HookOptionsError(
      "security",
      "must be { protocol: PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL, sasl?, tls? }",
    );
  }
  if (String(security.protocol).startsWith("SASL_") && security.sasl === undefined)
    throw new HookOptionsError("security.sasl", `is required with ${String(security.protocol)}`);
}

/** A value as an error message shows it (NaN and functions too, which JSON would hide). */
function show(value: unknown): string {
  return typeof value === "string" || (typeof value === "object" && value !== null)
    ? JSON.stringify(value)
    : String(value);
}

function stringList(option: string, value: unknown): void {
  if (!Array.isArray(value))
    throw new HookOptionsError(option, `must be an array of strings, got ${show(value)}`);
  value.forEach((item: unknown, i) => {
    if (typeof item !== "string" || item === "")
      throw new HookOptionsError(
        `${option}[${i}]`,
        `must be a non-empty string, got ${show(item)}`,
      );
  });
}

/** A duration in ms: a number ≥ 0 (fractions allowed, as timers take them). */
function millis(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || value === Infinity) {
    throw new HookOptionsError(option, `must be a number of ms ≥ 0, got ${show(value)}`);
  }
  return value;
}

/** A whole number ≥ `min`. */
function count(option: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new HookOptionsError(option, `must be a whole number ≥ ${min}, got ${show(value)}`);
  }
  return value;
}

function checkMethods(
  option: string,
  value: unknown,
  methods: readonly string[],
  what: string,
): void {
  const ok =
    typeof value === "object" &&
    value !== null &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === "function");
  if (!ok) throw new HookOptionsError(option, `must have ${methods.join(", ")} methods (${what})`);
}
