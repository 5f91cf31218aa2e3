// Issue figures 1 and 2: how long writes fail when the active goes away.
//
// failover-clean: SIGTERM to the active → the first write that another instance answers 2xx.
// failover-crash: SIGKILL to the active, with session timeouts of 4 s and 20 s → the same,
//   and that time minus the session timeout (what the server adds to ZooKeeper's expiry).
//
// switchover: POST admin/ha/switchover to the active, naming the passive → the first write
//   the passive answers 2xx.
//
// Baseline: election-core alone on the same ZooKeeper (participant processes): close →
// next leader, kill → next leader.
import { others, reconfigure, SESSION_TIMEOUT_MS, settled, startWarm } from "../lib/cluster.mjs";
import { electionHandover } from "../lib/election.mjs";
import { ADMIN_AUTH, firstSuccessfulWrite, health, request, sleep } from "../lib/http.mjs";
import { figure } from "../lib/report.mjs";

/**
 * One request with the bench's credentials to each of `urls` (a passive checks them, then
 * redirects): an instance caches a verified login, and a group that has run for a while has
 * seen its users, so the first write after a failover does not include one scrypt
 * verification on a process that was restarted a moment ago (300–700 ms under load).
 */
async function login(urls) {
  await Promise.all(
    urls.map((url) =>
      request(`${url}/api/atlas/v2/entity/guid/bench-login`, {
        headers: { authorization: ADMIN_AUTH },
        timeoutMs: 10_000,
      }).catch(() => undefined),
    ),
  );
}

/** One failover of the current active by `how` ("stop" | "kill"); resolves ms until a write succeeds elsewhere. */
async function failoverOnce(cluster, how, timeoutMs) {
  const active = await settled(cluster);
  const urls = others(cluster, active).map((i) => i.url);
  await login(urls);
  const t0 = performance.now();
  const gone = how === "stop" ? cluster.stop(active.name) : cluster.kill(active.name);
  const { at } = await firstSuccessfulWrite(urls, { timeoutMs });
  await gone;
  await startWarm(cluster, active.name);
  return at - t0;
}

export const failoverClean = {
  name: "failover-clean",
  title: "1. failover on clean shutdown (SIGTERM)",
  async run({ quick, clusters, log }) {
    const cluster = await clusters.get("sqlite");
    const rounds = quick ? 3 : 20;
    const samples = [];
    const baseline = [];
    for (let i = 0; i < rounds; i++) {
      samples.push(await failoverOnce(cluster, "stop", 30_000));
      log(`  round ${i + 1}/${rounds}: ${Math.round(samples.at(-1))} ms`);
    }
    for (let i = 0; i < (quick ? 3 : 10); i++) {
      baseline.push(
        await electionHandover(
          cluster.zookeeper.connectString,
          "clean",
          SESSION_TIMEOUT_MS,
          `clean${i}`,
        ),
      );
    }
    return [
      figure({
        scenario: this.name,
        name: "SIGTERM → write 2xx on the new active",
        unit: "ms",
        samples,
        baseline,
        baselineName: "election-core close → next leader",
        target: { text: "p50 ≤ 50, p99 ≤ 150", check: (s) => s.p50 <= 50 && s.p99 <= 150 },
      }),
    ];
  },
};

