import { waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import {
  createHookConsumer,
  encodeHookMessage,
  type TopicPartitionOffset,
} from "../../src/index.js";
import { FakeKafka } from "../helpers/fake-kafka.js";

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
});
