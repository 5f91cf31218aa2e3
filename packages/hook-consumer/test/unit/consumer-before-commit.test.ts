import { waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import {
  createHookConsumer,
  encodeHookMessage,
  type TopicPartitionOffset,
} from "../../src/index.js";
import { FakeKafka, settle } from "../helpers/fake-kafka.js";

// Group commit: the handler applies without making each message durable; beforeCommit makes
// everything handled durable before any offset is committed.

const value = (qn: string) =>
  encodeHookMessage(
    {
      type: "ENTITY_DELETE_V2",
      user: "hive",
      entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: qn } }],
    },
    { msgCreationTime: 1_700_000_000_000 },
  )[0] as string;

async function running(kafka: FakeKafka, consumer: ReturnType<typeof createHookConsumer>) {
  await consumer.start({ epoch: 1 });
  await waitFor(() => kafka.consumers.some((c) => c.running), {
    timeoutMs: 2000,
    what: "the fake consumer to run",
  });
  return kafka.current;
}

describe("beforeCommit (group commit)", () => {
  it("runs with the offsets about to be committed, after the handler and before the commit", async () => {
    const kafka = new FakeKafka();
    const events: string[] = [];
    const consumer = createHookConsumer({
      kafka,
      handler: async (m) => void events.push(`handled ${m.offset}`),
      beforeCommit: async (offsets: TopicPartitionOffset[]) => {
        events.push(
          `durable up to ${offsets.map((o) => o.offset).join(",")} (committed so far: ${kafka.commits.length})`,
        );
      },
    });
    const fake = await running(kafka, consumer);
    await fake.deliver([value("a@cm"), value("b@cm")], { firstOffset: 5 });
    expect(events).toEqual(["handled 5", "handled 6", "durable up to 7 (committed so far: 0)"]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("7");
    await consumer.stop();
  });

  it("commits nothing while it fails, and commits everything once it succeeds again", async () => {
    const kafka = new FakeKafka();
    let failing = true;
    const consumer = createHookConsumer({
      kafka,
      handler: async () => undefined,
      beforeCommit: () => {
        if (failing) throw new Error("disk full");
      },
    });
    const fake = await running(kafka, consumer);
    await fake.deliver([value("a@cm")], { firstOffset: 0 });
    expect(kafka.commits).toEqual([]);
    expect(consumer.metrics().processed).toBe(1);
    failing = false;
    await fake.deliver([value("b@cm")], { firstOffset: 1 });
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("2");
    await consumer.stop();
  });

  describe("a commit runs behind the batches that follow it", () => {
    /** A beforeCommit the test finishes: each call waits until `release()`. */
    function heldBeforeCommit() {
      const calls: string[][] = [];
      const waiting: (() => void)[] = [];
      return {
        calls,
        beforeCommit: (offsets: TopicPartitionOffset[]) => {
          calls.push(offsets.map((o) => o.offset));
          return new Promise<void>((resolve) => waiting.push(resolve));
        },
        release: () => {
          for (const resolve of waiting.splice(0)) resolve();
        },
      };
    }

    it("the next batch is handled while the previous batch's commit waits for beforeCommit", async () => {
      const kafka = new FakeKafka();
      const held = heldBeforeCommit();
      const handled: string[] = [];
      const consumer = createHookConsumer({
        kafka,
        handler: async (m) => void handled.push(m.offset),
        beforeCommit: held.beforeCommit,
      });
      const fake = await running(kafka, consumer);
      // The batch returns though its commit has not: kafkajs fetches the next one meanwhile.
      void fake.deliver([value("a@cm"), value("b@cm")], { firstOffset: 0 });
      await settle();
      expect(fake.batchesReturned).toBe(1);
      expect(held.calls).toEqual([["2"]]);
      await fake.deliver([value("c@cm")], { firstOffset: 2 });
      expect(handled).toEqual(["0", "1", "2"]);
      // Nothing reached Kafka before beforeCommit was done, and the second commit waits for
      // the first: Kafka never sees an older offset after a newer one.
      expect(kafka.commits).toEqual([]);
      expect(held.calls).toEqual([["2"]]);
      held.release();
      await settle();
      expect(held.calls).toEqual([["2"], ["3"]]);
      held.release();
      await settle();
      expect(kafka.commits.map((c) => c.map((o) => o.offset))).toEqual([["2"], ["3"]]);
      await consumer.stop();
    });

    it("stop() waits for the commit in flight, then commits what was handled after it", async () => {
      const kafka = new FakeKafka();
      const held = heldBeforeCommit();
      const consumer = createHookConsumer({
        kafka,
        handler: async () => undefined,
        beforeCommit: held.beforeCommit,
      });
      const fake = await running(kafka, consumer);
      void fake.deliver([value("a@cm")], { firstOffset: 0 });
      await settle();
      expect(fake.batchesReturned).toBe(1);
      await fake.deliver([value("b@cm")], { firstOffset: 1 });
      let stopped = false;
      const stopping = consumer.stop().then(() => {
        stopped = true;
      });
      await settle();
      expect(stopped).toBe(false);
      expect(kafka.commits).toEqual([]);
      held.release();
      await settle();
      held.release();
      await stopping;
      expect(kafka.commits.map((c) => c.map((o) => o.offset))).toEqual([["1"], ["2"]]);
      expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("2");
    });
  });
});
