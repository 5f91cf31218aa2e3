import { randomUUID } from "node:crypto";
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** A unique topic / group name per test, so tests share one broker without interfering. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

function client(bootstrap: string) {
  return new Kafka({
    clientId: "hook-consumer-test",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
}

/** Publishes values to one partition (or the default partitioner), as hooks publish: no key. */
export async function produce(
  bootstrap: string,
  topic: string,
  values: string[],
  partition?: number,
): Promise<void> {
  const producer = client(bootstrap).producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: values.map((value) => (partition === undefined ? { value } : { value, partition })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Runs `work` with a connected admin client, disconnected afterwards. */
async function withAdmin<T>(
  bootstrap: string,
  work: (admin: kafkajs.Admin) => Promise<T>,
): Promise<T> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The group's committed offset per partition ("-1": none). */
export function committed(
  bootstrap: string,
  groupId: string,
  topic: string,
): Promise<Record<number, string>> {
  return withAdmin(bootstrap, async (admin) => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
  });
}

/** The group as the coordinator reports it: its state ("Stable", "PreparingRebalance", "Empty" …) and how many members it lists. */
export function describeGroup(
  bootstrap: string,
  groupId: string,
): Promise<{ state: string; members: number }> {
  return withAdmin(bootstrap, async (admin) => {
    const { groups } = await admin.describeGroups([groupId]);
    return { state: groups[0]?.state ?? "Unknown", members: groups[0]?.members.length ?? 0 };
  });
}

/** Reads every record of a topic from the start (until `count` arrived). */
export async function readAll(
  bootstrap: string,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<{ value: string | null; headers: Record<string, string> }[]> {
  const consumer = client(bootstrap).consumer({ groupId: unique("reader"), maxWaitTimeInMs: 100 });
  const out: { value: string | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        out.push({
          value: message.value === null ? null : message.value.toString("utf8"),
          headers,
        });
        if (out.length >= count) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`only ${out.length} of ${count} records arrived in ${topic}`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return out;
  } finally {
    await consumer.disconnect();
  }
}