export const failoverCrash = {
  name: "failover-crash",
  title: "2. failover on crash (SIGKILL), session timeouts 4 s and 20 s",
  async run({ quick, clusters, log }) {
    const cluster = await clusters.get("sqlite");
    const figures = [];
    const plans = quick
      ? [{ timeoutMs: SESSION_TIMEOUT_MS, rounds: 2, baselineRounds: 1 }]
      : [
          { timeoutMs: SESSION_TIMEOUT_MS, rounds: 10, baselineRounds: 3 },
          { timeoutMs: 20_000, rounds: 5, baselineRounds: 2 },
        ];
    for (const { timeoutMs, rounds, baselineRounds } of plans) {
      const restore =
        timeoutMs === SESSION_TIMEOUT_MS
          ? undefined
          : await reconfigure(cluster, {
              "atlas.server.ha.zookeeper.session.timeout.ms": timeoutMs,
            });
      try {
        const samples = [];
        for (let i = 0; i < rounds; i++) {
          samples.push(await failoverOnce(cluster, "kill", timeoutMs + 30_000));
          log(
            `  session ${timeoutMs} ms, round ${i + 1}/${rounds}: ${Math.round(samples.at(-1))} ms`,
          );
        }
        const baseline = [];
        for (let i = 0; i < baselineRounds; i++) {
          baseline.push(
            await electionHandover(
              cluster.zookeeper.connectString,
              "crash",
              timeoutMs,
              `crash${timeoutMs}_${i}`,
            ),
          );
        }
        const s = timeoutMs / 1000;
        figures.push(
          figure({
            scenario: this.name,
            name: `SIGKILL → write 2xx (session ${s} s)`,
            unit: "ms",
            samples,
            baseline,
            baselineName: "election-core kill → next leader",
            target: { text: `p50 ≤ ${timeoutMs + 500}`, check: (st) => st.p50 <= timeoutMs + 500 },
          }),
          figure({
            scenario: this.name,
            name: `  minus the session timeout (${s} s)`,
            unit: "ms",
            samples: samples.map((v) => v - timeoutMs),
            baseline: baseline.map((v) => v - timeoutMs),
            baselineName: "election-core",
            target: { text: "p50 ≤ 500", check: (st) => st.p50 <= 500 },
          }),
        );
      } finally {
        await restore?.();
      }
    }
    return figures;
  },
};

/** The window a switched-over instance stays out: short, so the next round can switch back. */
const SWITCHOVER_WINDOW_MS = 1000;

/**
 * One planned switchover from the active to the passive; resolves ms from the request that the
 * active accepted to the first write the target answers 2xx. A request refused because the
 * target is not back in the election yet (it handed over in the round before and is still out
 * for its window) changes nothing and is repeated, timed afresh.
 */
async function switchoverOnce(cluster) {
  const active = await settled(cluster);
  const [target] = others(cluster, active);
  await login([target.url]);
  const to = (await health(target.url))?.serverId;
  const deadline = performance.now() + 30_000;
  for (;;) {
    const t0 = performance.now();
    const answer = request(`${active.url}/api/atlas/admin/ha/switchover`, {
      method: "POST",
      body: { to },
      headers: { authorization: ADMIN_AUTH },
      timeoutMs: 30_000,
    });
    const first = firstSuccessfulWrite([target.url], { timeoutMs: 30_000 });
    first.catch(() => undefined);
    const res = await answer;
    if (res.status === 200) return (await first).at - t0;
    if (res.status !== 404 || performance.now() > deadline)
      throw new Error(`switchover refused: ${res.status} ${res.body}`);
    await sleep(100);
  }
}

export const switchover = {
  name: "switchover",
  title: "1b. planned switchover (POST admin/ha/switchover)",
  async run({ quick, clusters, log }) {
    const cluster = await clusters.get("sqlite");
    const restore = await reconfigure(cluster, {
      "atlas.server.ha.switchover.window.ms": SWITCHOVER_WINDOW_MS,
    });
    try {
      const rounds = quick ? 3 : 20;
      const samples = [];
      for (let i = 0; i < rounds; i++) {
        samples.push(await switchoverOnce(cluster));
        log(`  round ${i + 1}/${rounds}: ${Math.round(samples.at(-1))} ms`);
      }
      const baseline = [];
      for (let i = 0; i < (quick ? 3 : 10); i++) {
        baseline.push(
          await electionHandover(
            cluster.zookeeper.connectString,
            "clean",
            SESSION_TIMEOUT_MS,
            `switchover${i}`,
          ),
        );
      }
      return [
        figure({
          scenario: this.name,
          name: "switchover request → write 2xx on the target",
          unit: "ms",
          samples,
          baseline,
          baselineName: "election-core close → next leader",
          target: { text: "p50 ≤ 50, p99 ≤ 150", check: (s) => s.p50 <= 50 && s.p99 <= 150 },
        }),
      ];
    } finally {
      await restore();
    }
  },
};
