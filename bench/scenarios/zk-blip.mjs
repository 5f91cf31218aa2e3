// Issue figure 3: a short ZooKeeper blip (the active cut from ZooKeeper for half the session
// timeout, through a severable proxy per instance, lib/zk-proxy.mjs). Does the active role
// move (it must not: docs/contracts/election.md — RECONNECTED with the same session leads again with the same
// epoch), and how long are writes refused (SUSPENDED steps down at once)?
//
// Writes go back to back to every instance during the round; "refused" is the time from the
// first write the active refuses after the cut to the next write any instance accepts.
// Baseline: the length of the cut itself.
import { reconfigure, SESSION_TIMEOUT_MS, settled } from "../lib/cluster.mjs";
import { sleep, writeOnce } from "../lib/http.mjs";
import { figure } from "../lib/report.mjs";
import { ZkProxy } from "../lib/zk-proxy.mjs";

const CUT_MS = SESSION_TIMEOUT_MS / 2;

/** Writes to every instance and polls their states until stopped; returns the timeline. */
function sample(cluster) {
  const writes = [];
  const states = [];
  let running = true;
  const writer = async (instance) => {
    while (running) {
      const sent = performance.now();
      const status = await writeOnce(instance.url, 1000);
      writes.push({ name: instance.name, sent, at: performance.now(), status });
      if (status < 200 || status >= 300) await sleep(5);
    }
  };
  const watcher = async () => {
    while (running) {
      const at = performance.now();
      for (const s of await cluster.statuses(500))
        states.push({ name: s.name, at, state: s.state });
      await sleep(50);
    }
  };
  const loops = [...cluster.instances.map(writer), watcher()];
  return async () => {
    running = false;
    await Promise.all(loops);
    return { writes, states };
  };
}

async function blipOnce(cluster, proxies, kind) {
  const active = await settled(cluster);
  const proxy = proxies.get(active.name);
  const stop = sample(cluster);
  await sleep(300); // the steady state before the cut, in the timeline
  const cutAt = performance.now();
  proxy.cut(kind);
  await sleep(CUT_MS);
  proxy.heal();
  const after = await settled(cluster);
  await sleep(1000); // anything late (an expiry, a second election) shows in the timeline
  const { writes, states } = await stop();
  const ok = (w) => w.status >= 200 && w.status < 300;
  const firstRefused = writes
    .filter((w) => w.name === active.name && w.sent >= cutAt && !ok(w))
    .sort((a, b) => a.at - b.at)[0];
  const nextOk =
    firstRefused &&
    writes.filter((w) => ok(w) && w.at > firstRefused.at).sort((a, b) => a.at - b.at)[0];
  const refusedMs = firstRefused ? (nextOk ? nextOk.at : performance.now()) - firstRefused.at : 0;
  const moved =
    after.name !== active.name ||
    states.some(
      (s) => s.at >= cutAt && s.name !== active.name && s.state !== "PASSIVE" && s.state !== null,
    );
  return { refusedMs, moved };
}

export const zkBlip = {
  name: "zk-blip",
  title: `3. short ZooKeeper blip (active cut for ${CUT_MS / 1000} s, session ${SESSION_TIMEOUT_MS / 1000} s)`,
  async run({ quick, clusters, log }) {
    const cluster = await clusters.get("sqlite");
    const proxies = new Map();
    for (const instance of cluster.instances)
      proxies.set(instance.name, await new ZkProxy(cluster.zookeeper.connectString).listen());
    const restore = await reconfigure(
      cluster,
      {},
      {
        perInstance: (name) => ({
          "atlas.server.ha.zookeeper.connect": proxies.get(name).connectString,
        }),
      },
    );
    const figures = [];
    try {
      const plans = quick
        ? [{ kind: "reset", rounds: 1 }]
        : [
            { kind: "reset", rounds: 5 },
            { kind: "blackhole", rounds: 3 },
          ];
      for (const { kind, rounds } of plans) {
        const results = [];
        for (let i = 0; i < rounds; i++) {
          results.push(await blipOnce(cluster, proxies, kind));
          const r = results.at(-1);
          log(
            `  ${kind} cut, round ${i + 1}/${rounds}: writes refused ${Math.round(r.refusedMs)} ms, role ${r.moved ? "MOVED" : "stayed"}`,
          );
        }
        figures.push(
          figure({
            scenario: this.name,
            name: `writes refused, ${kind} cut of ${CUT_MS / 1000} s`,
            unit: "ms",
            samples: results.map((r) => r.refusedMs),
            baseline: results.map(() => CUT_MS),
            baselineName: "length of the cut",
          }),
          figure({
            scenario: this.name,
            name: `active role moved (1 = yes), ${kind} cut`,
            unit: "rounds",
            samples: results.map((r) => (r.moved ? 1 : 0)),
            target: { text: "never", check: (s) => s.max === 0 },
          }),
        );
      }
    } finally {
      await restore();
      await Promise.all([...proxies.values()].map((p) => p.close()));
    }
    return figures;
  },
};
