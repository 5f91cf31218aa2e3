import { randomUUID } from "node:crypto";
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** A unique topic / group name per test, so tests share one broker without interfering. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

function client(bootstrap: string) {
  return new Kafka({ clientId: "hook-consumer-test", brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

/** Publishes values to one partition (or the default partitioner), as hooks publish: no key. */
export async function produce(bootstrap: string, topic: string, values: string[], partition?: number): Promise<void> {
  const producer = client(bootstrap).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => (partition === undefined ? { value } : { value, partition })) });
  } finally {
    await producer.disconnect();
  }
}

/** The group's committed offset per partition ("-1": none). */
export async function committed(bootstrap: string, groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** The group's state as the coordinator reports it ("Stable", "PreparingRebalance", "Empty" …). */
export async function groupState(bootstrap: string, groupId: string): Promise<string> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.state ?? "Unknown";
  } finally {
    await admin.disconnect();
  }
}

/** How many members the coordinator lists for the group. */
export async function groupMembers(bootstrap: string, groupId: string): Promise<number> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

/** Reads every record of a topic from the start (until `count` arrived). */
export async function readAll(bootstrap: string, topic: string, count: number, timeoutMs = 30_000): Promise<{ value: string | null; headers: Record<string, string> }[]> {
  const consumer = client(bootstrap).consumer({ groupId: unique("reader"), maxWaitTimeInMs: 100 });
  const out: { value: string | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        out.push({ value: message.value === null ? null : message.value.toString("utf8"), headers });
        if (out.length >= count) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`only ${out.length} of ${count} records arrived in ${topic}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return out;
  } finally {
    await consumer.disconnect();
  }
}
