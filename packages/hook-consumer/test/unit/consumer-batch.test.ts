import { waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import {
  createHookConsumer,
  encodeHookMessage,
  PermanentHookError,
  type FailedMessageRecord,
  type HookConsumerOptions,
  type HookMessage,
} from "../../src/index.js";
import { FakeKafka } from "../helpers/fake-kafka.js";

// handleBatch: consecutive messages of a partition applied at once (one store transaction in
// the server), all or none; a failing batch falls back to the handler, one message at a time.

const del = (qn: string) => ({
  type: "ENTITY_DELETE_V2",
  user: "hive",
  entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: qn } }],
});
const value = (qn: string) =>
  encodeHookMessage(del(qn), { msgCreationTime: 1_700_000_000_000 })[0] as string;
const qnOf = (m: HookMessage): string =>
  m.notification.type === "ENTITY_DELETE_V2"
    ? String(m.notification.entities[0]?.uniqueAttributes?.qualifiedName)
    : "?";

function setup(overrides: Partial<HookConsumerOptions> = {}) {
  const kafka = new FakeKafka();
  const failed: FailedMessageRecord[] = [];
  const batches: string[][] = [];
  const single: string[] = [];
  const consumer = createHookConsumer({
    kafka,
    retryIntervalMs: 1,
    maxRetries: 2,
    failedMessages: { write: async (r) => void failed.push(r) },
    handler: (m) => void single.push(qnOf(m)),
    handleBatch: (ms) => void batches.push(ms.map(qnOf)),
    ...overrides,
  });
  const started = async (epoch = 7) => {
    await consumer.start({ epoch });
    await waitFor(() => kafka.consumers.some((c) => c.running), {
      timeoutMs: 2000,
      what: "the fake consumer to run",
    });
    return kafka.current;
  };
  return { kafka, consumer, failed, batches, single, started };
}

