import { waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import { createHookConsumer, encodeHookMessage } from "../../src/index.js";
import { FakeKafka } from "../helpers/fake-kafka.js";

const value = encodeHookMessage(
  {
    type: "ENTITY_DELETE_V2",
    user: "hive",
    entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: "a@cm" } }],
  },
  { msgCreationTime: 1_700_000_000_000 },
)[0] as string;

describe("a long batch and the rest of the process", () => {
  it("gives the event loop turns while a batch is handled, even when the handler resolves in microtasks only", async () => {
    const kafka = new FakeKafka();
    // Like a synchronous store behind an async API: 0.2 ms of work, then an already-resolved promise.
    const handler = async () => {
      const until = performance.now() + 0.2;
      while (performance.now() < until);
    };
    const consumer = createHookConsumer({ kafka, handler });
    await consumer.start({ epoch: 1 });
    await waitFor(() => kafka.consumers.some((c) => c.running), {
      timeoutMs: 2000,
      what: "the fake consumer to run",
    });
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    try {
      // 1,000 messages: at least 200 ms of handling in one batch.
      await kafka.current.deliver(Array<string>(1000).fill(value));
    } finally {
      clearInterval(ticker);
    }
    expect(consumer.metrics().processed).toBe(1000);
    // Timers (ZooKeeper heartbeats, HTTP, the election lease) ran during the batch.
    expect(turns).toBeGreaterThanOrEqual(3);
    await consumer.stop();
  });
});
