// Issue figure 6: REST entity creates on the active (POST /api/atlas/v2/entity, a unique
// hive_db each, Basic auth), creates/s and p99 under 16 keep-alive connections from
// autocannon in its own process; both backends. Baseline: the store alone, the same creates
// called directly one after the other (lib/store-worker.mjs) — what HTTP, auth, JSON and the
// server add.
import { benchBackends, settled } from "../lib/cluster.mjs";
import { ADMIN_AUTH, ENTITY_PATH } from "../lib/http.mjs";
import { load, stopLoadWorker } from "../lib/load.mjs";
import { figure } from "../lib/report.mjs";
import { storeRound } from "./hooks.mjs";

const CONNECTIONS = 16;

export const restWrites = {
  name: "rest",
  title: `6. REST entity creates on the active (${CONNECTIONS} connections)`,
  async run({ quick, clusters, log, partFailed }) {
    const figures = [];
    // BENCH_REST_BACKENDS (e.g. "postgres"), BENCH_REST_SECONDS and BENCH_REST_ROUNDS narrow a
    // run, as the hooks scenario's variables do.
    const backends = benchBackends("BENCH_REST_BACKENDS", quick);
    const seconds = Number(process.env.BENCH_REST_SECONDS) || (quick ? 3 : 10);
    const rounds = Number(process.env.BENCH_REST_ROUNDS) || (quick ? 1 : 3);
    try {
      for (const backend of backends) {
        let cluster;
        try {
          cluster = await clusters.get(backend);
        } catch (error) {
          partFailed(backend, error);
          continue;
        }
        const rps = [];
        const p99 = [];
        const store = [];
        const storeP99 = [];
        for (let round = 0; round < rounds; round++) {
          const active = await settled(cluster);
          const body = JSON.stringify({
            entity: {
              typeName: "hive_db",
              attributes: {
                qualifiedName: "rest_[<id>]@bench",
                name: "rest_[<id>]",
                clusterName: "bench",
                owner: "bench",
              },
            },
          });
          const r = await load({
            url: `${active.url}${ENTITY_PATH}`,
            method: "POST",
            headers: { authorization: ADMIN_AUTH, "content-type": "application/json" },
            body,
            idReplacement: true,
            connections: CONNECTIONS,
            seconds,
            expect: 200,
            serverPid: active.process.pid,
          });
          rps.push(r.rps);
          p99.push(r.p99Ms);
          const s = await storeRound("rest", cluster, quick ? 3000 : 10_000);
          store.push(s.perSec);
          storeP99.push(s.p99Ms);
          log(
            `  ${backend} round ${round + 1}/${rounds}: ${Math.round(r.rps)} creates/s, p99 ${r.p99Ms} ms, server ${Math.round(r.serverCpuUsPerReq)} µs CPU/req (store alone ${Math.round(s.perSec)}/s, p99 ${s.p99Ms.toFixed(2)} ms)`,
          );
        }
        // Issue 15's targets: 4,000 / 2,000 creates per second, p99 ≤ 10 / 20 ms.
        const goal = backend === "sqlite" ? { rps: 4000, p99: 10 } : { rps: 2000, p99: 20 };
        figures.push(
          figure({
            scenario: this.name,
            name: `${backend}: creates/s`,
            unit: "req/s",
            better: "higher",
            samples: rps,
            baseline: store,
            baselineName: "store alone, sequential",
            target: { text: `≥ ${goal.rps}`, check: (s) => s.p50 >= goal.rps },
          }),
          figure({
            scenario: this.name,
            name: `${backend}: create latency p99`,
            unit: "ms",
            samples: p99,
            baseline: storeP99,
            baselineName: "store alone",
            target: { text: `≤ ${goal.p99}`, check: (s) => s.p50 <= goal.p99 },
          }),
        );
      }
    } finally {
      await stopLoadWorker();
    }
    return figures;
  },
};
