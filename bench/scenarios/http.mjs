// Issue figure 4: what a passive costs a client that is redirected, and what the status
// endpoint costs a load balancer that probes it, under load (autocannon, 64 keep-alive
// connections, from its own process), next to a bare Koa app on the same machine that
// answers the same 302 and the same JSON (lib/bare-app.mjs).
import { others, settled } from "../lib/cluster.mjs";
import { ADMIN_AUTH } from "../lib/http.mjs";
import { load, stopLoadWorker } from "../lib/load.mjs";
import { forkWorker } from "../lib/processes.mjs";
import { figure } from "../lib/report.mjs";
import { median } from "../lib/stats.mjs";

// A GET a client would send to the wrong instance, with a query that must survive byte for byte.
const REDIRECT_PATH = "/api/atlas/v2/search/basic?typeName=hive_table&query=sales%20db&limit=10";
const STATUS_PATH = "/api/atlas/admin/status";

export const httpLoad = {
  name: "http",
  title: "4. passive redirect and status endpoint under load (64 connections)",
  async run({ quick, clusters, log }) {
    const cluster = await clusters.get("sqlite");
    const active = await settled(cluster);
    const passive = others(cluster, active)[0];
    const seconds = quick ? 3 : 10;
    const rounds = quick ? 1 : 3;
    const bare302 = await forkWorker(new URL("../lib/bare-app.mjs", import.meta.url), [
      active.url,
      "PASSIVE",
    ]);
    const bareStatus = await forkWorker(new URL("../lib/bare-app.mjs", import.meta.url), [
      active.url,
      "ACTIVE",
    ]);
    const runs = { redirect: [], bareRedirect: [], status: [], bareStatus: [] };
    try {
      const bareUrl = (w, path) => `http://127.0.0.1:${w.first.port}${path}`;
      for (let round = 0; round < rounds; round++) {
        // Interleaved, so drift in the machine's load does not favour one side.
        runs.bareRedirect.push(
          await load({
            url: bareUrl(bare302, REDIRECT_PATH),
            seconds,
            expect: 302,
            serverPid: bare302.first.pid,
          }),
        );
        runs.redirect.push(
          await load({
            url: `${passive.url}${REDIRECT_PATH}`,
            seconds,
            expect: 302,
            headers: { authorization: ADMIN_AUTH },
            serverPid: passive.process.pid,
          }),
        );
        runs.bareStatus.push(
          await load({
            url: bareUrl(bareStatus, STATUS_PATH),
            seconds,
            expect: 200,
            serverPid: bareStatus.first.pid,
          }),
        );
        runs.status.push(
          await load({
            url: `${active.url}${STATUS_PATH}`,
            seconds,
            expect: 200,
            serverPid: active.process.pid,
          }),
        );
        const last = (k) => {
          const r = runs[k].at(-1);
          return `${Math.round(r.rps)} req/s p99 ${r.p99Ms} ms, server ${Math.round(r.serverCpuUsPerReq)} µs CPU/req, busy ${Math.round(100 * r.serverCpuShare)}%`;
        };
        log(
          `  round ${round + 1}/${rounds}: redirect ${last("redirect")} (bare ${last("bareRedirect")}); status ${last("status")} (bare ${last("bareStatus")})`,
        );
      }
    } finally {
      await Promise.all([bare302.stop(), bareStatus.stop(), stopLoadWorker()]);
    }
    const rps = (k) => runs[k].map((r) => r.rps);
    const p99 = (k) => runs[k].map((r) => r.p99Ms);
    const cpu = (k) => runs[k].map((r) => r.serverCpuUsPerReq);
    return [
      figure({
        scenario: this.name,
        name: "passive 302 throughput",
        unit: "req/s",
        better: "higher",
        samples: rps("redirect"),
        baseline: rps("bareRedirect"),
        baselineName: "bare Koa 302",
        target: { text: "≥ 80% of bare", check: (s) => s.p50 >= 0.8 * median(rps("bareRedirect")) },
      }),
      figure({
        scenario: this.name,
        name: "passive 302 latency p99",
        unit: "ms",
        samples: p99("redirect"),
        baseline: p99("bareRedirect"),
        baselineName: "bare Koa 302",
        target: { text: "≤ 5", check: (s) => s.p50 <= 5 },
      }),
      figure({
        scenario: this.name,
        name: "passive 302 server CPU per request",
        unit: "µs",
        samples: cpu("redirect"),
        baseline: cpu("bareRedirect"),
        baselineName: "bare Koa 302",
      }),
      figure({
        scenario: this.name,
        name: "status endpoint throughput",
        unit: "req/s",
        better: "higher",
        samples: rps("status"),
        baseline: rps("bareStatus"),
        baselineName: "bare Koa JSON",
        target: { text: "≥ 80% of bare", check: (s) => s.p50 >= 0.8 * median(rps("bareStatus")) },
      }),
      figure({
        scenario: this.name,
        name: "status endpoint latency p99",
        unit: "ms",
        samples: p99("status"),
        baseline: p99("bareStatus"),
        baselineName: "bare Koa JSON",
        target: { text: "≤ 5", check: (s) => s.p50 <= 5 },
      }),
      figure({
        scenario: this.name,
        name: "status endpoint server CPU per request",
        unit: "µs",
        samples: cpu("status"),
        baseline: cpu("bareStatus"),
        baselineName: "bare Koa JSON",
      }),
    ];
  },
};
