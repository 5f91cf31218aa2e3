import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import { createHookConsumer, encodeHookMessage } from "../../src/index.js";
import { FakeKafka } from "../helpers/fake-kafka.js";

// A full collection before each reading, so the heap holds only what is still reachable.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const value = encodeHookMessage(
  {
    type: "ENTITY_DELETE_V2",
    user: "hive",
    entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: "a@cm" } }],
  },
  { msgCreationTime: 1_700_000_000_000 },
)[0] as string;

describe("a long-running consumer", () => {
  it("keeps nothing per handled message: 40,000 messages to an async handler leave the heap as it was", async () => {
    const kafka = new FakeKafka();
    const consumer = createHookConsumer({ kafka, handler: async () => undefined });
    await consumer.start({ epoch: 1 });
    await waitFor(() => kafka.consumers.some((c) => c.running), {
      timeoutMs: 2000,
      what: "the fake consumer to run",
    });
    const fake = kafka.current;
    let offset = 0;
    const deliver = async (count: number) => {
      for (let i = 0; i < count; i += 1000) {
        await fake.deliver(Array<string>(1000).fill(value), { firstOffset: offset });
        offset += 1000;
        fake.resolved.length = 0; // the fake's own record of resolved offsets
      }
    };
    await deliver(5000); // warm-up: code, caches
    gc();
    const before = process.memoryUsage().heapUsed;
    await deliver(40_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(consumer.metrics().processed).toBe(45_000);
    // Racing each handler against one session-long promise kept ~300 bytes per message (12 MB here).
    expect(grown).toBeLessThan(3 * 2 ** 20);
    await consumer.stop();
  });
});
