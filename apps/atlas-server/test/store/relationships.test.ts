/**
 * Relationships and lineage (docs/contracts/model.md), on both backends: SQLite and a real
 * PostgreSQL started by the testkit. Shapes and rules are Atlas's: both ends on GET, guid-only
 * references, owned-array removal, cascade through COMPOSITION from either side, lineage in
 * three directions.
 */
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/store/types.js";
import { hiveDb, hiveProcessRequired, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const USER = "hive";

type Related = { guid: string; relationshipStatus: string; entityStatus: string };

async function create(store: MetadataStore, entities: AtlasEntity[], referred = {}) {
  return store.createOrUpdate(1, { entities, referredEntities: referred }, USER);
}

async function get(store: MetadataStore, guid: string) {
  const found = await store.getByGuid(guid);
  if (!found) throw new Error(`no entity ${guid}`);
  return found.entity;
}

async function guidOf(store: MetadataStore, typeName: string, qualifiedName: string) {
  const found = await store.getByUniqueAttribute(typeName, qualifiedName);
  if (!found) throw new Error(`no ${typeName} ${qualifiedName}`);
  return found.entity.guid;
}

const table = (name: string, extra: Partial<AtlasEntity> = {}): AtlasEntity => ({
  typeName: "hive_table",
  attributes: { qualifiedName: `sales.${name}@cl1`, name },
  relationshipAttributes: {
    db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@cl1" } },
  },
  ...extra,
});

/** A column that names its table (child → parent only, as the Hive hook's column entities do). */
const column = (tableName: string, name: string): AtlasEntity => ({
  typeName: "hive_column",
  attributes: { qualifiedName: `sales.${tableName}.${name}@cl1`, name, type: "string" },
  relationshipAttributes: {
    table: {
      typeName: "hive_table",
      uniqueAttributes: { qualifiedName: `sales.${tableName}@cl1` },
      relationshipType: "hive_table_columns",
    },
  },
});

const ref = (typeName: string, qualifiedName: string) => ({
  typeName,
  uniqueAttributes: { qualifiedName },
});

/** A hive_process from `inputs` to `outputs` (tables by name). */
const process = (name: string, inputs: string[], outputs: string[]): AtlasEntity => ({
  typeName: "hive_process",
  attributes: { qualifiedName: `${name}@cl1`, name, ...hiveProcessRequired },
  relationshipAttributes: {
    inputs: inputs.map((t) => ref("hive_table", `sales.${t}@cl1`)),
    outputs: outputs.map((t) => ref("hive_table", `sales.${t}@cl1`)),
  },
});

describe.each<BackendName>(["sqlite", "postgres"])("relationships on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);

  it("shows both ends: a column that names its table is listed by the table, the table by its db", async () => {
    const { store } = await stores.fresh();
    await create(store, [hiveDb("sales"), table("orders")]);
    await create(store, [column("orders", "id"), column("orders", "amount")]);
    const orders = await get(store, await guidOf(store, "hive_table", "sales.orders@cl1"));
    const columns = orders.relationshipAttributes.columns as Related[];
    expect(columns.map((c) => (c as unknown as { displayText: string }).displayText)).toEqual([
      "id",
      "amount",
    ]);
    const db = await get(store, await guidOf(store, "hive_db", "sales@cl1"));
    expect(db.relationshipAttributes.tables).toEqual([
      expect.objectContaining({ guid: orders.guid, relationshipType: "hive_table_db" }),
    ]);
    // The same relationship from both sides: one guid.
    const id = await get(store, columns[0]!.guid);
    expect((id.relationshipAttributes.table as { relationshipGuid: string }).relationshipGuid).toBe(
      (orders.relationshipAttributes.columns as { relationshipGuid: string }[])[0]!
        .relationshipGuid,
    );
    // A resend changes nothing: no second relationship, no write.
    const again = await create(store, [column("orders", "id")]);
    expect(again.mutatedEntities).toEqual({});
    expect(
      (await get(store, orders.guid)).relationshipAttributes.columns as unknown[],
    ).toHaveLength(2);
  });

  it("takes an object id with a guid alone, or typeName null, where the attribute's type says it is a reference", async () => {
    const { store } = await stores.fresh();
    const { guidAssignments } = await create(store, [hiveDb("sales", "-1")]);
    const dbGuid = guidAssignments["-1"]!;
    const response = await create(
      store,
      [
        {
          typeName: "hive_table",
          guid: "-2",
          attributes: { qualifiedName: "sales.orders@cl1", name: "orders" },
          relationshipAttributes: {
            db: { guid: dbGuid },
            columns: [{ guid: "-3" }, { guid: "-4", typeName: null }],
          },
        },
      ],
      {
        // Each names its table too: the child end of a COMPOSITION is mandatory in Atlas.
        "-3": {
          ...column("orders", "id"),
          guid: "-3",
          relationshipAttributes: { table: { guid: "-2", typeName: "hive_table" } },
        },
        "-4": {
          ...column("orders", "amount"),
          guid: "-4",
          relationshipAttributes: { table: { guid: "-2", typeName: "hive_table" } },
        },
      },
    );
    const orders = await get(store, response.guidAssignments["-2"]!);
    expect(orders.relationshipAttributes.db).toMatchObject({ guid: dbGuid, typeName: "hive_db" });
    expect(orders.relationshipAttributes.columns).toEqual([
      expect.objectContaining({ guid: response.guidAssignments["-3"], typeName: "hive_column" }),
      expect.objectContaining({ guid: response.guidAssignments["-4"], typeName: "hive_column" }),
    ]);
  });

  it("an update of an owned list deletes the children it drops (REPLACE COLUMNS leaves no stale ACTIVE column)", async () => {
    const { store } = await stores.fresh();
    await create(store, [hiveDb("sales"), table("orders")]);
    await create(
      store,
      ["a", "b", "c"].map((c) => column("orders", c)),
    );
    const tableGuid = await guidOf(store, "hive_table", "sales.orders@cl1");
    const cGuid = await guidOf(store, "hive_column", "sales.orders.c@cl1");
    await create(store, [
      table("orders", {
        relationshipAttributes: {
          columns: ["a", "b"].map((c) => ref("hive_column", `sales.orders.${c}@cl1`)),
        },
      }),
    ]);
    const c = await get(store, cGuid);
    expect(c.status).toBe("DELETED");
    expect(c.relationshipAttributes.table).toMatchObject({ relationshipStatus: "DELETED" });
    const columns = (await get(store, tableGuid)).relationshipAttributes.columns as Related[];
    expect(columns.filter((x) => x.relationshipStatus === "ACTIVE")).toHaveLength(2);
    // Deleted ones stay visible with their status, as in Atlas.
    expect(columns.find((x) => x.guid === cGuid)).toMatchObject({
      relationshipStatus: "DELETED",
      entityStatus: "DELETED",
    });
    expect(await store.getByUniqueAttribute("hive_column", "sales.orders.c@cl1")).toBeNull();
  });

  it("deleting a table deletes its columns and storage descriptor when only the children named the parent", async () => {
    const { store } = await stores.fresh();
    await create(store, [hiveDb("sales"), table("orders"), column("orders", "id")]);
    await create(store, [
      {
        typeName: "hive_storagedesc",
        attributes: {
          qualifiedName: "sales.orders@cl1_storage",
          location: "hdfs://x",
          compressed: false,
        },
        relationshipAttributes: { table: ref("hive_table", "sales.orders@cl1") },
      },
    ]);
    const tableGuid = await guidOf(store, "hive_table", "sales.orders@cl1");
    const colGuid = await guidOf(store, "hive_column", "sales.orders.id@cl1");
    const sdGuid = await guidOf(store, "hive_storagedesc", "sales.orders@cl1_storage");
    const dbGuid = await guidOf(store, "hive_db", "sales@cl1");
    const response = await store.deleteByGuid(1, tableGuid, USER);
    expect(response.mutatedEntities.DELETE?.map((h) => h.guid).sort()).toEqual(
      [tableGuid, colGuid, sdGuid].sort(),
    );
    expect((await get(store, dbGuid)).status).toBe("ACTIVE");
    expect((await get(store, dbGuid)).relationshipAttributes.tables).toEqual([
      expect.objectContaining({ guid: tableGuid, relationshipStatus: "DELETED" }),
    ]);
  });

  it("a column given to another table leaves the first one (the column's end is single-valued)", async () => {
    const { store } = await stores.fresh();
    await create(store, [hiveDb("sales"), table("a"), table("b"), column("a", "id")]);
    const colGuid = await guidOf(store, "hive_column", "sales.a.id@cl1");
    await create(store, [
      table("b", {
        relationshipAttributes: { columns: [{ guid: colGuid, typeName: "hive_column" }] },
      }),
    ]);
    const a = await get(store, await guidOf(store, "hive_table", "sales.a@cl1"));
    const b = await get(store, await guidOf(store, "hive_table", "sales.b@cl1"));
    expect(
      (a.relationshipAttributes.columns as Related[]).map((c) => c.relationshipStatus),
    ).toEqual(["DELETED"]);
    expect(b.relationshipAttributes.columns).toEqual([
      expect.objectContaining({ guid: colGuid, relationshipStatus: "ACTIVE" }),
    ]);
    expect((await get(store, colGuid)).status).toBe("ACTIVE");
  });

  it("refuses a reference of the wrong type with Atlas's 400, and writes nothing", async () => {
    const { store } = await stores.fresh();
    await create(store, [hiveDb("sales"), hiveDb("other", "-2")]);
    const error = await create(store, [
      table("orders", { relationshipAttributes: { columns: [ref("hive_db", "other@cl1")] } }),
    ]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "STORE_INVALID_ENTITY",
      httpStatus: 400,
      atlasErrorCode: "ATLAS-400-00-045",
    });
    expect(await store.getByUniqueAttribute("hive_table", "sales.orders@cl1")).toBeNull();
  });

  it("REST creates no shells: a reference to a missing entity is 404 ATLAS-404-00-00A and nothing is written", async () => {
    const { store } = await stores.fresh();
    const error = await store
      .createOrUpdate(1, { entities: [table("orders")], referredEntities: {} }, USER, {
        createShells: false,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "STORE_REFERENCE_NOT_FOUND",
      httpStatus: 404,
      atlasErrorCode: "ATLAS-404-00-00A",
    });
    expect(await store.getByUniqueAttribute("hive_db", "sales@cl1")).toBeNull();
    // Hooks (the default) get Atlas's shell.
    await create(store, [table("orders")]);
    expect((await store.getByUniqueAttribute("hive_db", "sales@cl1"))!.entity.isIncomplete).toBe(
      true,
    );
  });

  describe("lineage", () => {
    /** raw → clean → report, plus clean → audit: t = tables, p = processes. */
    async function pipeline(store: MetadataStore) {
      await create(store, [
        hiveDb("sales"),
        ...["raw", "clean", "report", "audit"].map((t) => table(t)),
      ]);
      await create(store, [
        process("p1", ["raw"], ["clean"]),
        process("p2", ["clean"], ["report"]),
        process("p3", ["clean"], ["audit"]),
      ]);
      const g: Record<string, string> = {};
      for (const t of ["raw", "clean", "report", "audit"])
        g[t] = await guidOf(store, "hive_table", `sales.${t}@cl1`);
      for (const p of ["p1", "p2", "p3"]) g[p] = await guidOf(store, "hive_process", `${p}@cl1`);
      return g;
    }
    const edges = (
      info: { relations: { fromEntityId: string; toEntityId: string }[] },
      g: Record<string, string>,
    ) => {
      const name = Object.fromEntries(Object.entries(g).map(([k, v]) => [v, k]));
      return info.relations.map((r) => `${name[r.fromEntityId]}>${name[r.toEntityId]}`).sort();
    };

    it("walks INPUT, OUTPUT and BOTH from a dataset, to the depth asked, in Atlas's shape", async () => {
      const { store } = await stores.fresh();
      const g = await pipeline(store);
      const input = (await store.lineage(g.report!, { direction: "INPUT", depth: 3 }))!;
      expect(input).toMatchObject({
        baseEntityGuid: g.report,
        lineageDirection: "INPUT",
        lineageDepth: 3,
      });
      expect(edges(input, g)).toEqual(["clean>p2", "p1>clean", "p2>report", "raw>p1"]);
      expect(input.guidEntityMap[g.raw!]).toMatchObject({
        typeName: "hive_table",
        displayText: "raw",
        status: "ACTIVE",
      });
      expect(input.relations.every((r) => /^[0-9a-f-]{36}$/.test(r.relationshipId))).toBe(true);
      const shallow = (await store.lineage(g.report!, { direction: "INPUT", depth: 1 }))!;
      expect(edges(shallow, g)).toEqual(["clean>p2", "p2>report"]);
      const output = (await store.lineage(g.raw!, { direction: "OUTPUT", depth: 0 }))!;
      expect(edges(output, g)).toEqual([
        "clean>p2",
        "clean>p3",
        "p1>clean",
        "p2>report",
        "p3>audit",
        "raw>p1",
      ]);
      const both = (await store.lineage(g.clean!, { direction: "BOTH", depth: 1 }))!;
      expect(edges(both, g)).toEqual([
        "clean>p2",
        "clean>p3",
        "p1>clean",
        "p2>report",
        "p3>audit",
        "raw>p1",
      ]);
      expect(Object.keys(both.guidEntityMap)).toHaveLength(7);
      // From a process: its own inputs, then on.
      const fromProcess = (await store.lineage(g.p2!, { direction: "INPUT", depth: 2 }))!;
      expect(edges(fromProcess, g)).toEqual(["clean>p2", "p1>clean", "raw>p1"]);
    });

    it("leaves out deleted entities unless asked, ends on cycles, refuses a type outside lineage", async () => {
      const { store } = await stores.fresh();
      const g = await pipeline(store);
      await store.deleteByGuid(1, g.p1!, USER);
      const input = (await store.lineage(g.clean!, { direction: "INPUT", depth: 3 }))!;
      expect(input.relations).toEqual([]);
      const withDeleted = (await store.lineage(g.clean!, {
        direction: "INPUT",
        depth: 3,
        includeDeleted: true,
      }))!;
      expect(withDeleted.guidEntityMap[g.p1!]).toMatchObject({ status: "DELETED" });
      expect(withDeleted.relations).toHaveLength(2);
      // A cycle (report feeds raw) ends.
      await create(store, [
        process("loop", ["report"], ["raw"]),
        process("p1b", ["raw"], ["clean"]),
      ]);
      const cyclic = (await store.lineage(g.report!, { direction: "OUTPUT", depth: 0 }))!;
      expect(cyclic.relations.length).toBeGreaterThanOrEqual(6);
      const db = await guidOf(store, "hive_db", "sales@cl1");
      await expect(store.lineage(db, { direction: "BOTH", depth: 3 })).rejects.toMatchObject({
        code: "STORE_NOT_A_LINEAGE_ENTITY",
        httpStatus: 404,
        atlasErrorCode: "ATLAS-404-00-011",
      });
      expect(
        await store.lineage("00000000-0000-0000-0000-000000000000", {
          direction: "BOTH",
          depth: 3,
        }),
      ).toBeNull();
      expect(
        await store.lineage(
          { typeName: "hive_table", qualifiedName: "sales.report@cl1" },
          {
            direction: "INPUT",
            depth: 1,
          },
        ),
      ).toMatchObject({ baseEntityGuid: g.report });
    });

    it("a Process's legacy inputs/outputs attributes show the same relationships", async () => {
      const { store } = await stores.fresh();
      const g = await pipeline(store);
      const p1 = await get(store, g.p1!);
      expect(p1.attributes.inputs).toEqual([
        {
          guid: g.raw,
          typeName: "hive_table",
          uniqueAttributes: { qualifiedName: "sales.raw@cl1" },
        },
      ]);
      expect(p1.relationshipAttributes.outputs).toEqual([
        expect.objectContaining({ guid: g.clean, relationshipType: "process_dataset_outputs" }),
      ]);
      const clean = await get(store, g.clean!);
      expect(clean.relationshipAttributes.outputFromProcesses).toEqual([
        expect.objectContaining({ guid: g.p1 }),
      ]);
      expect((clean.relationshipAttributes.inputToProcesses as unknown[]).length).toBe(2);
    });
  });
});
