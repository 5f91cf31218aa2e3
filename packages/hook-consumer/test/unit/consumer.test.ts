import { waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import {
  createHookConsumer,
  encodeHookMessage,
  hookConsumerActivationHandler,
  PermanentHookError,
  type FailedMessageRecord,
  type HookConsumerOptions,
  type HookMessage,
} from "../../src/index.js";
import { FakeKafka, ManualClock, settle } from "../helpers/fake-kafka.js";

// The consumer against an in-memory Kafka (test/helpers/fake-kafka.ts); the same behaviours
// run against a real broker in test/integration.

const del = (qn: string) => ({
  type: "ENTITY_DELETE_V2",
  user: "hive",
  entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: qn } }],
});
const value = (qn: string) =>
  encodeHookMessage(del(qn), { msgCreationTime: 1_700_000_000_000 })[0] as string;
const qnOf = (m: HookMessage): string | undefined =>
  m.notification.type === "ENTITY_DELETE_V2"
    ? String(m.notification.entities[0]?.uniqueAttributes?.qualifiedName)
    : undefined;

function setup(overrides: Partial<HookConsumerOptions> = {}) {
  const kafka = new FakeKafka();
  const failed: FailedMessageRecord[] = [];
  const handled: HookMessage[] = [];
  const consumer = createHookConsumer({
    kafka,
    retryIntervalMs: 1,
    failedMessages: { write: async (r) => void failed.push(r) },
    handler: (m) => void handled.push({ ...m }),
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
  return { kafka, consumer, failed, handled, started };
}

describe("the consumer hands each notification to the handler and commits after it", () => {
  it("subscribes to the topics from the earliest offset and passes notification, position and epoch", async () => {
    const { consumer, handled, started, kafka } = setup({ topics: ["ATLAS_HOOK", "OTHER"] });
    const fake = await started(42);
    expect(fake.subscribed).toEqual(["ATLAS_HOOK", "OTHER"]);
    expect(fake.fromBeginning).toBe(true);
    await fake.deliver([value("a@cm"), value("b@cm")], { firstOffset: 10 });
    expect(
      handled.map((m) => [qnOf(m), m.topic, m.partition, m.offset, m.epoch, m.attempt]),
    ).toEqual([
      ["a@cm", "ATLAS_HOOK", 0, "10", 42, 1],
      ["b@cm", "ATLAS_HOOK", 0, "11", 42, 1],
    ]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("12");
    expect(fake.resolved).toEqual(["10", "11"]);
    expect(consumer.metrics()).toMatchObject({
      state: "running",
      epoch: 42,
      received: 2,
      processed: 2,
      failed: 0,
    });
    await consumer.stop();
    expect(consumer.metrics().state).toBe("stopped");
  });

  it("commits a message only once the handler's promise has resolved", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { kafka, started, consumer } = setup({ handler: () => gate });
    const fake = await started();
    const batch = fake.deliver([value("a@cm")]);
    await settle();
    expect(kafka.commits).toEqual([]);
    release();
    await batch;
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
    await consumer.stop();
  });

  it("reports lag per partition from the batch's high watermark", async () => {
    const { started, consumer } = setup();
    const fake = await started();
    await fake.deliver([value("a@cm"), value("b@cm")], {
      partition: 3,
      firstOffset: 100,
      highWatermark: 150,
    });
    expect(consumer.metrics().lag).toEqual([
      { topic: "ATLAS_HOOK", partition: 3, highWatermark: "150", position: "102", lag: 48 },
    ]);
    expect(consumer.metrics().totalLag).toBe(48);
    await consumer.stop();
  });
});

describe("failures: retries, the failed-messages log and the dead-letter topic", () => {
  it("a handler that fails twice then succeeds is attempted three times and committed", async () => {
    const attempts: number[] = [];
    const { started, kafka, failed, consumer } = setup({
      maxRetries: 3,
      handler: (m) => {
        attempts.push(m.attempt);
        if (m.attempt < 3) throw new Error("database is locked");
      },
    });
    const retried: number[] = [];
    consumer.on("message_retried", (e) => retried.push(e.payload.attempt));
    const fake = await started();
    await fake.deliver([value("a@cm")]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(retried).toEqual([1, 2]);
    expect(failed).toEqual([]);
    expect(consumer.metrics()).toMatchObject({ processed: 1, retried: 2, failed: 0 });
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
    await consumer.stop();
  });

  it("waits retryIntervalMs between attempts", async () => {
    const clock = new ManualClock();
    const at: number[] = [];
    const { started, consumer } = setup({
      clock,
      retryIntervalMs: 500,
      handler: (m) => {
        at.push(clock.now());
        if (m.attempt < 3) throw new Error("transient");
      },
    });
    const fake = await started();
    const batch = fake.deliver([value("a@cm")]);
    await waitFor(() => at.length === 1, { timeoutMs: 2000, what: "the first attempt" });
    await clock.advance(499);
    expect(at).toHaveLength(1);
    await clock.advance(1);
    expect(at).toHaveLength(2);
    await clock.advance(500);
    await batch;
    expect(at).toEqual([0, 500, 1000]);
    await consumer.stop();
  });

  it("after maxRetries transient failures the message goes to the failed log and the stream moves on", async () => {
    const seen: string[] = [];
    const { started, kafka, failed, consumer } = setup({
      maxRetries: 2,
      handler: (m) => {
        seen.push(`${qnOf(m)}#${m.attempt}`);
        if (qnOf(m) === "bad@cm")
          throw Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
      },
    });
    const fake = await started();
    await fake.deliver([value("bad@cm"), value("good@cm")]);
    expect(seen).toEqual(["bad@cm#1", "bad@cm#2", "good@cm#1"]);
    expect(failed).toEqual([
      {
        timestamp: expect.any(String),
        topic: "ATLAS_HOOK",
        partition: 0,
        offset: "0",
        code: "SQLITE_IOERR",
        reason: "gave up after 2 attempts: disk I/O error",
        value: value("bad@cm"),
        attempts: 2,
      },
    ]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("2");
    await consumer.stop();
  });

  it("a store that is unavailable does not use up the message's attempts: it waits, with back-off, and the message is applied once the store is back", async () => {
    const clock = new ManualClock();
    let storeUp = false;
    const tries: number[] = [];
    const { started, kafka, failed, consumer } = setup({
      clock,
      maxRetries: 2,
      retryIntervalMs: 100,
      handler: () => {
        tries.push(clock.now());
        if (!storeUp)
          throw Object.assign(new Error("the database is unavailable: connect ECONNREFUSED"), {
            code: "STORE_UNAVAILABLE",
            unavailable: true,
          });
      },
    });
    const fake = await started();
    const batch = fake.deliver([value("a@cm")]);
    await waitFor(() => tries.length === 1, { timeoutMs: 2000, what: "the first try" });
    // Far more tries than maxRetries, 100, 200, 400, 800 … ms apart.
    for (const step of [100, 200, 400, 800, 1600]) await clock.advance(step);
    expect(tries).toEqual([0, 100, 300, 700, 1500, 3100]);
    expect(failed).toEqual([]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBeUndefined();
    storeUp = true;
    await clock.advance(3200);
    await batch;
    expect(tries).toHaveLength(7);
    expect(failed).toEqual([]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
    expect(consumer.metrics()).toMatchObject({ processed: 1, failed: 0 });
    await consumer.stop();
  });

  it("an error marked permanent is not retried", async () => {
    let calls = 0;
    const { started, failed, consumer } = setup({
      handler: (m) => {
        calls++;
        if (qnOf(m) === "a@cm")
          throw new PermanentHookError("unknown type hive_dbx", { code: "ATLAS-404-00-003" });
        throw Object.assign(new Error("bad attribute"), { permanent: true });
      },
    });
    const fake = await started();
    await fake.deliver([value("a@cm"), value("b@cm")]);
    expect(calls).toBe(2);
    expect(failed.map((f) => [f.code, f.reason, f.attempts])).toEqual([
      ["ATLAS-404-00-003", "unknown type hive_dbx", 1],
      ["HOOK_HANDLER_FAILED", "bad attribute", 1],
    ]);
    expect(consumer.metrics()).toMatchObject({ failed: 2, retried: 0, processed: 0 });
    await consumer.stop();
  });

  it("a malformed record goes to the failed log and the dead-letter topic with its raw value, then is committed", async () => {
    const { started, kafka, failed, handled, consumer } = setup({ dlqTopic: "ATLAS_HOOK_DLQ" });
    const events: FailedMessageRecord[] = [];
    consumer.on("message_failed", (e) => events.push(e.payload.record));
    const fake = await started();
    await fake.deliver([value("a@cm"), "{not json", null, value("b@cm")], { firstOffset: 5 });
    expect(handled.map(qnOf)).toEqual(["a@cm", "b@cm"]);
    expect(failed.map((f) => [f.offset, f.code, f.value])).toEqual([
      ["6", "HOOK_BAD_JSON", "{not json"],
      ["7", "HOOK_EMPTY_VALUE", null],
    ]);
    expect(events).toEqual(failed);
    expect(
      kafka.produced.map((p) => [
        p.topic,
        String(p.records[0]?.value),
        p.records[0]?.headers?.["atlas-hook-error-code"],
        p.records[0]?.headers?.["atlas-hook-offset"],
      ]),
    ).toEqual([
      ["ATLAS_HOOK_DLQ", "{not json", "HOOK_BAD_JSON", "6"],
      ["ATLAS_HOOK_DLQ", "null", "HOOK_EMPTY_VALUE", "7"],
    ]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("9");
    await consumer.stop();
  });

  it("a failing failed-messages sink is reported but does not stop the stream", async () => {
    const { started, handled, kafka, consumer } = setup({
      failedMessages: { write: async () => Promise.reject(new Error("ENOSPC")) },
    });
    const sinkErrors: string[] = [];
    consumer.on("sink_failed", (e) =>
      sinkErrors.push(`${e.payload.target}:${e.payload.error.message}`),
    );
    const fake = await started();
    await fake.deliver(["[]", value("b@cm")]);
    expect(sinkErrors).toEqual(["sink:ENOSPC"]);
    expect(handled.map(qnOf)).toEqual(["b@cm"]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("2");
    await consumer.stop();
  });
});

describe("split messages and commits", () => {
  const parts = (qn: string, msgId: string) =>
    encodeHookMessage(
      { ...del(qn), padding: "p".repeat(400) },
      { compression: "NONE", maxMessageBytes: 300, msgId },
    );

  it("parts on two partitions are reassembled; commits never pass a part still waiting for the rest", async () => {
    const { started, kafka, handled, consumer } = setup();
    const fake = await started();
    const [p0, ...rest] = parts("split@cm", "m1");
    const last = rest.pop() as string;
    expect(rest.length).toBeGreaterThan(0);
    // Parts 1.. first on partition 1, then part 0 and an ordinary message on partition 0.
    await fake.deliver(rest, { partition: 1, firstOffset: 40 });
    expect(kafka.committedOffset("ATLAS_HOOK", 1)).toBe("40");
    await fake.deliver([p0 as string, value("plain@cm")], { partition: 0, firstOffset: 10 });
    expect(handled.map(qnOf)).toEqual(["plain@cm"]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("10");
    expect(consumer.metrics()).toMatchObject({ pendingSplits: 1, heldParts: rest.length + 1 });
    const lastOffset = 40 + rest.length;
    await fake.deliver([last], { partition: 1, firstOffset: lastOffset });
    expect(handled.map(qnOf)).toEqual(["plain@cm", "split@cm"]);
    const split = handled[1];
    // Identity is part 0's record, whatever order the parts came in.
    expect([split?.partition, split?.offset]).toEqual([0, "10"]);
    expect(split?.parts).toEqual([
      { topic: "ATLAS_HOOK", partition: 0, offset: "10" },
      ...Array.from({ length: rest.length + 1 }, (_, i) => ({
        topic: "ATLAS_HOOK",
        partition: 1,
        offset: String(40 + i),
      })),
    ]);
    expect(split?.envelope).toMatchObject({ msgId: "m1", splitCount: rest.length + 2 });
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("12");
    expect(kafka.committedOffset("ATLAS_HOOK", 1)).toBe(String(lastOffset + 1));
    await consumer.stop();
  });

  it("a redelivered part of an assembled message is ignored, so the message is handled once", async () => {
    const { started, handled, consumer } = setup();
    const fake = await started();
    const values = parts("once@cm", "m2");
    await fake.deliver(values);
    await fake.deliver([values[0] as string], { firstOffset: values.length });
    expect(handled.map(qnOf)).toEqual(["once@cm"]);
    expect(consumer.metrics().duplicateParts).toBe(1);
    await consumer.stop();
  });

  it("an incomplete set is dropped after the wait on the injected clock, logged, and the commit moves on", async () => {
    const clock = new ManualClock();
    const { started, kafka, failed, consumer } = setup({ clock, splitWaitMs: 60_000 });
    const dropped: string[] = [];
    consumer.on("split_dropped", (e) =>
      dropped.push(`${e.payload.msgId}:${e.payload.received}/${e.payload.count}`),
    );
    const fake = await started();
    const values = parts("lost@cm", "m3");
    await fake.deliver([values[0] as string, value("after@cm")]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("0");
    await clock.advance(59_000);
    expect(failed).toEqual([]);
    await clock.advance(1_001);
    await waitFor(() => kafka.committedOffset("ATLAS_HOOK", 0) === "2", {
      timeoutMs: 2000,
      what: "the commit past the dropped part",
    });
    expect(dropped).toEqual([`m3:1/${values.length}`]);
    expect(failed.map((f) => [f.offset, f.code, f.msgId])).toEqual([
      ["0", "HOOK_SPLIT_INCOMPLETE", "m3"],
    ]);
    expect(consumer.metrics()).toMatchObject({ droppedSplits: 1, pendingSplits: 0, failed: 1 });
    await consumer.stop();
  });

  it("after a rebalance the held parts are forgotten: the client reads them again from the commit", async () => {
    const { started, handled, consumer } = setup();
    const fake = await started();
    const values = parts("rebalanced@cm", "m4");
    await fake.deliver([values[0] as string]);
    fake.rejoin();
    expect(consumer.metrics().pendingSplits).toBe(0);
    await fake.deliver(values);
    expect(handled.map(qnOf)).toEqual(["rebalanced@cm"]);
    await consumer.stop();
  });
});

describe("stop and start follow the HA state", () => {
  it("a stop in the middle of a batch finishes the message in hand, commits it, and handles nothing more", async () => {
    const seen: string[] = [];
    let stopping: Promise<void> | undefined;
    const ctx = setup({
      handler: (m) => {
        seen.push(qnOf(m) ?? "");
        if (qnOf(m) === "b@cm") stopping = ctx.consumer.stop();
      },
    });
    const stops: boolean[] = [];
    ctx.consumer.on("stop", (e) => stops.push(e.payload.abandoned));
    const fake = await ctx.started();
    await fake.deliver(["a", "b", "c", "d"].map((q) => value(`${q}@cm`)));
    await stopping;
    expect(seen).toEqual(["a@cm", "b@cm"]);
    expect(fake.resolved).toEqual(["0", "1"]);
    expect(ctx.kafka.committedOffset("ATLAS_HOOK", 0)).toBe("2");
    expect(fake.running).toBe(false);
    expect(stops).toEqual([false]);
  });

  it("a stop while the group join is still pending resolves at once; the client leaves behind, and a new start works", async () => {
    // Right after a crash failover the coordinator holds the new member's join until the
    // dead member's Kafka session expires: stop() must not hold the instance's hand-over
    // for that long when nothing was handled.
    const { consumer, kafka, handled } = setup();
    kafka.holdJoins = true;
    const stops: boolean[] = [];
    consumer.on("stop", (e) => stops.push(e.payload.abandoned));
    await consumer.start({ epoch: 3 });
    await waitFor(() => kafka.consumers[0]?.joinPending === true, {
      timeoutMs: 2000,
      what: "the pending join",
    });
    const first = kafka.consumers[0]!;
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    try {
      await waitFor(() => stopped, {
        timeoutMs: 2000,
        what: "stop() to resolve while the join is pending",
      });
    } finally {
      if (!stopped) {
        first.releaseJoin();
        await stopping;
      }
    }
    expect(stops).toEqual([false]);
    expect(consumer.metrics().state).toBe("stopped");
    // The client is still leaving: its disconnect waits for the join.
    await waitFor(() => first.disconnecting, { timeoutMs: 2000, what: "the disconnect" });
    expect(first.joinPending).toBe(true);
    first.releaseJoin();
    await waitFor(() => !first.running, { timeoutMs: 2000, what: "the old client to leave" });
    // A batch the released join could have brought is not handled by a stopped session.
    expect(handled).toEqual([]);
    expect(kafka.commits).toEqual([]);
    kafka.holdJoins = false;
    await consumer.start({ epoch: 4 });
    await waitFor(() => kafka.consumers.length === 2 && kafka.consumers[1]!.running, {
      timeoutMs: 2000,
      what: "the new client",
    });
    await kafka.consumers[1]!.deliver([value("a@cm")]);
    expect(handled.map((m) => [qnOf(m), m.epoch])).toEqual([["a@cm", 4]]);
    await consumer.stop();
  });

  it("a stop after the join still waits for the client to leave the group", async () => {
    const { consumer, kafka } = setup();
    kafka.holdJoins = true;
    await consumer.start({ epoch: 3 });
    await waitFor(() => kafka.consumers[0]?.joinPending === true, {
      timeoutMs: 2000,
      what: "the pending join",
    });
    const fake = kafka.consumers[0]!;
    fake.releaseJoin();
    await fake.deliver([value("a@cm")]);
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await stopping;
    expect(stopped).toBe(true);
    expect(fake.running).toBe(false);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
  });

  it("stop() waits for the handler in hand before it resolves", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { consumer, kafka, started } = setup({ handler: () => gate });
    const fake = await started();
    void fake.deliver([value("a@cm"), value("b@cm")]);
    await settle();
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
  });

  it("a handler that outlives stopTimeoutMs is abandoned uncommitted", async () => {
    const clock = new ManualClock();
    const { consumer, kafka, started } = setup({
      clock,
      stopTimeoutMs: 5_000,
      handler: () => new Promise<void>(() => undefined),
    });
    const abandoned: boolean[] = [];
    consumer.on("stop", (e) => abandoned.push(e.payload.abandoned));
    const fake = await started();
    void fake.deliver([value("stuck@cm")]);
    await settle();
    let stopped = false;
    void consumer.stop().then(() => (stopped = true));
    // Time moves on until stop() gives up on the handler (it never resolves).
    await waitFor(
      async () => {
        await clock.advance(1_000);
        return stopped;
      },
      { timeoutMs: 5_000, what: "stop() to abandon the handler" },
    );
    expect(clock.now()).toBeGreaterThanOrEqual(5_000);
    expect(abandoned).toEqual([true]);
    expect(kafka.commits).toEqual([]);
    expect(fake.resolved).toEqual([]);
  });

  it("a slow handler is kept in the group by heartbeats every few seconds", async () => {
    const clock = new ManualClock();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { consumer, kafka, started } = setup({ clock, handler: () => gate });
    const fake = await started();
    const batch = fake.deliver([value("slow@cm")]);
    await settle();
    await clock.advance(10_000);
    expect(fake.heartbeats).toBeGreaterThanOrEqual(3);
    release();
    await batch;
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
    await consumer.stop();
  });

  it("a stop during the wait between attempts abandons the message: not failed, not committed", async () => {
    const clock = new ManualClock();
    let attempts = 0;
    const { consumer, kafka, failed, started } = setup({
      clock,
      retryIntervalMs: 10_000,
      handler: () => {
        attempts++;
        throw new Error("store unavailable");
      },
    });
    const fake = await started();
    void fake.deliver([value("a@cm")]);
    await waitFor(() => attempts === 1, { timeoutMs: 2000, what: "the first attempt" });
    await consumer.stop();
    expect(attempts).toBe(1);
    expect(failed).toEqual([]);
    expect(kafka.commits).toEqual([]);
  });

  it("a fenced write leaves the message uncommitted and stops consuming", async () => {
    const { consumer, kafka, failed, started } = setup({
      handler: (m) => {
        if (qnOf(m) === "b@cm")
          throw Object.assign(new Error("epoch 7 < 9"), { code: "STORE_FENCED" });
      },
    });
    const fenced: number[] = [];
    consumer.on("fenced", (e) => fenced.push(e.payload.epoch));
    const stopped = new Promise<void>((resolve) => consumer.on("stop", () => resolve()));
    const fake = await started(7);
    await fake.deliver([value("a@cm"), value("b@cm"), value("c@cm")]);
    await stopped;
    expect(fenced).toEqual([7]);
    expect(failed).toEqual([]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("1");
    expect(consumer.metrics().state).toBe("stopped");
  });

  it("start after stop uses a new consumer in the same group with the new epoch", async () => {
    const { consumer, kafka, handled, started } = setup();
    const first = await started(1);
    await first.deliver([value("a@cm")]);
    await consumer.stop();
    const second = await started(2);
    expect(second).not.toBe(first);
    await second.deliver([value("b@cm")], { firstOffset: 1 });
    expect(handled.map((m) => [qnOf(m), m.epoch])).toEqual([
      ["a@cm", 1],
      ["b@cm", 2],
    ]);
    expect(kafka.committedOffset("ATLAS_HOOK", 0)).toBe("2");
    await consumer.stop();
  });

  it("a failed connect is reported and tried again after the back-off", async () => {
    const clock = new ManualClock();
    const { consumer, kafka } = setup({ clock, reconnectBackoffMs: 1000 });
    kafka.failConnects = 1;
    const failures: number[] = [];
    consumer.on("connect_failed", (e) => failures.push(e.payload.retryInMs));
    await consumer.start({ epoch: 1 });
    await waitFor(() => failures.length === 1, { timeoutMs: 2000, what: "the connect failure" });
    expect(kafka.consumers.some((c) => c.running)).toBe(false);
    await clock.advance(1000);
    await waitFor(() => kafka.consumers.some((c) => c.running), {
      timeoutMs: 2000,
      what: "the second connect",
    });
    expect(failures).toEqual([1000]);
    await consumer.stop();
  });

  it("a fatal client crash makes the consumer reconnect while it is active", async () => {
    const clock = new ManualClock();
    const { consumer, kafka, started } = setup({ clock, reconnectBackoffMs: 100 });
    const crashes: boolean[] = [];
    consumer.on("crash", (e) => crashes.push(e.payload.restarting));
    const first = await started();
    first.crash(new Error("KafkaJSNonRetriableError"), false);
    await waitFor(() => !first.running, {
      timeoutMs: 2000,
      what: "the crashed client to be closed",
    });
    await clock.advance(100);
    await waitFor(() => kafka.consumers.length === 2 && kafka.consumers[1]?.running, {
      timeoutMs: 2000,
      what: "a new client",
    });
    expect(crashes).toEqual([false]);
    await consumer.stop();
  });

  it("when disabled, start does not consume at all", async () => {
    const { consumer, kafka } = setup({ disabled: true });
    await consumer.start({ epoch: 1 });
    expect(kafka.consumers).toEqual([]);
    expect(consumer.metrics().state).toBe("disabled");
    await consumer.stop();
  });

  it("as an activation handler it is named hook-consumer, starts with the epoch and stops on passive", async () => {
    const { consumer, kafka, handled } = setup();
    const handler = hookConsumerActivationHandler(consumer);
    expect(handler.name).toBe("hook-consumer");
    await handler.instanceIsActive({ epoch: 99 });
    await waitFor(() => kafka.consumers.some((c) => c.running), {
      timeoutMs: 2000,
      what: "the consumer to run",
    });
    await kafka.current.deliver([value("a@cm")]);
    expect(handled[0]?.epoch).toBe(99);
    await handler.instanceIsPassive();
    expect(consumer.metrics().state).toBe("stopped");
    expect(kafka.consumers.every((c) => !c.running)).toBe(true);
  });

  it("event subscriptions return an unsubscribe function", async () => {
    const { consumer, started } = setup();
    const starts: number[] = [];
    const off = consumer.on("start", (e) => starts.push(e.payload.epoch));
    await started(1);
    await consumer.stop();
    off();
    await started(2);
    await consumer.stop();
    expect(starts).toEqual([1]);
  });

  it("a start with a non-numeric epoch is refused with a typed error", async () => {
    const { consumer } = setup();
    await expect(consumer.start({ epoch: Number.NaN })).rejects.toMatchObject({
      name: "HookOptionsError",
      code: "HOOK_OPTIONS_INVALID",
    });
  });
});
