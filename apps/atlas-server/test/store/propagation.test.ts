/**
 * Classification propagation (docs/contracts/model.md, "Classification propagation"), on both
 * backends: SQLite and a real PostgreSQL started by the testkit. The rules are Atlas's
 * (EntityGraphMapper, DeleteHandlerV1, AtlasRelationshipStoreV2): along lineage in the
 * directions of the relationshipDefs, never over NONE, blocked per relationship, kept on a
 * soft delete unless the source goes with removePropagationsOnEntityDelete.
 */
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/store/types.js";
import { hiveDb, hiveProcessRequired, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const USER = "steward";

const TYPES = {
  classificationDefs: [
    {
      name: "PII",
      superTypes: [],
      attributeDefs: [
        {
          name: "level",
          typeName: "int",
          isOptional: true,
          cardinality: "SINGLE",
          isUnique: false,
        },
      ],
    },
    // Only for datasets: a process on the way is walked through, not tagged.
    { name: "Sensitive", superTypes: [], entityTypes: ["DataSet"], attributeDefs: [] },
  ],
};

const ref = (typeName: string, qualifiedName: string) => ({
  typeName,
  uniqueAttributes: { qualifiedName },
});

const table = (name: string): AtlasEntity => ({
  typeName: "hive_table",
  attributes: { qualifiedName: `sales.${name}@cl1`, name },
  relationshipAttributes: { db: ref("hive_db", "sales@cl1") },
});

const process = (name: string, inputs: string[], outputs: string[]): AtlasEntity => ({
  typeName: "hive_process",
  attributes: { qualifiedName: `${name}@cl1`, name, ...hiveProcessRequired },
  relationshipAttributes: {
    inputs: inputs.map((t) => ref("hive_table", `sales.${t}@cl1`)),
    outputs: outputs.map((t) => ref("hive_table", `sales.${t}@cl1`)),
  },
});

type Shown = {
  typeName: string;
  entityGuid: string;
  entityStatus: string;
  propagate: boolean;
  attributes?: Record<string, unknown>;
};

describe.each<BackendName>(["sqlite", "postgres"])("propagation on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);

  /** A store with db sales and the chain raw → load → clean → report → summary. */
  async function chain() {
    const { store } = await stores.fresh();
    await store.createTypedefs(1, TYPES as never, USER);
    await store.createOrUpdate(1, { referredEntities: {}, entities: [hiveDb("sales")] }, USER);
    await store.createOrUpdate(
      1,
      { referredEntities: {}, entities: ["raw", "clean", "summary"].map(table) },
      USER,
    );
    await store.createOrUpdate(
      1,
      {
        referredEntities: {},
        entities: [process("load", ["raw"], ["clean"]), process("report", ["clean"], ["summary"])],
      },
      USER,
    );
    const guid = async (typeName: string, qn: string) =>
      (await store.getByUniqueAttribute(typeName, qn))!.entity.guid;
    const g = {
      db: await guid("hive_db", "sales@cl1"),
      raw: await guid("hive_table", "sales.raw@cl1"),
      clean: await guid("hive_table", "sales.clean@cl1"),
      summary: await guid("hive_table", "sales.summary@cl1"),
      load: await guid("hive_process", "load@cl1"),
      report: await guid("hive_process", "report@cl1"),
    };
    return { store, g };
  }

  const shown = async (store: MetadataStore, guid: string) =>
    ((await store.getByGuid(guid))!.entity.classifications ?? []) as unknown as Shown[];
  /** "PII<-source guid" for each classification an entity shows. */
  const tags = async (store: MetadataStore, guid: string) =>
    (await shown(store, guid)).map((c) => `${c.typeName}<-${c.entityGuid}`);
  const classify = (store: MetadataStore, guid: string, c: Record<string, unknown>) =>
    store.editEntities(
      1,
      [{ guid, typeName: "" }],
      {
        op: "addClassifications",
        classifications: [c],
      },
      USER,
    );
  const relationshipBetween = async (store: MetadataStore, guid: string, attribute: string) => {
    const e = (await store.getByGuid(guid))!.entity;
    const list = e.relationshipAttributes[attribute] as { relationshipGuid: string }[];
    return list[0]!.relationshipGuid;
  };

  it("a tag on the source table reaches every process and table downstream, with the source's entityGuid", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII", attributes: { level: 3 } });
    for (const at of [g.load, g.clean, g.report, g.summary]) {
      const [c] = await shown(store, at);
      expect(c).toMatchObject({
        typeName: "PII",
        entityGuid: g.raw,
        entityStatus: "ACTIVE",
        propagate: true,
        attributes: { level: 3 },
      });
    }
    expect(await tags(store, g.raw)).toEqual([`PII<-${g.raw}`]);
    // Not upstream, not over hive_table_db (propagateTags NONE).
    expect(await tags(store, g.db)).toEqual([]);
    const found = await store.searchBasic({ typeName: "hive_table", query: "summary" });
    expect(found.entities[0]!.classificationNames).toEqual(["PII"]);
    const lineage = await store.lineage(g.summary, { direction: "INPUT", depth: 3 });
    expect(lineage!.guidEntityMap[g.clean]!.classificationNames).toEqual(["PII"]);
  });

  it("a search by classification finds the entities that received it, as Atlas's index does", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII", attributes: { level: 3 } });
    const guids = async (params: Parameters<MetadataStore["searchBasic"]>[0]) =>
      (await store.searchBasic(params)).entities.map((e) => e.guid).sort();
    expect(await guids({ typeName: "hive_table", classification: "PII" })).toEqual(
      [g.raw, g.clean, g.summary].sort(),
    );
    expect(await guids({ typeName: "hive_table", classification: "_CLASSIFIED" })).toEqual(
      [g.raw, g.clean, g.summary].sort(),
    );
    expect(await guids({ typeName: "hive_db", classification: "_NOT_CLASSIFIED" })).toEqual([g.db]);
    expect(await guids({ typeName: "hive_table", classification: "_NOT_CLASSIFIED" })).toEqual([]);
    // tagFilters test the entity's own classification attributes only.
    expect(
      await guids({
        typeName: "hive_table",
        classification: "PII",
        tagFilters: { attributeName: "level", operator: "=", attributeValue: "3" },
      }),
    ).toEqual([g.raw]);
  });

  it("follows the directions of the relationshipDefs: a tag downstream never flows upstream", async () => {
    const { store, g } = await chain();
    await classify(store, g.clean, { typeName: "PII" });
    expect(await tags(store, g.summary)).toEqual([`PII<-${g.clean}`]);
    expect(await tags(store, g.report)).toEqual([`PII<-${g.clean}`]);
    expect(await tags(store, g.load)).toEqual([]);
    expect(await tags(store, g.raw)).toEqual([]);
  });

  it("an update to the source shows everywhere; removing it removes every propagation", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII", attributes: { level: 1 } });
    await store.editEntities(
      1,
      [{ guid: g.raw, typeName: "" }],
      {
        op: "updateClassifications",
        classifications: [{ typeName: "PII", attributes: { level: 2 } }],
      },
      USER,
    );
    expect((await shown(store, g.summary))[0]!.attributes).toEqual({ level: 2 });
    await store.editEntities(
      1,
      [{ guid: g.raw, typeName: "" }],
      {
        op: "removeClassification",
        name: "PII",
      },
      USER,
    );
    for (const at of [g.load, g.clean, g.report, g.summary])
      expect(await tags(store, at)).toEqual([]);
  });

  it("propagate false keeps the tag at its entity; turning it on and off adds and removes the propagations", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII", propagate: false });
    expect(await tags(store, g.clean)).toEqual([]);
    const update = (propagate: boolean) =>
      store.editEntities(
        1,
        [{ guid: g.raw, typeName: "" }],
        {
          op: "updateClassifications",
          classifications: [{ typeName: "PII", propagate }],
        },
        USER,
      );
    await update(true);
    expect(await tags(store, g.summary)).toEqual([`PII<-${g.raw}`]);
    await update(false);
    expect(await tags(store, g.summary)).toEqual([]);
  });

  it("a tag the classificationDef does not allow on a process passes through it to the next table", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "Sensitive" });
    expect(await tags(store, g.load)).toEqual([]);
    expect(await tags(store, g.clean)).toEqual([`Sensitive<-${g.raw}`]);
  });

  it("lineage created after the tag carries it: the linker's new relationships propagate in the same write", async () => {
    const { store, g } = await chain();
    await classify(store, g.summary, { typeName: "PII" });
    await store.createOrUpdate(1, { referredEntities: {}, entities: [table("archive")] }, USER);
    await store.createOrUpdate(
      1,
      { referredEntities: {}, entities: [process("backup", ["summary"], ["archive"])] },
      USER,
    );
    const archive = (await store.getByUniqueAttribute("hive_table", "sales.archive@cl1"))!.entity;
    expect(archive.classifications.map((c) => c.entityGuid)).toEqual([g.summary]);
  });

  it("column lineage: a tagged column reaches the derived column, not its table", async () => {
    const { store, g } = await chain();
    const col = (t: string, name: string): AtlasEntity => ({
      typeName: "hive_column",
      attributes: { qualifiedName: `sales.${t}.${name}@cl1`, name, type: "string" },
      relationshipAttributes: { table: ref("hive_table", `sales.${t}@cl1`) },
    });
    await store.createOrUpdate(
      1,
      { referredEntities: {}, entities: [col("raw", "ssn"), col("clean", "ssn")] },
      USER,
    );
    await store.createOrUpdate(
      1,
      {
        referredEntities: {},
        entities: [
          {
            typeName: "hive_column_lineage",
            attributes: {
              qualifiedName: "load@cl1:sales.clean.ssn",
              name: "ssn",
              depenendencyType: "SIMPLE",
            },
            relationshipAttributes: {
              query: ref("hive_process", "load@cl1"),
              inputs: [ref("hive_column", "sales.raw.ssn@cl1")],
              outputs: [ref("hive_column", "sales.clean.ssn@cl1")],
            },
          },
        ],
      },
      USER,
    );
    const rawSsn = (await store.getByUniqueAttribute("hive_column", "sales.raw.ssn@cl1"))!.entity;
    await classify(store, rawSsn.guid, { typeName: "PII" });
    const cleanSsn = (await store.getByUniqueAttribute("hive_column", "sales.clean.ssn@cl1"))!
      .entity;
    expect(cleanSsn.classifications.map((c) => c.entityGuid)).toEqual([rawSsn.guid]);
    expect(await tags(store, g.clean)).toEqual([]);
    expect(await tags(store, g.raw)).toEqual([]);
  });

  it("ends in a cycle: the source does not receive its own tag and every member gets it once", async () => {
    const { store, g } = await chain();
    await store.createOrUpdate(
      1,
      { referredEntities: {}, entities: [process("loop", ["summary"], ["raw"])] },
      USER,
    );
    await classify(store, g.clean, { typeName: "PII" });
    expect(await tags(store, g.clean)).toEqual([`PII<-${g.clean}`]);
    for (const at of [g.report, g.summary, g.raw, g.load])
      expect(await tags(store, at)).toEqual([`PII<-${g.clean}`]);
  });

  it("the same tag directly and by propagation shows twice, each with its own entityGuid", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII" });
    await classify(store, g.clean, { typeName: "PII", attributes: { level: 9 } });
    expect(await tags(store, g.clean)).toEqual([`PII<-${g.clean}`, `PII<-${g.raw}`]);
    expect((await tags(store, g.summary)).sort()).toEqual(
      [`PII<-${g.clean}`, `PII<-${g.raw}`].sort(),
    );
    const header = await store.searchBasic({ typeName: "hive_table", query: "clean" });
    expect(header.entities[0]!.classificationNames).toEqual(["PII"]);
  });

  it("the receiving entity can neither update nor remove what it receives (Atlas's codes)", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII" });
    const at = [{ guid: g.clean, typeName: "" }];
    await expect(
      store.editEntities(
        1,
        at,
        {
          op: "updateClassifications",
          classifications: [{ typeName: "PII", entityGuid: g.raw, propagate: true }],
        },
        USER,
      ),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ENTITY", atlasErrorCode: "ATLAS-400-00-06B" });
    await expect(
      store.editEntities(1, at, { op: "removeClassification", name: "PII" }, USER),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-06D" });
    await expect(
      store.removePropagatedClassification(1, g.clean, "PII", g.raw, USER),
    ).rejects.toMatchObject({
      name: "StoreInvalidEntityError",
      atlasErrorCode: "ATLAS-400-00-089",
    });
    await expect(
      store.removePropagatedClassification(1, g.clean, "PII", g.summary, USER),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-070" });
    expect(await tags(store, g.clean)).toEqual([`PII<-${g.raw}`]);
  });

  it("an entity written back as GET showed it does not turn a received tag into its own", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII" });
    const clean = (await store.getByGuid(g.clean))!.entity;
    await store.createOrUpdate(
      1,
      {
        referredEntities: {},
        entities: [{ ...clean, attributes: { ...clean.attributes, description: "x" } }],
      },
      USER,
      {
        replaceClassifications: true,
      },
    );
    await store.editEntities(
      1,
      [{ guid: g.raw, typeName: "" }],
      { op: "removeClassification", name: "PII" },
      USER,
    );
    expect(await tags(store, g.clean)).toEqual([]);
  });

  it("deleting the source with removePropagationsOnEntityDelete removes its propagations", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII", removePropagationsOnEntityDelete: true });
    await store.deleteByGuid(1, g.raw, USER);
    for (const at of [g.load, g.clean, g.summary]) expect(await tags(store, at)).toEqual([]);
  });

  it("deleting the source without it keeps them, with entityStatus DELETED; then they can be removed one by one", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII" });
    await store.deleteByGuid(1, g.raw, USER);
    const [c] = await shown(store, g.summary);
    expect(c).toMatchObject({ typeName: "PII", entityGuid: g.raw, entityStatus: "DELETED" });
    await store.removePropagatedClassification(1, g.summary, "PII", g.raw, USER);
    expect(await tags(store, g.summary)).toEqual([]);
    expect(await tags(store, g.clean)).toEqual([`PII<-${g.raw}`]);
  });

  it("deleting a relationship or an entity on the path keeps what was propagated, as Atlas's soft delete", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII" });
    await store.deleteRelationship(
      1,
      await relationshipBetween(store, g.summary, "outputFromProcesses"),
      USER,
    );
    await store.deleteByGuid(1, g.load, USER);
    expect(await tags(store, g.summary)).toEqual([`PII<-${g.raw}`]);
    expect(await tags(store, g.load)).toEqual([`PII<-${g.raw}`]);
    // Removing the tag at its source still removes every propagation.
    await store.editEntities(
      1,
      [{ guid: g.raw, typeName: "" }],
      { op: "removeClassification", name: "PII" },
      USER,
    );
    expect(await tags(store, g.summary)).toEqual([]);
  });

  it("a relationship blocks one source's tag: downstream loses it, the relationship lists it as blocked; unblocking brings it back", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII" });
    await classify(store, g.clean, { typeName: "PII" });
    const rel = await relationshipBetween(store, g.clean, "inputToProcesses");
    const before = (await store.getRelationship(rel))!.relationship as Record<string, Shown[]>;
    expect(before.propagatedClassifications!.map((c) => c.entityGuid).sort()).toEqual(
      [g.clean, g.raw].sort(),
    );
    await store.updateRelationship(
      1,
      {
        guid: rel,
        blockedPropagatedClassifications: [{ typeName: "PII", entityGuid: g.raw }],
      },
      USER,
    );
    expect(await tags(store, g.summary)).toEqual([`PII<-${g.clean}`]);
    expect(await tags(store, g.report)).toEqual([`PII<-${g.clean}`]);
    const after = await store.getRelationship(rel, { extendedInfo: true });
    const r = after!.relationship as Record<string, Shown[]>;
    expect(r.propagatedClassifications!.map((c) => c.entityGuid)).toEqual([g.clean]);
    expect(r.blockedPropagatedClassifications!.map((c) => c.entityGuid)).toEqual([g.raw]);
    expect(Object.keys(after!.referredEntities!)).toContain(g.raw);
    await store.updateRelationship(1, { guid: rel, blockedPropagatedClassifications: [] }, USER);
    expect((await tags(store, g.summary)).sort()).toEqual(
      [`PII<-${g.clean}`, `PII<-${g.raw}`].sort(),
    );
  });

  it("propagateTags of one relationship: NONE stops it, the def's value brings it back, another direction is refused", async () => {
    const { store, g } = await chain();
    await classify(store, g.raw, { typeName: "PII" });
    const rel = await relationshipBetween(store, g.clean, "inputToProcesses");
    await store.updateRelationship(1, { guid: rel, propagateTags: "NONE" }, USER);
    expect((await store.getRelationship(rel))!.relationship.propagateTags).toBe("NONE");
    expect(await tags(store, g.report)).toEqual([]);
    expect(await tags(store, g.summary)).toEqual([]);
    expect(await tags(store, g.clean)).toEqual([`PII<-${g.raw}`]);
    await store.updateRelationship(1, { guid: rel, propagateTags: "TWO_TO_ONE" }, USER);
    expect(await tags(store, g.summary)).toEqual([`PII<-${g.raw}`]);
    await expect(
      store.updateRelationship(1, { guid: rel, propagateTags: "BOTH" }, USER),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ENTITY", atlasErrorCode: "ATLAS-400-00-091" });
    await expect(
      store.updateRelationship(1, { guid: rel, propagateTags: "SIDEWAYS" }, USER),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ENTITY" });
    expect((await store.getRelationship(rel))!.relationship.propagateTags).toBe("TWO_TO_ONE");
  });

  it("a write of a fenced (stale) epoch propagates nothing", async () => {
    const { store, g } = await chain();
    await store.fence(2);
    await expect(classify(store, g.raw, { typeName: "PII" })).rejects.toMatchObject({
      code: "STORE_FENCED",
    });
    expect(await tags(store, g.raw)).toEqual([]);
    expect(await tags(store, g.summary)).toEqual([]);
  });

  it("a relationship created over REST carries what its ends propagate", async () => {
    const { store, g } = await chain();
    await classify(store, g.summary, { typeName: "PII" });
    await store.createOrUpdate(1, { referredEntities: {}, entities: [table("mirror")] }, USER);
    await store.createOrUpdate(
      1,
      {
        referredEntities: {},
        entities: [
          {
            typeName: "hive_process",
            attributes: { qualifiedName: "copy@cl1", name: "copy", ...hiveProcessRequired },
          },
        ],
      },
      USER,
    );
    const copy = (await store.getByUniqueAttribute("hive_process", "copy@cl1"))!.entity.guid;
    const mirror = (await store.getByUniqueAttribute("hive_table", "sales.mirror@cl1"))!.entity
      .guid;
    await store.createRelationship(
      1,
      { typeName: "dataset_process_inputs", end1: { guid: copy }, end2: { guid: g.summary } },
      USER,
    );
    expect(await tags(store, copy)).toEqual([`PII<-${g.summary}`]);
    await store.createRelationship(
      1,
      { typeName: "process_dataset_outputs", end1: { guid: copy }, end2: { guid: mirror } },
      USER,
    );
    expect(await tags(store, mirror)).toEqual([`PII<-${g.summary}`]);
  });
});
