// Issue figure 5: the hook pipeline, Kafka → hook-consumer → store, in messages per second.
// Each round publishes N small ENTITY_CREATE_V2 messages while no instance runs, then starts
// one instance alone and times from its first applied message to its last (its /health
// `hookConsumer.processed`), so neither the producer nor the election is in the figure.
//
// Next to it, in the same run on the same topic, each in a process of its own:
// - a bare kafkajs consumer with a no-op eachBatch handler (the baseline);
// - @atlas-ha/hook-consumer with a no-op handler (what decoding and offset tracking add);
// - the store alone (lib/store-worker.mjs): the same applies with no Kafka in front.
import { benchBackends, cpuMs, settled } from "../lib/cluster.mjs";
import { publishCreates } from "../lib/hook-messages.mjs";
import { health, sleep } from "../lib/http.mjs";
import { forkWorker } from "../lib/processes.mjs";
import { onFreshStore } from "../lib/store-process.mjs";
import { figure } from "../lib/report.mjs";

let runSeq = 0;

/** Stops every instance, publishes `count` creates, starts the first instance alone; resolves its rate. */
async function serverRound(cluster, count) {
  for (const i of cluster.instances) await cluster.stop(i.name);
  const run = `r${process.pid}_${runSeq++}`;
  await publishCreates(cluster.kafka.bootstrap, cluster.hookTopic, run, count);
  const [first, ...rest] = cluster.instances;
  await cluster.start(first.name);
  const pid = first.process?.pid;
  let firstAt;
  let firstCpuMs;
  let slowest = 0;
  const deadline = performance.now() + 600_000;
  for (;;) {
    const asked = performance.now();
    const h = await health(first.url);
    if (firstAt !== undefined) slowest = Math.max(slowest, performance.now() - asked);
    const processed = h?.hookConsumer?.processed ?? 0;
    if (processed > 0 && firstAt === undefined) {
      firstAt = performance.now();
      firstCpuMs = pid === undefined ? undefined : cpuMs(pid);
    }
    if (processed >= count) break;
    if (h?.hookConsumer?.failed > 0)
      throw new Error(`${h.hookConsumer.failed} hook messages failed; see ${first.logFile}`);
    if (performance.now() > deadline)
      throw new Error(`only ${processed} of ${count} hook messages applied in 10 minutes`);
    await sleep(processed > 0 ? 20 : 50);
  }
  const lastAt = performance.now();
  // The instance's CPU (user + system) from its first applied message to its last, per message:
  // much steadier than the rate when the machine is shared (the first poll's share is missed).
  const cpuUsPerMsg =
    firstCpuMs === undefined ? undefined : ((cpuMs(pid) - firstCpuMs) * 1000) / count;
  for (const i of rest) await cluster.start(i.name);
  await settled(cluster);
  // From the poll that first saw a message applied: up to one poll interval is missed, so
  // the rate is a shade optimistic on short runs; rounds last seconds.
  return {
    perSec: count / ((lastAt - firstAt) / 1000),
    slowestHealthMs: slowest,
    cpuUsPerMsg,
  };
}

async function baselineRound(kind, cluster, total) {
  const w = await forkWorker(new URL("../lib/consumer-worker.mjs", import.meta.url), [
    kind,
    cluster.kafka.bootstrap,
    cluster.hookTopic,
    String(total),
  ]);
  await w.stop();
  return w.first.perSec;
}

async function topicSize(cluster) {
  const { default: kafkajs } = await import("kafkajs");
  const admin = new kafkajs.Kafka({
    brokers: [cluster.kafka.bootstrap],
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(cluster.hookTopic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export function storeRound(mode, cluster, count) {
  return onFreshStore(
    cluster,
    mode,
    new URL("../lib/store-worker.mjs", import.meta.url),
    (where) => [mode, cluster.backend, where, String(count)],
  );
}

export const hooks = {
  name: "hooks",
  title: "5. hook pipeline: ENTITY_CREATE_V2 from Kafka into the store",
  async run({ quick, clusters, log, partFailed }) {
    const figures = [];
    // BENCH_HOOKS_BACKENDS (e.g. "postgres") and BENCH_HOOKS_MESSAGES / BENCH_HOOKS_ROUNDS
    // narrow a run, e.g. PostgreSQL alone with fewer messages while working on it.
    const backends = benchBackends("BENCH_HOOKS_BACKENDS", quick);
    const count = Number(process.env.BENCH_HOOKS_MESSAGES) || (quick ? 10_000 : 50_000);
    const rounds = Number(process.env.BENCH_HOOKS_ROUNDS) || (quick ? 1 : 3);
    for (const backend of backends) {
      let cluster;
      try {
        cluster = await clusters.get(backend);
      } catch (error) {
        partFailed(backend, error);
        continue;
      }
      const server = [];
      const bare = [];
      const hookConsumer = [];
      const store = [];
      const slowestHealth = [];
      const serverCpu = [];
      for (let round = 0; round < rounds; round++) {
        const r = await serverRound(cluster, count);
        server.push(r.perSec);
        if (r.cpuUsPerMsg !== undefined) serverCpu.push(r.cpuUsPerMsg);
        slowestHealth.push(r.slowestHealthMs);
        const total = await topicSize(cluster);
        bare.push(await baselineRound("kafkajs", cluster, total));
        hookConsumer.push(await baselineRound("hook-consumer", cluster, total));
        store.push((await storeRound("hook", cluster, quick ? 5000 : 20_000)).perSec);
        log(
          `  ${backend} round ${round + 1}/${rounds}: server ${Math.round(server.at(-1))}/s, ${Math.round(serverCpu.at(-1))} µs CPU/msg (slowest /health ${Math.round(slowestHealth.at(-1))} ms), bare kafkajs ${Math.round(bare.at(-1))}/s, hook-consumer no-op ${Math.round(hookConsumer.at(-1))}/s, store alone ${Math.round(store.at(-1))}/s`,
        );
      }
      // Issue 15's targets: 15,000 messages/s into SQLite, 5,000 into PostgreSQL.
      const floor = backend === "sqlite" ? 15_000 : 5_000;
      const target = { text: `≥ ${floor}`, check: (s) => s.p50 >= floor };
      figures.push(
        figure({
          scenario: this.name,
          name: `${backend}: Kafka → store (atlas-server)`,
          unit: "msg/s",
          better: "higher",
          samples: server,
          baseline: bare,
          baselineName: "bare kafkajs no-op",
          target,
        }),
        figure({
          scenario: this.name,
          name: `${backend}:   hook-consumer, no-op handler`,
          unit: "msg/s",
          better: "higher",
          samples: hookConsumer,
          baseline: bare,
          baselineName: "bare kafkajs no-op",
        }),
        figure({
          scenario: this.name,
          name: `${backend}:   store alone (applyHook loop)`,
          unit: "msg/s",
          better: "higher",
          samples: store,
          baseline: bare,
          baselineName: "bare kafkajs no-op",
        }),
        // The event loop while applying: a status probe or a ZooKeeper answer waits this long.
        figure({
          scenario: this.name,
          name: `${backend}: slowest /health answer while applying`,
          unit: "ms",
          samples: slowestHealth,
        }),
      );
      if (serverCpu.length > 0)
        figures.push(
          figure({
            scenario: this.name,
            name: `${backend}: server CPU per message (atlas-server)`,
            unit: "µs",
            samples: serverCpu,
          }),
        );
    }
    return figures;
  },
};
