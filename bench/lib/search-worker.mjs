// The store alone, in a process of its own: `count` entities of one DataSet type (a long, a
// date, an owner out of 50, a tier out of 3; every tenth one classified), then `queries`
// rounds of each basic search and DSL query below, and as many point reads (getByGuid) as the baseline.
// argv: backend, sqlite path or postgres URL, count, queries. Answers over IPC.
import { createStore } from "@atlas-ha/atlas-server";

const [backend, where, countText, queriesText] = process.argv.slice(2);
const count = Number(countText);
const queries = Number(queriesText);
const store = createStore(
  backend === "postgres" ? { backend, url: where } : { backend, path: where },
);
await store.migrate();
await store.fence(1);

const attr = (name, typeName) => ({
  name,
  typeName,
  isOptional: true,
  cardinality: "SINGLE",
  isUnique: false,
});
await store.createTypedefs(
  1,
  {
    entityDefs: [
      {
        name: "bench_dataset",
        superTypes: ["DataSet"],
        attributeDefs: [attr("size", "long"), attr("born", "date"), attr("tier", "string")],
      },
    ],
    classificationDefs: [{ name: "BenchPII", superTypes: [], attributeDefs: [] }],
  },
  "bench",
);

const T0 = Date.UTC(2025, 0, 1);
const t0 = performance.now();
for (let start = 0; start < count; start += 500) {
  const batch = [];
  for (let i = start; i < Math.min(count, start + 500); i++) {
    batch.push({
      typeName: "bench_dataset",
      attributes: {
        qualifiedName: `bench.d${i}@search`,
        name: `d${i}`,
        owner: `user${i % 50}`,
        size: (i * 7919) % 100_000,
        born: T0 + i * 60_000,
        tier: ["gold", "silver", "bronze"][i % 3],
      },
      ...(i % 10 === 0 ? { classifications: [{ typeName: "BenchPII" }] } : {}),
    });
  }
  await store.createOrUpdate(1, { entities: batch, referredEntities: {} }, "bench");
}
const buildSeconds = (performance.now() - t0) / 1000;

const filter = (attributeName, operator, attributeValue) => ({
  attributeName,
  operator,
  attributeValue,
});
const page = { typeName: "bench_dataset", limit: 25 };
/** What the UI and the clients ask most: the name of each is the figure's. */
const searches = {
  "type, first page": () => page,
  "type, qualifiedName =": (i) => ({
    ...page,
    entityFilters: filter("qualifiedName", "=", `bench.d${(i * 97) % count}@search`),
  }),
  "type, name startsWith": (i) => ({
    ...page,
    entityFilters: filter("name", "startsWith", `d${(i % 90) + 10}`),
  }),
  "type, owner = AND size > n, sorted by name": (i) => ({
    ...page,
    sortBy: "name",
    entityFilters: {
      condition: "AND",
      criterion: [filter("owner", "=", `user${i % 50}`), filter("size", ">", "50000")],
    },
  }),
  "type, free text query": (i) => ({ ...page, query: `d${(i % 900) + 100}` }),
  classification: () => ({ classification: "BenchPII", limit: 25 }),
  "type, sorted by __timestamp desc": () => ({
    ...page,
    sortBy: "__timestamp",
    sortOrder: "DESCENDING",
  }),
};
/** Atlas's DSL over the same entities: what its UI's advanced search and the clients send. */
const dsl = {
  "DSL: type where qualifiedName =, limit 25": (i) =>
    `bench_dataset where qualifiedName = "bench.d${(i * 97) % count}@search" limit 25`,
  "DSL: type where owner = and size > n, orderby name": (i) =>
    `bench_dataset where owner = "user${i % 50}" and size > 50000 orderby name limit 25`,
  "DSL: type isa classification, limit 25": () => "bench_dataset isa BenchPII limit 25",
  "DSL: type groupby(tier) select tier, count()": () =>
    "bench_dataset groupby(tier) select tier, count()",
};
const results = {};
let sampleGuid;
const time = async (name, run) => {
  const ms = [];
  let found = 0;
  for (let i = 0; i < queries; i++) {
    const s = performance.now();
    const r = await run(i);
    ms.push(performance.now() - s);
    found += r.approximateCount ?? 0;
    sampleGuid ??= r.entities?.[0]?.guid;
  }
  results[name] = { ms, meanCount: found / queries };
};
for (const [name, params] of Object.entries(searches))
  await time(name, (i) => store.searchBasic(params(i)));
for (const [name, query] of Object.entries(dsl))
  await time(name, async (i) => {
    const r = await store.searchDsl({ query: query(i) });
    if ((r.entities?.length ?? 0) === 0 && (r.attributes?.values.length ?? 0) === 0)
      throw new Error(`the DSL query ${query(i)} found nothing`);
    return r;
  });
const pointMs = [];
for (let i = 0; i < queries; i++) {
  const s = performance.now();
  await store.getByGuid(sampleGuid);
  pointMs.push(performance.now() - s);
}
await store.close();
process.send({ entities: count, buildSeconds, results, pointMs });
process.disconnect();
