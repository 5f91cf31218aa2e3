// Throughput of the hook consumer (no-op handler) next to a bare kafkajs consumer, on one real
// broker from the testkit and the same topic. Run: npm run bench -w @atlas-ha/hook-consumer
//   BENCH_MESSAGES (default 50000), BENCH_ROUNDS (default 3), BENCH_PARTITIONS (default 1).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { startKafka } from "@atlas-ha/testkit";
import kafkajs from "kafkajs";
import { createHookConsumer, encodeHookMessage, kafkajsClient } from "../src/index.js";

const { Kafka, logLevel } = kafkajs;

const N = Number(process.env.BENCH_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 1);
const TIMEOUT_MS = 300_000;

interface Run {
  /** Messages per second from the first message handled to the last. */
  steadyPerSec: number;
  /** Messages per second from start() (connect, join, fetch) to the last message handled. */
  totalPerSec: number;
  joinMs: number;
}

function body(i: number) {
  return {
    type: "ENTITY_CREATE_V2",
    user: "hive",
    entities: {
      referredEntities: {},
      entities: [
        {
          typeName: "hive_db",
          guid: `-${1_000_000 + i}`,
          attributes: {
            qualifiedName: `db_${i}@cm`,
            name: `db_${i}`,
            clusterName: "cm",
            owner: "hive",
            location: `hdfs://nn/warehouse/db_${i}`,
          },
        },
      ],
    },
  };
}

async function publish(bootstrap: string, topic: string): Promise<number> {
  const producer = new Kafka({
    clientId: "bench-producer",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  let bytes = 0;
  try {
    for (let start = 0; start < N; start += 1000) {
      const messages = [];
      for (let i = start; i < Math.min(N, start + 1000); i++) {
        const value = encodeHookMessage(body(i), {
          msgCreatedBy: "hive",
          msgSourceIP: "127.0.0.1",
        })[0] as string;
        bytes += value.length;
        messages.push({ value });
      }
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return bytes / N;
}

function timed(
  count: () => number,
  started: number,
  firstAt: () => number | undefined,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + TIMEOUT_MS;
    const poll = setInterval(() => {
      const now = performance.now();
      if (count() >= N) {
        clearInterval(poll);
        const first = firstAt() ?? started;
        resolve({
          steadyPerSec: Math.round(N / ((now - first) / 1000)),
          totalPerSec: Math.round(N / ((now - started) / 1000)),
          joinMs: Math.round(first - started),
        });
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`only ${count()} of ${N} messages in ${TIMEOUT_MS} ms`));
      }
    }, 5);
  });
}

async function bareKafkajs(
  bootstrap: string,
  topic: string,
  round: number,
  parse: boolean,
): Promise<Run> {
  const consumer = new Kafka({
    clientId: "bench-bare",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).consumer({
    groupId: `bench-bare-${round}-${Date.now()}`,
    maxWaitTimeInMs: 500,
  });
  let count = 0;
  let first: number | undefined;
  const started = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const done = timed(
    () => count,
    started,
    () => first,
  );
  // The usual kafkajs pattern: eachBatch, auto-resolve and auto-commit, no decoding.
  await consumer.run({
    eachBatch: async ({ batch }) => {
      first ??= performance.now();
      if (parse) for (const m of batch.messages) JSON.parse(m.value?.toString("utf8") ?? "null");
      count += batch.messages.length;
    },
  });
  const run = await done;
  await consumer.disconnect();
  return run;
}

async function hookConsumer(
  bootstrap: string,
  topic: string,
  round: number,
  asyncHandler: boolean,
): Promise<Run> {
  let count = 0;
  let first: number | undefined;
  const consumer = createHookConsumer({
    kafka: kafkajsClient({ brokers: [bootstrap], maxWaitTimeInMs: 500 }),
    groupId: `bench-hook-${round}-${Date.now()}`,
    topics: [topic],
    handler: asyncHandler
      ? async () => {
          first ??= performance.now();
          count++;
        }
      : () => {
          first ??= performance.now();
          count++;
        },
  });
  const started = performance.now();
  const done = timed(
    () => count,
    started,
    () => first,
  );
  await consumer.start({ epoch: 1 });
  const run = await done;
  await consumer.stop();
  const metrics = consumer.metrics();
  if (metrics.processed !== N || metrics.failed !== 0)
    throw new Error(`unexpected metrics ${JSON.stringify(metrics)}`);
  return run;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const broker = await startKafka({ heapMb: 1024 });
  try {
    const topic = `bench-${Date.now()}`;
    await broker.createTopic(topic, PARTITIONS);
    const t0 = performance.now();
    const avgBytes = await publish(broker.bootstrap, topic);
    const publishMs = performance.now() - t0;
    process.stdout.write(
      `published ${N} ENTITY_CREATE_V2 messages (${Math.round(avgBytes)} bytes each) in ${Math.round(publishMs)} ms\n`,
    );

    const BARE = "kafkajs (bare eachBatch)";
    const PARSE = "kafkajs + JSON.parse of each value";
    const HOOK = "@atlas-ha/hook-consumer (no-op handler)";
    const HOOK_ASYNC = "@atlas-ha/hook-consumer (async no-op handler)";
    const results: Record<string, Run[]> = {
      [BARE]: [],
      [PARSE]: [],
      [HOOK]: [],
      [HOOK_ASYNC]: [],
    };
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved so none always runs on a warmer broker / JIT.
      results[BARE]?.push(await bareKafkajs(broker.bootstrap, topic, round, false));
      results[PARSE]?.push(await bareKafkajs(broker.bootstrap, topic, round + 1000, true));
      results[HOOK]?.push(await hookConsumer(broker.bootstrap, topic, round, false));
      results[HOOK_ASYNC]?.push(await hookConsumer(broker.bootstrap, topic, round + 1000, true));
    }

    const rows = Object.entries(results).map(([name, runs]) => ({
      consumer: name,
      "msgs/s (steady)": median(runs.map((r) => r.steadyPerSec)),
      "msgs/s (incl. join)": median(runs.map((r) => r.totalPerSec)),
      "first message after (ms)": median(runs.map((r) => r.joinMs)),
    }));
    console.table(rows);
    // npm runs package scripts in the package folder.
    const out = join(process.cwd(), "bench", "results", "throughput.json");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          messages: N,
          partitions: PARTITIONS,
          rounds: ROUNDS,
          avgMessageBytes: Math.round(avgBytes),
          rows,
          runs: results,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`written ${out}\n`);
  } finally {
    await broker.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
