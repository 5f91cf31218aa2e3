// Issue 15: election-core's clean hand-over against Apache Curator's LeaderLatch, the recipe
// Apache Atlas itself leads with. Both sides run two participants in one process (each with
// its own ZooKeeper session) on the same single ZooKeeper, in the same run: the leader closes,
// the clock stops when the other's leadership callback runs (Curator's isLeader(),
// election-core's "leader" event). Batches of rounds alternate between the two, after a
// warm-up of each (the JVM's JIT, V8's), so load from other work falls on both alike.
import { startZooKeeper } from "@atlas-ha/testkit";
import { SESSION_TIMEOUT_MS } from "../lib/cluster.mjs";
import { curatorPair, electionCorePair } from "../lib/curator.mjs";
import { figure } from "../lib/report.mjs";
import { summarize } from "../lib/stats.mjs";

export const election = {
  name: "election",
  title: "election-core clean hand-over vs Apache Curator's LeaderLatch",
  async run({ quick, log }) {
    const batches = quick ? 3 : 10;
    const perBatch = quick ? 20 : 30;
    const zk = await startZooKeeper({ nodes: 1, tickTime: 400 });
    const sides = [];
    try {
      sides.push(await curatorPair(zk.connectString, SESSION_TIMEOUT_MS));
      sides.push(await electionCorePair(zk.connectString, SESSION_TIMEOUT_MS));
      for (const side of sides) await side.run(perBatch); // warm-up, not counted
      const samples = new Map(sides.map((s) => [s, []]));
      for (let i = 0; i < batches; i++) {
        // Who goes first alternates too.
        const order = i % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) samples.get(side).push(...(await side.run(perBatch)));
        log(
          `  batch ${i + 1}/${batches}: ${sides
            .map((s) => `${s.name} median ${summarize(samples.get(s)).p50.toFixed(2)} ms`)
            .join(", ")}`,
        );
      }
      const curator = samples.get(sides[0]);
      const ours = samples.get(sides[1]);
      const base = summarize(curator);
      return [
        figure({
          scenario: this.name,
          name: "election-core clean hand-over (close → next leads)",
          unit: "ms",
          samples: ours,
          baseline: curator,
          baselineName: "Curator LeaderLatch",
          target: {
            text: "≤ Curator p50 and p99",
            check: (s) => s.p50 <= base.p50 && s.p99 <= base.p99,
          },
          note: "two participants in one process each, same ZooKeeper, batches interleaved",
        }),
        figure({
          scenario: this.name,
          name: "  Curator LeaderLatch (the baseline; its p99)",
          unit: "ms",
          samples: curator,
        }),
      ];
    } finally {
      await Promise.all(sides.map((s) => s.stop()));
      await zk.shutdown();
    }
  },
};
