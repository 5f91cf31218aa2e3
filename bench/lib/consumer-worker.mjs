// The baselines of figure 5, in a process of their own as the server is: a bare kafkajs
// consumer with a no-op eachBatch handler, or @atlas-ha/hook-consumer (decode, offsets)
// with a no-op handler, reading the whole topic from the beginning in a new group.
// argv: kind ("kafkajs" | "hook-consumer"), bootstrap, topic, expected message count.
// Answers { perSec, firstAfterMs } over IPC.
import { createHookConsumer, kafkajsClient } from "@atlas-ha/hook-consumer";
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;
const [kind, bootstrap, topic, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
const groupId = `bench-${kind}-${process.pid}-${Date.now()}`;
let count = 0;
let first;
const started = performance.now();
const done = new Promise((resolve) => {
  const check = setInterval(() => {
    if (count >= expected) {
      clearInterval(check);
      resolve(performance.now());
    }
  }, 2);
});

let stop;
if (kind === "kafkajs") {
  const consumer = new Kafka({
    clientId: "bench-bare",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      first ??= performance.now();
      count += batch.messages.length;
    },
  });
  stop = () => consumer.disconnect();
} else {
  const consumer = createHookConsumer({
    kafka: kafkajsClient({ brokers: [bootstrap], maxWaitTimeInMs: 500 }),
    groupId,
    topics: [topic],
    handler: () => {
      first ??= performance.now();
      count++;
    },
  });
  await consumer.start({ epoch: 1 });
  stop = () => consumer.stop();
}
const last = await done;
await stop();
process.send({ perSec: expected / ((last - first) / 1000), firstAfterMs: first - started });
process.disconnect();
