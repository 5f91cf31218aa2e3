// The store alone on PostgreSQL, counted: hook batches (store.applyHooks, 200 messages in one
// transaction, as the server applies a Kafka batch) or concurrent REST creates (16 at once,
// through the group commit), with the statements each message costs and the ROUND TRIPS —
// a statement written while nothing else of its connection is on the wire starts one (the
// store waited for every answer before it). Not part of the suite: a tool for the store's
// PostgreSQL path (bench/README.md).
//
//   node bench/lib/pg-round-trips.mjs [hook|rest] [count] [postgres URL]
//
// Without a URL it starts a throwaway PostgreSQL (testkit). COUNT=1 lists the statements;
// BATCH=n hook messages per applyHooks (default 200).
import { startPostgres } from "@atlas-ha/testkit";
import { createRequire } from "node:module";
import { hiveDb } from "./hook-messages.mjs";

// ATLAS_SERVER_DIST: another build's dist/index.js, for an A/B of two builds.
const server = process.env.ATLAS_SERVER_DIST ?? "@atlas-ha/atlas-server";
const { createStore } = await import(server);

const [mode = "hook", countText = "4000", url] = process.argv.slice(2);
const count = Number(countText);
const BATCH = Number(process.env.BATCH) || 200;
const CONCURRENCY = 16;

// The pg that the store itself loads (atlas-server's dependency, not the bench's).
const pg = createRequire(import.meta.resolve(server))("pg");
const statements = new Map();
let roundTrips = 0;
let counting = false;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  if (counting) {
    const text = typeof config === "string" ? config : (config?.text ?? "?");
    const key = text.replace(/\s+/g, " ").slice(0, 100);
    statements.set(key, (statements.get(key) ?? 0) + 1);
    const idle =
      !this._activeQuery && this._sentQueryQueue.length === 0 && this._queryQueue.length === 0;
    if (idle) roundTrips++;
  }
  return query.call(this, config, ...rest);
};

const postgres = url ? undefined : await startPostgres();
const store = createStore({ backend: "postgres", url: url ?? postgres.url });
await store.migrate();
await store.fence(1);
const run = `rt${process.pid}`;
// Warm-up: the typedef cache, the pool's connections.
await store.createOrUpdate(1, { entities: [hiveDb(`${run}w`, 0)], referredEntities: {} }, "admin");

counting = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (mode === "hook") {
  for (let i = 0; i < count; i += BATCH) {
    const items = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++)
      items.push({
        position: { topic: `BENCH${process.pid}`, partition: 0, offset: String(j) },
        changes: [
          {
            kind: "createOrUpdate",
            entities: { entities: [hiveDb(run, j)], referredEntities: {} },
          },
        ],
        user: "hive",
      });
    await store.applyHooks(1, items, { durable: false });
  }
} else {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await store.createOrUpdate(1, { entities: [hiveDb(run, i)], referredEntities: {} }, "admin");
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
counting = false;
const result = {
  mode,
  count,
  perSec: Math.round((count / ms) * 1000),
  cpuUsPerMessage: Number(((cpu.user + cpu.system) / count).toFixed(1)),
  roundTripsPerMessage: Number((roundTrips / count).toFixed(3)),
  statementsPerMessage: Number(
    ([...statements.values()].reduce((a, b) => a + b, 0) / count).toFixed(3),
  ),
};
console.log(JSON.stringify(result));
if (process.env.COUNT)
  for (const [k, v] of [...statements].sort((a, b) => b[1] - a[1]))
    console.log((v / count).toFixed(3).padStart(8), k);
await store.close();
await postgres?.shutdown();
