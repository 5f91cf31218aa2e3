// Issue 13/15 figure: lineage of depth 5 on a 10,000-entity lineage graph, in the store
// (lib/lineage-worker.mjs: fan-in 3 per process, so a walk reaches hundreds of entities).
// Baseline, measured in the same run on the same store: a GET of one entity by guid (with
// its relationships), what a lineage walk costs in multiples of.
import { figure } from "../lib/report.mjs";
import { onFreshStore } from "../lib/store-process.mjs";

function lineageRound(cluster, { width, layers, depth, queries }) {
  return onFreshStore(
    cluster,
    "lineage",
    new URL("../lib/lineage-worker.mjs", import.meta.url),
    (where) => [
      cluster.backend,
      where,
      String(width),
      String(layers),
      String(depth),
      String(queries),
    ],
  );
}

export const lineage = {
  name: "lineage",
  title: "8. lineage, depth 5, on a 10,000-entity lineage graph (the store)",
  async run({ quick, clusters, log, partFailed }) {
    const figures = [];
    const backends = quick ? ["sqlite"] : ["sqlite", "postgres"];
    // 20 layers × 250 tables + 19 × 250 processes + the db ≈ 9,751 entities (quick: a fifth).
    const shape = quick
      ? { width: 100, layers: 10, depth: 5, queries: 20 }
      : { width: 250, layers: 20, depth: 5, queries: 50 };
    for (const backend of backends) {
      let cluster;
      try {
        cluster = await clusters.get(backend);
      } catch (error) {
        partFailed(backend, error);
        continue;
      }
      const r = await lineageRound(cluster, shape);
      log(
        `  ${backend}: ${r.entities} entities built in ${r.buildSeconds.toFixed(1)} s; ` +
          `a walk answers ${Math.round(r.meanAnswerEntities)} entities on average`,
      );
      figures.push(
        figure({
          scenario: this.name,
          name: `${backend}: lineage depth ${shape.depth} (${r.entities} entities)`,
          unit: "ms",
          samples: r.lineageMs,
          baseline: r.pointMs,
          baselineName: "GET of one entity by guid",
          note: `${Math.round(r.meanAnswerEntities)} entities per answer`,
        }),
      );
    }
    return figures;
  },
};
