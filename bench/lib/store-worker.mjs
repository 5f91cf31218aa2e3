// The store alone, in a process of its own: the same hook applies (figure 5) or entity
// creates (figure 6) that the server does, called directly on @atlas-ha/atlas-server's
// store, one after the other (hook applies group-committed every 1,000, as the server does
// per Kafka batch), with no Kafka, HTTP or auth in front. It tells how much of a
// pipeline's time is the store's. argv: "hook" | "rest", backend, sqlite path or postgres URL,
// count. Answers { perSec, p99Ms } over IPC.
import { createStore } from "@atlas-ha/atlas-server";
import { hiveDb } from "./hook-messages.mjs";

const [mode, backend, where, countText] = process.argv.slice(2);
const count = Number(countText);
const store = createStore(
  backend === "postgres" ? { backend, url: where } : { backend, path: where },
);
await store.migrate();
await store.fence(1);
const latencies = [];
const run = `store${process.pid}`;
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  const entities = { entities: [hiveDb(run, i)], referredEntities: {} };
  const s = performance.now();
  if (mode === "hook") {
    // As the server applies hook messages: no fsync each, one sync() per Kafka batch.
    await store.applyHook(
      1,
      { topic: "BENCH", partition: 0, offset: String(i) },
      [{ kind: "createOrUpdate", entities }],
      "hive",
      { durable: false },
    );
    if (i % 1000 === 999) await store.sync();
  } else {
    await store.createOrUpdate(1, { entities: entities.entities, referredEntities: {} }, "admin");
  }
  latencies.push(performance.now() - s);
}
const seconds = (performance.now() - t0) / 1000;
await store.close();
latencies.sort((a, b) => a - b);
process.send({ perSec: count / seconds, p99Ms: latencies[Math.ceil(0.99 * latencies.length) - 1] });
process.disconnect();
