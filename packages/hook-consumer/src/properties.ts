// Atlas's configuration file → consumer settings: the property keys, Atlas's defaults (from
// DEFAULT_SETTINGS) and the parsing of each value, with a HookConfigError naming a bad key.
import { HookConfigError } from "./errors.js";
import { DEFAULT_SETTINGS, type HookConsumerSettings } from "./options.js";
import { kafkaSecurityFromProperties } from "./security.js";

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
  heartbeatIntervalMs: "atlas.kafka.heartbeat.interval.ms",
  requestTimeoutMs: "atlas.kafka.request.timeout.ms",
  connectionTimeoutMs: "atlas.kafka.socket.connection.setup.timeout.ms",
  rebalanceTimeoutMs: "atlas.kafka.max.poll.interval.ms",
});

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Maps a flat Atlas properties object to consumer settings. Absent keys take Atlas's
 * defaults, unknown keys are ignored, and a malformed value throws a HookConfigError
 * naming its key (docs/contracts/config.md).
 */
export function hookConsumerSettingsFromProperties(
  properties: Record<string, string | undefined>,
): HookConsumerSettings {
  const read = (key: string): string | undefined => {
    const value = properties[key];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
  };
  const settings: HookConsumerSettings = {
    ...DEFAULT_SETTINGS,
    brokers: [...DEFAULT_SETTINGS.brokers],
    topics: [...DEFAULT_SETTINGS.topics],
  };

  const brokers = read(ATLAS_KEYS.brokers);
  if (brokers !== undefined)
    settings.brokers = list(ATLAS_KEYS.brokers, brokers).map((b) => broker(ATLAS_KEYS.brokers, b));
  const groupId = read(ATLAS_KEYS.groupId);
  if (groupId !== undefined) settings.groupId = groupId;
  const topics = read(ATLAS_KEYS.topics);
  if (topics !== undefined)
    settings.topics = list(ATLAS_KEYS.topics, topics).map((t) => topic(ATLAS_KEYS.topics, t));
  const maxRetries = read(ATLAS_KEYS.maxRetries);
  if (maxRetries !== undefined) settings.maxRetries = integer(ATLAS_KEYS.maxRetries, maxRetries, 1);
  const interval = read(ATLAS_KEYS.retryIntervalMs);
  if (interval !== undefined)
    settings.retryIntervalMs = integer(ATLAS_KEYS.retryIntervalMs, interval, 0);
  const wait = read(ATLAS_KEYS.splitWaitSeconds);
  if (wait !== undefined)
    settings.splitWaitMs = integer(ATLAS_KEYS.splitWaitSeconds, wait, 1) * 1000;
  const disabled = read(ATLAS_KEYS.disabled);
  if (disabled !== undefined) settings.disabled = boolean(ATLAS_KEYS.disabled, disabled);
  const dlq = read(ATLAS_KEYS.dlqTopic);
  if (dlq !== undefined) settings.dlqTopic = topic(ATLAS_KEYS.dlqTopic, dlq);
  const session = read(ATLAS_KEYS.sessionTimeoutMs);
  if (session !== undefined)
    settings.sessionTimeoutMs = integer(ATLAS_KEYS.sessionTimeoutMs, session, 1);
  for (const name of [
    "heartbeatIntervalMs",
    "requestTimeoutMs",
    "connectionTimeoutMs",
    "rebalanceTimeoutMs",
  ] as const) {
    const value = read(ATLAS_KEYS[name]);
    if (value !== undefined) settings[name] = integer(ATLAS_KEYS[name], value, 1);
  }
  // Kafka refuses a heartbeat interval that is not below the session timeout.
  if (
    settings.heartbeatIntervalMs !== undefined &&
    settings.heartbeatIntervalMs >= settings.sessionTimeoutMs
  ) {
    throw new HookConfigError(
      ATLAS_KEYS.heartbeatIntervalMs,
      `must be lower than ${ATLAS_KEYS.sessionTimeoutMs} (${settings.sessionTimeoutMs})`,
    );
  }
  // `ssl.endpoint.identification.algorithm=` (empty) means something: read untrimmed too.
  settings.security = kafkaSecurityFromProperties(read, (key) => properties[key]);
  return settings;
}

function list(key: string, value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === ""))
    throw new HookConfigError(key, `empty entry in the list ${JSON.stringify(value)}`);
  return items;
}

function broker(key: string, value: string): string {
  const match = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(value);
  const port = match === null ? 0 : Number(match[1]);
  if (port < 1 || port > 65_535)
    throw new HookConfigError(key, `expected host:port, got ${JSON.stringify(value)}`);
  return value;
}

function topic(key: string, value: string): string {
  if (!TOPIC.test(value) || value === "." || value === "..") {
    throw new HookConfigError(
      key,
      `${JSON.stringify(value)} is not a valid Kafka topic name (letters, digits, '.', '_', '-')`,
    );
  }
  return value;
}

function integer(key: string, value: string, min: number): number {
  if (!/^\d+$/.test(value))
    throw new HookConfigError(key, `expected a whole number, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new HookConfigError(key, `expected a whole number ≥ ${min}, got ${value}`);
  return n;
}

function boolean(key: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw new HookConfigError(key, `expected true or false, got ${JSON.stringify(value)}`);
}