describe("handleBatch: a Kafka batch's messages applied together", () => {
  it("hands consecutive messages over in order, at most batchMaxMessages at a time, then commits past them", async () => {
    const commitsSeen: number[] = [];
    const { kafka, consumer, batches, single, started } = setup({
      batchMaxMessages: 3,
      batchMaxMs: 60_000,
      beforeCommit: () => void commitsSeen.push(batches.length),
    });
    const fake = await started();
    await fake.deliver(
      ["a", "b", "c", "d", "e"].map((q) => value(`${q}@cm`)),
      {
        firstOffset: 20,
      },
    );
    expect(batches).toEqual([
      ["a@cm", "b@cm", "c@cm"],
      ["d@cm", "e@cm"],
    ]);
    expect(single).toEqual([]);
    // kafkajs is told each batch's last offset only (it keeps the last and parses each).
    expect(fake.resolved).toEqual(["22", "24"]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("25");
    // The commit came after both batches were applied.
    expect(commitsSeen).toEqual([2]);
    expect(consumer.metrics()).toMatchObject({ processed: 5, failed: 0 });
    await consumer.stop();
  });

  it("passes each message's position and the session's epoch", async () => {
    const seen: [string, string, number, number][] = [];
    const { consumer, started } = setup({
      handleBatch: (ms) => {
        for (const m of ms) seen.push([qnOf(m), m.offset, m.epoch, m.attempt]);
      },
    });
    const fake = await started(42);
    await fake.deliver([value("a@cm"), value("b@cm")], { firstOffset: 7 });
    expect(seen).toEqual([
      ["a@cm", "7", 42, 1],
      ["b@cm", "8", 42, 1],
    ]);
    await consumer.stop();
  });

  it("a batch with one bad message falls back to one by one: the others are applied, exactly that one goes to the failed log", async () => {
    const { kafka, consumer, failed, batches, single, started } = setup({
      handleBatch: (ms) => {
        batches.push(ms.map(qnOf));
        if (ms.some((m) => qnOf(m) === "bad@cm")) throw new Error("batch rolled back");
      },
      handler: (m) => {
        if (qnOf(m) === "bad@cm")
          throw new PermanentHookError("unknown type hive_dbx", { code: "STORE_UNKNOWN_TYPE" });
        single.push(qnOf(m));
      },
    });
    const fake = await started();
    await fake.deliver([value("a@cm"), value("bad@cm"), value("c@cm")], { firstOffset: 0 });
    expect(batches).toEqual([["a@cm", "bad@cm", "c@cm"]]);
    expect(single).toEqual(["a@cm", "c@cm"]);
    // One by one, each offset is resolved as its message is done.
    expect(fake.resolved).toEqual(["0", "1", "2"]);
    expect(failed.map((f) => [f.offset, f.code])).toEqual([["1", "STORE_UNKNOWN_TYPE"]]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("3");
    expect(consumer.metrics()).toMatchObject({ processed: 2, failed: 1 });
    await consumer.stop();
  });

  it("a fenced batch is refused as a whole: nothing committed, no fallback, the consumer stops", async () => {
    const { kafka, consumer, failed, single, started } = setup({
      handleBatch: () => {
        throw Object.assign(new Error("epoch 7 < 9"), { code: "STORE_FENCED" });
      },
    });
    const fenced: number[] = [];
    consumer.on("fenced", (e) => fenced.push(e.payload.epoch));
    const stopped = new Promise<void>((resolve) => consumer.on("stop", () => resolve()));
    const fake = await started(7);
    await fake.deliver([value("a@cm"), value("b@cm")], { firstOffset: 4 });
    await stopped;
    expect(fenced).toEqual([7]);
    expect(single).toEqual([]);
    expect(failed).toEqual([]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBeUndefined();
    expect(consumer.metrics()).toMatchObject({ state: "stopped", processed: 0 });
  });

  it("a malformed record between messages splits the batch and is committed in order", async () => {
    const { kafka, consumer, failed, batches, started } = setup();
    const fake = await started();
    await fake.deliver([value("a@cm"), "{not json", value("c@cm")], { firstOffset: 0 });
    expect(batches).toEqual([["a@cm"], ["c@cm"]]);
    expect(failed.map((f) => f.offset)).toEqual(["1"]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("3");
    await consumer.stop();
  });

  it("a split message completed by its last part joins the batch; commits wait for it as without batches", async () => {
    const { kafka, consumer, batches, single, started } = setup();
    const fake = await started();
    const parts = encodeHookMessage(
      { ...del("split@cm"), padding: "p".repeat(400) },
      { compression: "NONE", maxMessageBytes: 300, msgId: "m1" },
    );
    const last = parts.pop() as string;
    // All parts but the last, then an ordinary message: the parts are held, the message is
    // applied, the commit stays at the first held part.
    await fake.deliver([...parts, value("a@cm")], { firstOffset: 0 });
    expect(batches).toEqual([["a@cm"]]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("0");
    // The last part completes the message, which is applied in a batch with the next one.
    await fake.deliver([last, value("b@cm")], { firstOffset: parts.length + 1 });
    expect(batches).toEqual([["a@cm"], ["split@cm", "b@cm"]]);
    expect(single).toEqual([]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe(String(parts.length + 3));
    expect(consumer.metrics()).toMatchObject({ processed: 3, pendingSplits: 0, heldParts: 0 });
    await consumer.stop();
  });

  it("rejects bad batch options naming the option", () => {
    const kafka = new FakeKafka();
    const make = (o: Partial<HookConsumerOptions>) => () =>
      createHookConsumer({ kafka, handler: () => undefined, ...o });
    expect(make({ batchMaxMessages: 0 })).toThrow(
      expect.objectContaining({ name: "HookOptionsError", option: "batchMaxMessages" }),
    );
    expect(make({ handleBatch: 3 as unknown as HookConsumerOptions["handleBatch"] })).toThrow(
      expect.objectContaining({ name: "HookOptionsError", option: "handleBatch" }),
    );
  });
});
