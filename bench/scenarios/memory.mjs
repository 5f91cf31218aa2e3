// Issue figure 7: resident memory. The instances idle (right after the cluster starts), then
// the active while it applies 100,000 hook messages, measured after each of three runs on the
// same process: the third should be no bigger than the second (the first also grows V8's heap
// and SQLite's cache to their working size). Private memory (RssAnon) is shown too: the Node
// binary and libraries mapped from files (~49 MB) are shared by every Node process on the host.
// Baseline: the bare Koa app of figure 4, idle (Node itself plus an HTTP server).
import { rssMb, settled } from "../lib/cluster.mjs";
import { publishCreates } from "../lib/hook-messages.mjs";
import { health, sleep } from "../lib/http.mjs";
import { forkWorker } from "../lib/processes.mjs";
import { figure } from "../lib/report.mjs";

export const memory = {
  name: "memory",
  title: "7. memory (RSS): idle, and the active after repeated runs of 100,000 hook messages",
  async run({ quick, clusters, log }) {
    const cluster = await clusters.get("sqlite");
    const active = await settled(cluster);
    await sleep(2000); // start-up garbage settles
    const idle = cluster.instances.map((i) => rssMb(i.process.pid));
    const bare = await forkWorker(new URL("../lib/bare-app.mjs", import.meta.url), [active.url]);
    const bareRss = rssMb(bare.first.pid);
    const bareAnon = rssMb(bare.first.pid, "RssAnon");
    await bare.stop();
    log(
      `  idle: ${cluster.instances.map((i, n) => `${i.name} ${idle[n].toFixed(1)} MB`).join(", ")} (bare Koa ${bareRss.toFixed(1)} MB)`,
    );

    const perRun = quick ? 10_000 : 100_000;
    const runs = 3;
    const after = [];
    const peak = [];
    const anon = [];
    let expected = (await health(active.url))?.hookConsumer?.processed ?? 0;
    for (let run = 0; run < runs; run++) {
      expected += perRun;
      let max = 0;
      let publishError;
      const publishing = publishCreates(
        cluster.kafka.bootstrap,
        cluster.hookTopic,
        `mem${process.pid}_${run}`,
        perRun,
      ).catch((error) => {
        publishError = error;
      });
      for (;;) {
        if (publishError) throw publishError;
        max = Math.max(max, rssMb(active.process.pid) ?? 0);
        const h = await health(active.url);
        if ((h?.hookConsumer?.processed ?? 0) >= expected) break;
        if (h?.state !== "ACTIVE")
          throw new Error(`${active.name} is ${h?.state} during the memory run`);
        await sleep(100);
      }
      await publishing;
      await sleep(1000);
      after.push(rssMb(active.process.pid));
      anon.push(rssMb(active.process.pid, "RssAnon"));
      peak.push(max);
      log(
        `  run ${run + 1}/${runs}: ${perRun} messages applied, RSS ${after.at(-1).toFixed(1)} MB (peak ${max.toFixed(1)} MB)`,
      );
    }
    const n = perRun.toLocaleString("en");
    return [
      figure({
        scenario: this.name,
        name: "idle instance RSS",
        unit: "MB",
        samples: idle,
        baseline: [bareRss],
        baselineName: "bare Koa app",
      }),
      figure({
        scenario: this.name,
        name: `active RSS after each ${n} messages`,
        unit: "MB",
        samples: after,
        baseline: [bareRss],
        baselineName: "bare Koa app",
        target: { text: "≤ 150", check: (s) => s.max <= 150 },
      }),
      figure({
        scenario: this.name,
        name: "  of which private (RssAnon)",
        unit: "MB",
        samples: anon,
        baseline: [bareAnon],
        baselineName: "bare Koa app",
      }),
      figure({
        scenario: this.name,
        name: "active peak RSS while applying",
        unit: "MB",
        samples: peak,
      }),
      // From the second run on: the first one also grows V8's heap and SQLite's cache to size.
      figure({
        scenario: this.name,
        name: "growth, last run − second run",
        unit: "MB",
        samples: [after.at(-1) - after[1]],
        target: { text: "≤ 10 (none)", check: (s) => s.max <= 10 },
      }),
    ];
  },
};
