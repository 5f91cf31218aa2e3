#!/usr/bin/env node
// What a clean hand-over sends to ZooKeeper: two participants in this one process (as
// pair.mjs, the `election` figure's side), each on a session that records every request it
// sends and every answer and watch event it gets. Between the leader's close() and the
// successor's "leader" event it counts the requests of each side, and prints where the time
// went (median and p90 of each step).
//
//   npm run bench:trace -w @atlas-ha/election-core [-- --rounds 60 --connect host:port]
//
// Without --connect it starts a standalone ZooKeeper of its own (tickTime 400 ms, as the
// `election` figure's).
import { parseArgs } from "node:util";
import { startZooKeeper } from "@atlas-ha/testkit";
import { createElection, nativeSessionFactory } from "../dist/index.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "60" }, connect: { type: "string" } },
});
const rounds = Number(values.rounds);

let log = [];
const stamp = (who, what) => log.push({ at: performance.now(), who, what });

/** The native session, recording as `who`: ">op" sent, "<op" answered, "watch", "close". */
const recording = (who) => (options) => {
  const session = nativeSessionFactory(options);
  return new Proxy(session, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (key === "onEvent") return value.bind(target);
      if (key === "close")
        return () => {
          stamp(who, ">closeSession");
          target.close();
        };
      return (...args) => {
        const w = args.findIndex((a) => typeof a === "function");
        if (w >= 0) {
          const watcher = args[w];
          args[w] = (event) => {
            stamp(who, "watch");
            watcher(event);
          };
        }
        stamp(who, `>${String(key)}`);
        const answer = value.apply(target, args);
        const done = () => stamp(who, `<${String(key)}`);
        answer.then(done, done);
        return answer;
      };
    },
  });
};

const zk = values.connect ? null : await startZooKeeper({ nodes: 1, tickTime: 400 });
const connect = values.connect ?? zk.connectString;
const participant = (id) =>
  createElection({
    connect,
    id,
    sessionTimeoutMs: 4000,
    zkRoot: "/trace-bench",
    sessionFactory: recording(id),
  });

const steps = new Map();
const step = (name, ms) => steps.set(name, [...(steps.get(name) ?? []), ms]);
const patterns = new Map();
try {
  for (let i = 0; i < rounds; i++) {
    const a = participant("a");
    await a.start();
    const b = participant("b");
    const led = new Promise((resolve) => b.on("leader", () => resolve(stamp("b", "LEADER"))));
    await b.start();
    log = [];
    const t0 = performance.now();
    const closed = a.close();
    await led;
    const seen = log.slice(0, log.findIndex((e) => e.what === "LEADER") + 1);
    const at = (who, what) => seen.find((e) => e.who === who && e.what.startsWith(what))?.at;
    const sent = (who) =>
      seen
        .filter((e) => e.who === who && e.what.startsWith(">"))
        .map((e) => e.what.slice(1))
        .join(", ");
    const key = `leaver: ${sent("a") || "-"} | successor: ${sent("b") || "-"}`;
    patterns.set(key, (patterns.get(key) ?? 0) + 1);
    const watched = at("b", "watch");
    const asked = at("b", ">getChildren");
    const answered = seen.filter((e) => e.who === "b" && e.what.startsWith("<")).at(-1)?.at;
    const leader = at("b", "LEADER");
    step("close() → first request of the leaver", (seen.find((e) => e.who === "a")?.at ?? t0) - t0);
    step("close() → successor's watch fires", watched - t0);
    step("watch → line asked for", asked - watched);
    step("line asked for → last answer", answered - asked);
    step("last answer → leader event", leader - answered);
    step("close() → leader event (total)", leader - t0);
    await closed;
    await b.close();
  }
} finally {
  await zk?.shutdown();
}

const quantile = (xs, q) => [...xs].sort((x, y) => x - y)[Math.ceil(q * xs.length) - 1];
console.log(
  `\nelection-core clean hand-over, ${rounds} rounds: requests sent before the leader event`,
);
for (const [key, n] of patterns) console.log(`  ${String(n).padStart(4)}×  ${key}`);
console.log(`\n${"step".padEnd(40)}${"p50 ms".padStart(9)}${"p90 ms".padStart(9)}`);
for (const [name, xs] of steps) {
  const ok = xs.filter(Number.isFinite);
  console.log(
    `${name.padEnd(40)}${quantile(ok, 0.5).toFixed(3).padStart(9)}${quantile(ok, 0.9).toFixed(3).padStart(9)}`,
  );
}
process.exit(0);
