import { HookConfigError, HookOptionsError } from "./errors.js";

/** The settings an operator controls through `atlas-application.properties` (SPEC §3). */
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
});

/** The Atlas property keys read by `hookConsumerSettingsFromProperties`. */
export const ATLAS_KEYS = Object.freeze({
  brokers: "atlas.kafka.bootstrap.servers",
  groupId: "atlas.kafka.hook.group.id",
  topics: "atlas.notification.hook.consumer.topic.names",
  maxRetries: "atlas.notification.hook.maxretries",
  retryIntervalMs: "atlas.notification.consumer.retry.interval",
  splitWaitSeconds: "atlas.notification.split.message.segments.wait.time.seconds",
  disabled: "atlas.notification.consumer.disabled",
  dlqTopic: "atlas.notification.hook.dlq.topic",
  sessionTimeoutMs: "atlas.kafka.session.timeout.ms",
});

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Maps a flat Atlas properties object to consumer settings. Absent keys take Atlas's
 * defaults, unknown keys are ignored, and a malformed value throws a HookConfigError
 * naming its key (SPEC §3).
 */
export function hookConsumerSettingsFromProperties(properties: Record<string, string | undefined>): HookConsumerSettings {
  const read = (key: string): string | undefined => {
    const value = properties[key];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
  };
  const settings: HookConsumerSettings = { ...DEFAULT_SETTINGS, brokers: [...DEFAULT_SETTINGS.brokers], topics: [...DEFAULT_SETTINGS.topics] };

  const brokers = read(ATLAS_KEYS.brokers);
  if (brokers !== undefined) settings.brokers = list(ATLAS_KEYS.brokers, brokers).map((b) => broker(ATLAS_KEYS.brokers, b));
  const groupId = read(ATLAS_KEYS.groupId);
  if (groupId !== undefined) settings.groupId = groupId;
  const topics = read(ATLAS_KEYS.topics);
  if (topics !== undefined) settings.topics = list(ATLAS_KEYS.topics, topics).map((t) => topic(ATLAS_KEYS.topics, t));
  const maxRetries = read(ATLAS_KEYS.maxRetries);
  if (maxRetries !== undefined) settings.maxRetries = integer(ATLAS_KEYS.maxRetries, maxRetries, 1);
  const interval = read(ATLAS_KEYS.retryIntervalMs);
  if (interval !== undefined) settings.retryIntervalMs = integer(ATLAS_KEYS.retryIntervalMs, interval, 0);
  const wait = read(ATLAS_KEYS.splitWaitSeconds);
  if (wait !== undefined) settings.splitWaitMs = integer(ATLAS_KEYS.splitWaitSeconds, wait, 1) * 1000;
  const disabled = read(ATLAS_KEYS.disabled);
  if (disabled !== undefined) settings.disabled = boolean(ATLAS_KEYS.disabled, disabled);
  const dlq = read(ATLAS_KEYS.dlqTopic);
  if (dlq !== undefined) settings.dlqTopic = topic(ATLAS_KEYS.dlqTopic, dlq);
  const session = read(ATLAS_KEYS.sessionTimeoutMs);
  if (session !== undefined) settings.sessionTimeoutMs = integer(ATLAS_KEYS.sessionTimeoutMs, session, 1);
  return settings;
}

function list(key: string, value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new HookConfigError(key, `empty entry in the list ${JSON.stringify(value)}`);
  return items;
}

function broker(key: string, value: string): string {
  const match = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(value);
  const port = match === null ? 0 : Number(match[1]);
  if (port < 1 || port > 65_535) throw new HookConfigError(key, `expected host:port, got ${JSON.stringify(value)}`);
  return value;
}

function topic(key: string, value: string): string {
  if (!TOPIC.test(value) || value === "." || value === "..") {
    throw new HookConfigError(key, `${JSON.stringify(value)} is not a valid Kafka topic name (letters, digits, '.', '_', '-')`);
  }
  return value;
}

function integer(key: string, value: string, min: number): number {
  if (!/^\d+$/.test(value)) throw new HookConfigError(key, `expected a whole number, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new HookConfigError(key, `expected a whole number ≥ ${min}, got ${value}`);
  return n;
}

function boolean(key: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw new HookConfigError(key, `expected true or false, got ${JSON.stringify(value)}`);
}

/** Checks settings given in code (not from properties); throws HookOptionsError. */
export function validateSettings(settings: HookConsumerSettings): void {
  if (settings.brokers.length === 0) throw new HookOptionsError("brokers", "at least one broker is needed");
  if (settings.topics.length === 0) throw new HookOptionsError("topics", "at least one topic is needed");
  if (settings.groupId === "") throw new HookOptionsError("groupId", "must not be empty");
  if (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 1) {
    throw new HookOptionsError("maxRetries", `must be an integer ≥ 1, got ${settings.maxRetries}`);
  }
  if (!(settings.retryIntervalMs >= 0)) throw new HookOptionsError("retryIntervalMs", `must be ≥ 0, got ${settings.retryIntervalMs}`);
  if (!(settings.splitWaitMs > 0)) throw new HookOptionsError("splitWaitMs", `must be > 0, got ${settings.splitWaitMs}`);
  if (!Number.isInteger(settings.sessionTimeoutMs) || settings.sessionTimeoutMs < 1) {
    throw new HookOptionsError("sessionTimeoutMs", `must be a positive integer, got ${settings.sessionTimeoutMs}`);
  }
}
