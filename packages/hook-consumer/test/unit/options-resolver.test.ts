// The one option resolver of createHookConsumer: unknown keys rejected, every default in one
// place, each bad value a HookOptionsError naming its option.
import { thrownBy, type CaughtError } from "@atlas-ha/testkit";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  createHookConsumer,
  DEFAULT_SETTINGS,
  type HookConsumerOptions,
  type KafkaClient,
} from "../../src/index.js";
import { resolveOptions } from "../../src/options.js";
import { FakeKafka, ManualClock } from "../helpers/fake-kafka.js";

// The default Kafka client is kafkajs: record what it is built with instead of building it.
const kafkajsClient = vi.hoisted(() =>
  vi.fn((): KafkaClient => ({ consumer: vi.fn(), producer: vi.fn() })),
);
vi.mock("../../src/kafka.js", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  kafkajsClient,
}));

const handler = () => undefined;

const optionError = (options: unknown) =>
  thrownBy(
    () => createHookConsumer(options as HookConsumerOptions),
    "createHookConsumer",
  ) as CaughtError & { option: string };

describe("createHookConsumer's option resolver", () => {
  beforeEach(() => kafkajsClient.mockClear());

  it("rejects an unknown option, naming it (a misspelling is not ignored in silence)", () => {
    const error = optionError({ handler, retryInterval: 5 });
    expect(error).toMatchObject({
      name: "HookOptionsError",
      code: "HOOK_OPTIONS_INVALID",
      option: "retryInterval",
    });
    expect(error.message).toContain("retryInterval");
    expect(error.message).toContain("retryIntervalMs");
    expect(optionError({ handler, kafka: new FakeKafka(), sessionTimeout: 6000 }).option).toBe(
      "sessionTimeout",
    );
  });

  it("fills in every default: Atlas's settings, then the options given in code only", () => {
    const resolved = resolveOptions({ handler });
    expect(resolved.settings).toEqual(DEFAULT_SETTINGS);
    expect(Object.isFrozen(resolved.settings)).toBe(true);
    expect(resolved).toMatchObject({
      handler,
      commitIntervalMs: 1000,
      stopTimeoutMs: 30_000,
      reconnectBackoffMs: 1000,
      maxDecompressedBytes: 256 * 1024 * 1024,
      beforeCommit: undefined,
    });
    expect(typeof resolved.clock.now()).toBe("number");
    expect(typeof resolved.failedMessages.write).toBe("function");
    expect(() => resolved.logger.error({ event: "x" })).not.toThrow();
    // The default client: kafkajs over the brokers, an idle fetch of 100 ms, the group session.
    expect(kafkajsClient).toHaveBeenCalledTimes(1);
    expect(kafkajsClient.mock.calls[0]).toEqual([
      {
        brokers: ["localhost:9092"],
        logger: resolved.logger,
        maxWaitTimeInMs: 100,
        sessionTimeoutMs: 10_000,
        security: { protocol: "PLAINTEXT" },
      },
    ]);
  });

  it("takes what is given, and an option given as undefined as absent", () => {
    const kafka = new FakeKafka();
    const clock = new ManualClock();
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const failedMessages = { write: async () => undefined };
    const beforeCommit = () => undefined;
    const resolved = resolveOptions({
      handler,
      kafka,
      clock,
      logger,
      failedMessages,
      beforeCommit,
      brokers: ["k1:9092"],
      topics: ["T"],
      groupId: "g",
      maxRetries: 5,
      retryIntervalMs: 0,
      splitWaitMs: 1,
      disabled: true,
      dlqTopic: "DLQ",
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 2000,
      requestTimeoutMs: 20_000,
      connectionTimeoutMs: 3000,
      rebalanceTimeoutMs: 90_000,
      security: { protocol: "SSL", tls: { verifyHostname: false } },
      commitIntervalMs: 0,
      stopTimeoutMs: 0,
      reconnectBackoffMs: 1,
      maxDecompressedBytes: 1024,
      fetchMaxWaitMs: 0,
      clientId: "atlas-1",
    });
    expect(resolved).toMatchObject({
      kafka,
      clock,
      logger,
      failedMessages,
      beforeCommit,
      commitIntervalMs: 0,
      stopTimeoutMs: 0,
      reconnectBackoffMs: 1,
      maxDecompressedBytes: 1024,
    });
    expect(resolved.settings).toEqual({
      brokers: ["k1:9092"],
      topics: ["T"],
      groupId: "g",
      maxRetries: 5,
      retryIntervalMs: 0,
      splitWaitMs: 1,
      disabled: true,
      dlqTopic: "DLQ",
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 2000,
      requestTimeoutMs: 20_000,
      connectionTimeoutMs: 3000,
      rebalanceTimeoutMs: 90_000,
      security: { protocol: "SSL", tls: { verifyHostname: false } },
    });
    expect(kafkajsClient).not.toHaveBeenCalled();

    expect(
      resolveOptions({ handler, maxRetries: undefined, logger: undefined, kafka: undefined })
        .settings.maxRetries,
    ).toBe(3);
    resolveOptions({ handler, clientId: "atlas-2", fetchMaxWaitMs: 250 });
    expect(kafkajsClient).toHaveBeenLastCalledWith(
      expect.objectContaining({ clientId: "atlas-2", maxWaitTimeInMs: 250 }),
    );
  });

  it.each([
    ["options", undefined],
    ["options", "handler"],
    ["handler", {}],
    ["handler", { handler: "apply" }],
    ["brokers", { handler, brokers: [] }],
    ["brokers", { handler, brokers: "localhost:9092" }],
    ["brokers[1]", { handler, brokers: ["k1:9092", ""] }],
    ["topics", { handler, topics: [] }],
    ["topics[0]", { handler, topics: [7] }],
    ["groupId", { handler, groupId: "" }],
    ["groupId", { handler, groupId: 1 }],
    ["maxRetries", { handler, maxRetries: 0 }],
    ["maxRetries", { handler, maxRetries: 1.5 }],
    ["retryIntervalMs", { handler, retryIntervalMs: -1 }],
    ["retryIntervalMs", { handler, retryIntervalMs: Number.NaN }],
    ["splitWaitMs", { handler, splitWaitMs: 0 }],
    ["disabled", { handler, disabled: "true" }],
    ["dlqTopic", { handler, dlqTopic: "" }],
    ["sessionTimeoutMs", { handler, sessionTimeoutMs: 0 }],
    ["heartbeatIntervalMs", { handler, heartbeatIntervalMs: 0.5 }],
    ["rebalanceTimeoutMs", { handler, rebalanceTimeoutMs: -1 }],
    ["security", { handler, security: { protocol: "TLS" } }],
    ["security.sasl", { handler, security: { protocol: "SASL_SSL" } }],
    ["clientId", { handler, clientId: "" }],
    ["kafka", { handler, kafka: {} }],
    ["failedMessages", { handler, failedMessages: "./failed.jsonl" }],
    ["clock", { handler, clock: { now: () => 0 } }],
    ["logger", { handler, logger: console.log }],
    ["beforeCommit", { handler, beforeCommit: true }],
    ["commitIntervalMs", { handler, commitIntervalMs: -1 }],
    ["stopTimeoutMs", { handler, stopTimeoutMs: "30s" }],
    ["reconnectBackoffMs", { handler, reconnectBackoffMs: Number.POSITIVE_INFINITY }],
    ["maxDecompressedBytes", { handler, maxDecompressedBytes: 0 }],
    ["fetchMaxWaitMs", { handler, fetchMaxWaitMs: 0.5 }],
  ])("a bad %s is a HookOptionsError naming it", (option, options) => {
    const error = optionError(options);
    expect(error.name).toBe("HookOptionsError");
    expect(error.code).toBe("HOOK_OPTIONS_INVALID");
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
  });
});
