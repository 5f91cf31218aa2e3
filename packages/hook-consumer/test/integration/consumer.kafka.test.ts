import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@atlas-ha/testkit";
import { useKafka } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import {
  createHookConsumer,
  encodeHookMessage,
  fileFailedMessageSink,
  kafkajsClient,
  type HookConsumer,
  type HookConsumerOptions,
  type HookMessage,
} from "../../src/index.js";
import { committed, describeGroup, produce, readAll, unique } from "../helpers/kafka.js";

// Against a real Kafka 4.1 broker (KRaft, one per file, from the testkit); each test has its
// own topics and consumer group.

const del = (qn: string) => ({
  type: "ENTITY_DELETE_V2",
  user: "hive",
  entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: qn } }],
});
const value = (qn: string) => encodeHookMessage(del(qn))[0] as string;
const qnOf = (m: HookMessage) =>
  m.notification.type === "ENTITY_DELETE_V2"
    ? String(m.notification.entities[0]?.uniqueAttributes?.qualifiedName)
    : "?";

describe("hook consumer against a real Kafka broker", () => {
  const kafka = useKafka();
  const running: HookConsumer[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  function consumer(
    options: Partial<HookConsumerOptions> &
      Pick<HookConsumerOptions, "handler" | "groupId" | "topics">,
  ): HookConsumer {
    const c = createHookConsumer({
      // A short fetch wait keeps stop() quick when the topic is idle.
      kafka: kafkajsClient({ brokers: [kafka().bootstrap], maxWaitTimeInMs: 200 }),
      retryIntervalMs: 20,
      ...options,
    });
    running.push(c);
    return c;
  }

  it("handles every message once, in order within each partition, and commits them all", async () => {
    const topic = unique("order");
    const groupId = unique("group");
    await kafka().createTopic(topic, 3);
    for (let p = 0; p < 3; p++)
      await produce(
        kafka().bootstrap,
        topic,
        Array.from({ length: 10 }, (_, i) => value(`p${p}-${i}@cm`)),
        p,
      );
    const handled: HookMessage[] = [];
    const c = consumer({ groupId, topics: [topic], handler: (m) => void handled.push(m) });
    await c.start({ epoch: 1 });
    await waitFor(() => handled.length >= 30, { timeoutMs: 30_000, what: "30 messages" });
    await waitFor(
      async () =>
        Object.values(await committed(kafka().bootstrap, groupId, topic)).every((o) => o === "10"),
      {
        timeoutMs: 10_000,
        what: "offset 10 committed on each partition",
      },
    );
    expect(handled).toHaveLength(30);
    for (let p = 0; p < 3; p++) {
      const mine = handled.filter((m) => m.partition === p);
      expect(mine.map((m) => m.offset)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
      expect(mine.map(qnOf)).toEqual(Array.from({ length: 10 }, (_, i) => `p${p}-${i}@cm`));
    }
    expect(new Set(handled.map((m) => m.epoch))).toEqual(new Set([1]));
    expect(c.metrics()).toMatchObject({ processed: 30, failed: 0, totalLag: 0 });
  });

  it("after a failover the next consumer in the group continues from the last commit: nothing lost, nothing committed handled twice", async () => {
    const topic = unique("failover");
    const groupId = unique("group");
    await kafka().createTopic(topic, 1);
    await produce(
      kafka().bootstrap,
      topic,
      Array.from({ length: 20 }, (_, i) => value(`m${i}@cm`)),
    );
    const byA: string[] = [];
    const byB: string[] = [];
    let stopping: Promise<void> | undefined;
    const a: HookConsumer = consumer({
      groupId,
      topics: [topic],
      handler: (m) => {
        byA.push(qnOf(m));
        // The instance turns passive in the middle of the batch, as on a failover.
        if (byA.length === 8) stopping = a.stop();
      },
    });
    await a.start({ epoch: 1 });
    await waitFor(() => stopping !== undefined, {
      timeoutMs: 30_000,
      what: "A to stop after 8 messages",
    });
    await stopping;
    expect(byA).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}@cm`));
    expect(await committed(kafka().bootstrap, groupId, topic)).toEqual({ 0: "8" });

    const b = consumer({ groupId, topics: [topic], handler: (m) => void byB.push(qnOf(m)) });
    await b.start({ epoch: 2 });
    await waitFor(() => byB.length >= 12, { timeoutMs: 30_000, what: "B to handle the other 12" });
    await b.stop();
    expect(byB).toEqual(Array.from({ length: 12 }, (_, i) => `m${i + 8}@cm`));
    expect(await committed(kafka().bootstrap, groupId, topic)).toEqual({ 0: "20" });
  });

  it("a stop in the middle of a batch loses nothing: the next consumer gets exactly what was not committed", async () => {
    const topic = unique("midbatch");
    const groupId = unique("group");
    await kafka().createTopic(topic, 2);
    await produce(
      kafka().bootstrap,
      topic,
      Array.from({ length: 15 }, (_, i) => value(`x${i}@cm`)),
      0,
    );
    await produce(
      kafka().bootstrap,
      topic,
      Array.from({ length: 15 }, (_, i) => value(`y${i}@cm`)),
      1,
    );
    const byA: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = consumer({
      groupId,
      topics: [topic],
      handler: async (m) => {
        byA.push(qnOf(m));
        // The fifth message is slow: stop() arrives while it is in hand.
        if (byA.length === 5) await gate;
      },
    });
    await a.start({ epoch: 1 });
    await waitFor(() => byA.length === 5, {
      timeoutMs: 30_000,
      what: "A to be in the middle of a batch",
    });
    const stopping = a.stop();
    release();
    await stopping;
    expect(byA).toHaveLength(5);
    const offsets = await committed(kafka().bootstrap, groupId, topic);
    const committedCount =
      Number(offsets[0] === "-1" ? 0 : offsets[0]) + Number(offsets[1] === "-1" ? 0 : offsets[1]);
    expect(committedCount).toBe(5);

    const byB: string[] = [];
    const b = consumer({ groupId, topics: [topic], handler: (m) => void byB.push(qnOf(m)) });
    await b.start({ epoch: 2 });
    await waitFor(() => byB.length >= 25, {
      timeoutMs: 30_000,
      what: "B to handle the remaining 25",
    });
    await waitFor(
      async () => {
        const o = await committed(kafka().bootstrap, groupId, topic);
        return o[0] === "15" && o[1] === "15";
      },
      { timeoutMs: 10_000, what: "everything committed" },
    );
    expect(byB).toHaveLength(25);
    expect(new Set([...byA, ...byB]).size).toBe(30);
    expect(byA.filter((q) => byB.includes(q))).toEqual([]);
  });

  it("stop() while the group join waits for a dead member does not wait for that member's session to expire", async () => {
    // Right after a crash failover: the crashed active's Kafka member is still in the group,
    // so the coordinator holds the new active's JoinGroup until that member's session expires.
    // A SIGTERM to the new active in that window must not hold its hand-over that long.
    const topic = unique("deadjoin");
    const groupId = unique("group");
    await kafka().createTopic(topic, 1);
    const member = spawn(
      process.execPath,
      [
        new URL("../helpers/dead-member.mjs", import.meta.url).pathname,
        kafka().bootstrap,
        groupId,
        topic,
        "15000",
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let joined = false;
    member.stdout.on("data", (chunk: Buffer) => (joined ||= chunk.toString().includes("joined")));
    try {
      await waitFor(() => joined, { timeoutMs: 30_000, what: "the soon-dead member to join" });
    } finally {
      member.kill("SIGKILL");
    }
    await once(member, "exit");
    expect((await describeGroup(kafka().bootstrap, groupId)).members).toBe(1);

    const events: string[] = [];
    const b = consumer({ groupId, topics: [topic], handler: () => undefined });
    b.on("group_join", () => events.push("group_join"));
    await b.start({ epoch: 2 });
    // B's JoinGroup has reached the coordinator: the group is rebalancing.
    await waitFor(
      async () => (await describeGroup(kafka().bootstrap, groupId)).state === "PreparingRebalance",
      { timeoutMs: 30_000, what: "the rebalance B's join started" },
    );
    await b.stop();
    events.push("stopped");
    // The dead member was still there when stop() returned: it did not wait for the join.
    expect((await describeGroup(kafka().bootstrap, groupId)).members).toBeGreaterThanOrEqual(1);
    expect(events).toEqual(["stopped"]);
    expect(b.metrics().state).toBe("stopped");
  });

  it("a poison message goes to the failed-messages file and the dead-letter topic, and the stream continues", async () => {
    const topic = unique("poison");
    const dlq = unique("dlq");
    const groupId = unique("group");
    const dir = mkdtempSync(join(tmpdir(), "hook-failed-"));
    try {
      const file = join(dir, "logs", "failed.jsonl");
      await kafka().createTopic(topic, 1);
      await produce(kafka().bootstrap, topic, [
        value("before@cm"),
        '{"version":{"version":"1.0.0"},"message":',
        value("after@cm"),
      ]);
      const handled: string[] = [];
      const c = consumer({
        groupId,
        topics: [topic],
        dlqTopic: dlq,
        failedMessages: fileFailedMessageSink(file),
        handler: (m) => void handled.push(qnOf(m)),
      });
      await c.start({ epoch: 1 });
      await waitFor(() => handled.length >= 2, {
        timeoutMs: 30_000,
        what: "the two good messages",
      });
      await waitFor(async () => (await committed(kafka().bootstrap, groupId, topic))[0] === "3", {
        timeoutMs: 10_000,
        what: "commit past the poison",
      });
      expect(handled).toEqual(["before@cm", "after@cm"]);
      const lines = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        {
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          topic,
          partition: 0,
          offset: "1",
          code: "HOOK_BAD_JSON",
          reason: expect.stringContaining("not JSON"),
          value: '{"version":{"version":"1.0.0"},"message":',
        },
      ]);
      const [dead] = await readAll(kafka().bootstrap, dlq, 1);
      expect(dead?.value).toBe('{"version":{"version":"1.0.0"},"message":');
      expect(dead?.headers).toMatchObject({
        "atlas-hook-error-code": "HOOK_BAD_JSON",
        "atlas-hook-topic": topic,
        "atlas-hook-offset": "1",
      });
      expect(c.metrics()).toMatchObject({ processed: 2, failed: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a handler that fails twice then succeeds is retried and its message committed once", async () => {
    const topic = unique("retry");
    const groupId = unique("group");
    await kafka().createTopic(topic, 1);
    await produce(kafka().bootstrap, topic, [value("flaky@cm"), value("next@cm")]);
    const attempts: string[] = [];
    const c = consumer({
      groupId,
      topics: [topic],
      maxRetries: 3,
      handler: (m) => {
        attempts.push(`${qnOf(m)}#${m.attempt}`);
        if (qnOf(m) === "flaky@cm" && m.attempt < 3) throw new Error("SQLITE_BUSY");
      },
    });
    await c.start({ epoch: 1 });
    await waitFor(() => attempts.includes("next@cm#1"), {
      timeoutMs: 30_000,
      what: "the next message",
    });
    await waitFor(async () => (await committed(kafka().bootstrap, groupId, topic))[0] === "2", {
      timeoutMs: 10_000,
      what: "the commit",
    });
    expect(attempts).toEqual(["flaky@cm#1", "flaky@cm#2", "flaky@cm#3", "next@cm#1"]);
    expect(c.metrics()).toMatchObject({ processed: 2, retried: 2, failed: 0 });
  });

  it("split parts on two partitions are reassembled, even when the message straddles a failover", async () => {
    const topic = unique("split");
    const groupId = unique("group");
    await kafka().createTopic(topic, 2);
    const big = { ...del("split@cm"), padding: "z".repeat(5000) };
    const parts = encodeHookMessage(big, { compression: "NONE", maxMessageBytes: 1000 });
    expect(parts.length).toBeGreaterThan(3);
    // Part 0 and a plain message on partition 0; the other parts arrive later on partition 1.
    await produce(kafka().bootstrap, topic, [parts[0] as string, value("plain@cm")], 0);

    const byA: string[] = [];
    const a = consumer({ groupId, topics: [topic], handler: (m) => void byA.push(qnOf(m)) });
    const commits: string[] = [];
    a.on("commit", (e) =>
      commits.push(...e.payload.offsets.map((o) => `${o.partition}:${o.offset}`)),
    );
    await a.start({ epoch: 1 });
    await waitFor(() => byA.includes("plain@cm") && commits.length > 0, {
      timeoutMs: 30_000,
      what: "A to handle the plain message",
    });
    expect(a.metrics()).toMatchObject({ pendingSplits: 1, heldParts: 1 });
    // Held at part 0: committing past it would lose that slice on a failover.
    expect(await committed(kafka().bootstrap, groupId, topic)).toMatchObject({ 0: "0" });
    await a.stop();

    const byB: HookMessage[] = [];
    const b = consumer({ groupId, topics: [topic], handler: (m) => void byB.push(m) });
    await b.start({ epoch: 2 });
    await produce(kafka().bootstrap, topic, parts.slice(1).reverse(), 1);
    await waitFor(() => byB.some((m) => qnOf(m) === "split@cm"), {
      timeoutMs: 30_000,
      what: "B to reassemble the split message",
    });
    const split = byB.find((m) => qnOf(m) === "split@cm");
    expect([split?.partition, split?.offset, split?.envelope.splitCount]).toEqual([
      0,
      "0",
      parts.length,
    ]);
    expect(split?.notification).toMatchObject({ type: "ENTITY_DELETE_V2" });
    // The plain message was handled but not committed by A, so B sees it again (at-least-once).
    expect(byB.map(qnOf).sort()).toEqual(["plain@cm", "split@cm"]);
    await waitFor(
      async () => {
        const o = await committed(kafka().bootstrap, groupId, topic);
        return o[0] === "2" && o[1] === String(parts.length - 1);
      },
      { timeoutMs: 10_000, what: "both partitions committed past the split message" },
    );
  });
});
