import { waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import {
  createHookConsumer,
  encodeHookMessage,
  type FailedMessageRecord,
  type HookMessage,
} from "../../src/index.js";
import { FakeKafka, ManualClock } from "../helpers/fake-kafka.js";

// Hostile records through the whole consumer (in-memory Kafka): each ends in the failed log
// with what is needed to republish it, and the records after it are handled and committed.

const del = (qn: string) => ({
  type: "ENTITY_DELETE_V2",
  user: "hive",
  entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: qn } }],
});
const value = (qn: string) => encodeHookMessage(del(qn))[0] as string;
const version = { version: "1.0.0", versionParts: [1] };

function setup(clock = new ManualClock()) {
  const kafka = new FakeKafka();
  const failed: FailedMessageRecord[] = [];
  const handled: HookMessage[] = [];
  const consumer = createHookConsumer({
    kafka,
    clock,
    splitWaitMs: 10_000,
    retryIntervalMs: 1,
    failedMessages: { write: async (r) => void failed.push(r) },
    handler: (m) => void handled.push(m),
  });
  const started = async () => {
    await consumer.start({ epoch: 1 });
    await waitFor(() => kafka.consumers.some((c) => c.running), {
      timeoutMs: 2000,
      what: "the fake consumer to run",
    });
    return kafka.current;
  };
  return { kafka, consumer, failed, handled, started, clock };
}

describe("hostile records through the consumer", () => {
  it("a value that is not UTF-8 is failed with its exact bytes in valueBase64, and the stream goes on", async () => {
    const { started, failed, handled, kafka, consumer } = setup();
    const fake = await started();
    const raw = Buffer.concat([
      Buffer.from('{"type":"ENTITY_DELETE_V2","x":"'),
      Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
    await fake.deliver([value("a@cm"), raw, value("b@cm")]);
    expect(handled.map((m) => m.offset)).toEqual(["0", "2"]);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      offset: "1",
      code: "HOOK_BAD_JSON",
      valueBase64: raw.toString("base64"),
    });
    expect(Buffer.from(failed[0]!.valueBase64!, "base64").equals(raw)).toBe(true);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("3");
    await consumer.stop();
  });

  it("a part claiming 2^31 parts holds one record until the wait is over, then is failed and committed past", async () => {
    const { started, failed, handled, kafka, consumer, clock } = setup();
    const fake = await started();
    const huge = JSON.stringify({
      version,
      msgId: "huge",
      msgCompressionKind: "NONE",
      msgSplitIdx: 0,
      msgSplitCount: 2 ** 31,
      message: "AAAA",
    });
    await fake.deliver([value("a@cm"), huge, value("b@cm")]);
    expect(handled.map((m) => m.offset)).toEqual(["0", "2"]);
    expect(consumer.metrics()).toMatchObject({ pendingSplits: 1, heldParts: 1 });
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
    await clock.advance(10_001);
    await waitFor(() => kafka.committedOffset("ATLAS_HOOK", 0) === "3", {
      timeoutMs: 2000,
      what: "the commit past the dropped part",
    });
    expect(failed.map((f) => [f.offset, f.code, f.msgId])).toEqual([
      ["1", "HOOK_SPLIT_INCOMPLETE", "huge"],
    ]);
    expect(consumer.metrics()).toMatchObject({ pendingSplits: 0, heldParts: 0, droppedSplits: 1 });
    await consumer.stop();
  });

  it("V1 values nested 100,000 deep are failed as HOOK_LIMIT_EXCEEDED, not thrown into the batch", async () => {
    const { started, failed, handled, kafka, consumer } = setup();
    const fake = await started();
    const deep = `{"type":"ENTITY_CREATE","entities":[{"typeName":"hive_db","values":{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}}]}`;
    await fake.deliver([deep, value("b@cm")]);
    expect(handled.map((m) => m.offset)).toEqual(["1"]);
    expect(failed.map((f) => [f.offset, f.code])).toEqual([["0", "HOOK_LIMIT_EXCEEDED"]]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("2");
    await consumer.stop();
  });
});
