// Basic and DSL search over 100,000 entities of one type, in the store (lib/search-worker.mjs): the
// searches the UI and the clients send most — by type, by qualifiedName, name prefix,
// attribute filters with a sort, free text, classification, newest first; and the DSL queries
// of Atlas's advanced search (equality, a conjunction with a sort, isa, groupby). Baseline, measured
// in the same run on the same store: a GET of one entity by guid.
import { figure } from "../lib/report.mjs";
import { onFreshStore } from "../lib/store-process.mjs";

export const search = {
  name: "search",
  title: "9. basic and DSL search over 100,000 entities (the store)",
  async run({ quick, clusters, log, partFailed }) {
    const figures = [];
    const backends = quick ? ["sqlite"] : ["sqlite", "postgres"];
    const shape = quick ? { count: 20_000, queries: 20 } : { count: 100_000, queries: 50 };
    for (const backend of backends) {
      let cluster;
      try {
        cluster = await clusters.get(backend);
      } catch (error) {
        partFailed(backend, error);
        continue;
      }
      const r = await onFreshStore(
        cluster,
        "search",
        new URL("../lib/search-worker.mjs", import.meta.url),
        (where) => [backend, where, String(shape.count), String(shape.queries)],
      );
      log(`  ${backend}: ${r.entities} entities built in ${r.buildSeconds.toFixed(1)} s`);
      for (const [name, { ms, meanCount }] of Object.entries(r.results)) {
        figures.push(
          figure({
            scenario: this.name,
            name: `${backend}: ${name} (${r.entities} entities)`,
            unit: "ms",
            samples: ms,
            baseline: r.pointMs,
            baselineName: "GET of one entity by guid",
            note: `${Math.round(meanCount)} matches on average (exact count included)`,
          }),
        );
      }
    }
    return figures;
  },
};
