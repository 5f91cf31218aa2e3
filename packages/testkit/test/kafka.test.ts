import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { useKafka } from "../src/vitest.js";

const { Kafka, logLevel } = kafkajs;

// Real server: one Kafka broker (KRaft, broker+controller in one JVM) on a free port.
describe("a Kafka broker", () => {
  const kafka = useKafka({ partitions: 2 });

  it("lets a kafkajs producer and a consumer group exchange messages", async () => {
    const client = new Kafka({
      clientId: "testkit-test",
      brokers: [kafka().bootstrap],
      logLevel: logLevel.NOTHING,
    });
    await kafka().createTopic("exchange", 2);
    const producer = client.producer();
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => `message-${i}`);
    await producer.send({ topic: "exchange", messages: sent.map((value) => ({ value })) });
    await producer.disconnect();

    const consumer = client.consumer({ groupId: "testkit-group" });
    await consumer.connect();
    await consumer.subscribe({ topic: "exchange", fromBeginning: true });
    // Kafka delivers at least once: a rebalance while the group forms (two partitions, a
    // loaded machine) may hand a message over twice. Every message must arrive; duplicates
    // are allowed, nothing else.
    const received = new Set<string>();
    let done!: () => void;
    const allReceived = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.add(message.value!.toString());
        if (received.size === sent.length) done();
      },
    });
    const timeout = new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`only ${received.size} of ${sent.length} received`)),
        60_000,
      ),
    );
    await Promise.race([allReceived, timeout]);
    await consumer.disconnect();
    expect([...received].sort()).toEqual([...sent].sort());
  });

  it("is seen as unreachable while paused and serves again after resume", async () => {
    expect(await kafka().isServing()).toBe(true);
    kafka().pause();
    expect(await kafka().isServing(1000)).toBe(false);
    kafka().resume();
    await kafka().waitServing(30_000);
    expect(await kafka().isServing()).toBe(true);
  });

  it("keeps its topics across a restart on the same data", async () => {
    await kafka().createTopic("durable", 1);
    await kafka().restart();
    const admin = new Kafka({
      clientId: "testkit-test",
      brokers: [kafka().bootstrap],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toEqual(expect.arrayContaining(["durable", "exchange"]));
  });
});
