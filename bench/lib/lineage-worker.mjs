// The store alone, in a process of its own: a lineage graph of `layers` layers of hive
// tables, each table of a layer written by one hive_process that reads three tables of the
// layer before (so the graph fans in and out and depth 5 reaches hundreds of entities), then
// `queries` lineage walks of `depth` hops from tables of the last layer (INPUT) and first
// layer (OUTPUT), and as many point reads (getByGuid) as the baseline. argv: backend, sqlite
// path or postgres URL, width, layers, depth, queries. Answers over IPC.
import { createStore } from "@atlas-ha/atlas-server";

const [backend, where, widthText, layersText, depthText, queriesText] = process.argv.slice(2);
const width = Number(widthText);
const layers = Number(layersText);
const depth = Number(depthText);
const queries = Number(queriesText);
const store = createStore(
  backend === "postgres" ? { backend, url: where } : { backend, path: where },
);
await store.migrate();
await store.fence(1);

const tableQn = (layer, i) => `bench.t${layer}_${i}@lineage`;
const ref = (layer, i) => ({
  typeName: "hive_table",
  uniqueAttributes: { qualifiedName: tableQn(layer, i) },
});
const t0 = performance.now();
await store.createOrUpdate(
  1,
  {
    entities: [
      {
        typeName: "hive_db",
        attributes: { qualifiedName: "bench@lineage", name: "bench", clusterName: "lineage" },
      },
    ],
    referredEntities: {},
  },
  "bench",
);
let entities = 1;
// A seeded generator: the same graph every run.
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
for (let layer = 0; layer < layers; layer++) {
  for (let start = 0; start < width; start += 100) {
    const batch = [];
    for (let i = start; i < Math.min(width, start + 100); i++) {
      batch.push({
        typeName: "hive_table",
        attributes: { qualifiedName: tableQn(layer, i), name: `t${layer}_${i}` },
        relationshipAttributes: {
          db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "bench@lineage" } },
        },
      });
      if (layer > 0) {
        const inputs = [0, 1, 2].map(() => ref(layer - 1, Math.floor(random() * width)));
        batch.push({
          typeName: "hive_process",
          attributes: {
            qualifiedName: `bench.p${layer}_${i}@lineage`,
            name: `p${layer}_${i}`,
            // What Atlas's Hive model requires of a hive_process (isOptional false).
            operationType: "QUERY",
            queryText: `insert into t${layer}_${i}`,
            queryPlan: "Not Supported",
            queryId: `q${layer}_${i}`,
            userName: "bench",
            startTime: 1_767_225_600_000,
            endTime: 1_767_225_600_100,
          },
          relationshipAttributes: { inputs, outputs: [ref(layer, i)] },
        });
      }
    }
    await store.createOrUpdate(1, { entities: batch, referredEntities: {} }, "bench");
    entities += batch.length;
  }
}
const buildSeconds = (performance.now() - t0) / 1000;

const guids = async (layer) => {
  const out = [];
  for (let i = 0; i < queries; i++) {
    const found = await store.getByUniqueAttribute(
      "hive_table",
      tableQn(layer, Math.floor(random() * width)),
      { ignoreRelationships: true },
    );
    out.push(found.entity.guid);
  }
  return out;
};
const last = await guids(layers - 1);
const first = await guids(0);
const lineageMs = [];
let answered = 0;
for (const [i, guid] of [...last, ...first].entries()) {
  const s = performance.now();
  const info = await store.lineage(guid, {
    direction: i < last.length ? "INPUT" : "OUTPUT",
    depth,
  });
  lineageMs.push(performance.now() - s);
  answered += Object.keys(info.guidEntityMap).length;
}
const pointMs = [];
for (const guid of [...last, ...first]) {
  const s = performance.now();
  await store.getByGuid(guid);
  pointMs.push(performance.now() - s);
}
await store.close();
process.send({
  entities,
  buildSeconds,
  lineageMs,
  pointMs,
  meanAnswerEntities: answered / lineageMs.length,
});
process.disconnect();
