import { describe, expect, it } from "vitest";
import {
  ATLAS_KEYS,
  createHookConsumer,
  hookConsumerSettingsFromProperties,
} from "../../src/index.js";

describe("Atlas properties map to consumer settings (docs/contracts/config.md)", () => {
  it("an empty file gives Atlas's defaults", () => {
    expect(hookConsumerSettingsFromProperties({})).toEqual({
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
      security: { protocol: "PLAINTEXT" },
    });
  });

  it("every key is read, lists are split on commas, seconds become ms, booleans ignore case; unknown keys are ignored", () => {
    expect(
      hookConsumerSettingsFromProperties({
        "atlas.kafka.bootstrap.servers": "k1:9092, k2:9093",
        "atlas.kafka.hook.group.id": "atlas-ha",
        "atlas.notification.hook.consumer.topic.names": "ATLAS_HOOK,ATLAS_HOOK_2",
        "atlas.notification.hook.maxretries": "5",
        "atlas.notification.consumer.retry.interval": "250",
        "atlas.notification.split.message.segments.wait.time.seconds": "60",
        "atlas.notification.consumer.disabled": "True",
        "atlas.notification.hook.dlq.topic": "ATLAS_HOOK_DLQ",
        "atlas.kafka.session.timeout.ms": "6000",
        "atlas.server.http.port": "21000",
      }),
    ).toEqual({
      brokers: ["k1:9092", "k2:9093"],
      groupId: "atlas-ha",
      topics: ["ATLAS_HOOK", "ATLAS_HOOK_2"],
      maxRetries: 5,
      retryIntervalMs: 250,
      splitWaitMs: 60_000,
      disabled: true,
      dlqTopic: "ATLAS_HOOK_DLQ",
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: undefined,
      requestTimeoutMs: undefined,
      connectionTimeoutMs: undefined,
      rebalanceTimeoutMs: undefined,
      security: { protocol: "PLAINTEXT" },
    });
  });

  it.each([
    [ATLAS_KEYS.sessionTimeoutMs, "10s"],
    [ATLAS_KEYS.brokers, "localhost"],
    [ATLAS_KEYS.brokers, "a:9092,,b:9092"],
    [ATLAS_KEYS.topics, "ATLAS HOOK"],
    [ATLAS_KEYS.maxRetries, "three"],
    [ATLAS_KEYS.maxRetries, "0"],
    [ATLAS_KEYS.retryIntervalMs, "-1"],
    [ATLAS_KEYS.splitWaitSeconds, "1.5"],
    [ATLAS_KEYS.disabled, "yes"],
    [ATLAS_KEYS.dlqTopic, "dlq/topic"],
    [ATLAS_KEYS.heartbeatIntervalMs, "3s"],
    [ATLAS_KEYS.requestTimeoutMs, "0"],
    [ATLAS_KEYS.connectionTimeoutMs, "-5"],
    [ATLAS_KEYS.rebalanceTimeoutMs, "1e6"],
  ])("a malformed %s (%j) throws a HookConfigError naming the key", (key, bad) => {
    let caught: unknown;
    try {
      hookConsumerSettingsFromProperties({ [key]: bad });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: "HookConfigError", code: "HOOK_CONFIG_INVALID", key });
    expect((caught as Error).message).toContain(key);
  });

  it("the settings feed createHookConsumer as they are", () => {
    const settings = hookConsumerSettingsFromProperties({
      "atlas.notification.hook.maxretries": "2",
    });
    const consumer = createHookConsumer({ ...settings, handler: () => undefined });
    expect(consumer.settings).toEqual(settings);
  });

  it("invalid options in code throw a HookOptionsError naming the option", () => {
    expect(() => createHookConsumer({ handler: () => undefined, maxRetries: 0 })).toThrow(
      expect.objectContaining({ name: "HookOptionsError", option: "maxRetries" }),
    );
  });
});
