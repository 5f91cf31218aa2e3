/**
 * The store contract, run against both backends: SQLite (a temp file) and a real PostgreSQL
 * server started by the testkit (Debian's binaries). Each test gets a fresh database.
 */
import type { AtlasEntity, JsonValue } from "@atlas-ha/atlas-model";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/store/types.js";
import {
  hiveDb,
  hiveProcessRequired,
  hiveTableWithColumns,
  storeFactory,
  type BackendName,
} from "./helpers.js";

const pg = usePostgres();
const USER = "alice";

async function create(
  store: MetadataStore,
  entities: AtlasEntity[],
  epoch = 1,
  referredEntities: Record<string, AtlasEntity> = {},
) {
  return store.createOrUpdate(epoch, { entities, referredEntities }, USER);
}

async function entity(store: MetadataStore, typeName: string, qualifiedName: string) {
  const found = await store.getByUniqueAttribute(typeName, qualifiedName);
  if (!found) throw new Error(`no ${typeName} ${qualifiedName}`);
  return found.entity;
}

describe.each<BackendName>(["sqlite", "postgres"])("the %s store", (backend) => {
  const stores = storeFactory(backend, pg);

  describe("schema and types", () => {
    it("migrate seeds the Atlas base types and the hook models", async () => {
      const { store } = await stores.fresh();
      const defs = await store.getTypedefs();
      const names = defs.entityDefs.map((d) => d.name);
      for (const name of [
        "Referenceable",
        "Asset",
        "DataSet",
        "Process",
        "Infrastructure",
        "hive_db",
        "hive_table",
        "hive_column",
        "hive_storagedesc",
        "hive_process",
        "hive_process_execution",
        "hive_db_ddl",
        "hive_table_ddl",
        "hbase_namespace",
        "hbase_table",
        "hbase_column_family",
        "kafka_topic",
        "hdfs_path",
      ]) {
        expect(names).toContain(name);
      }
      const referenceable = defs.entityDefs.find((d) => d.name === "Referenceable")!;
      expect(referenceable.attributeDefs).toContainEqual(
        expect.objectContaining({
          name: "qualifiedName",
          typeName: "string",
          isUnique: true,
          isOptional: false,
          cardinality: "SINGLE",
        }),
      );
      const table = (await store.getTypedef("hive_table"))!;
      expect(table).toMatchObject({
        category: "ENTITY",
        superTypes: ["DataSet"],
        createdBy: "atlas",
        version: 1,
      });
      expect(typeof table.guid).toBe("string");
      expect(defs.relationshipDefs.map((d) => d.name)).toContain("hive_table_columns");
      expect(defs.enumDefs.map((d) => d.name)).toContain("hive_principal_type");
      expect(defs.structDefs.map((d) => d.name)).toContain("hive_serde");
      expect(await store.ping()).toBe(true);
    });

    it("migrate is idempotent, also when several instances run it at once on one database", async () => {
      const config = await stores.config();
      const instances = [stores.open(config), stores.open(config), stores.open(config)];
      await Promise.all(instances.map((s) => s.migrate()));
      await instances[0]!.migrate();
      const defs = await instances[1]!.getTypedefs();
      const names = defs.entityDefs.map((d) => d.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toContain("hive_table");
      await create(instances[2]!, [hiveDb("sales")]);
      expect((await entity(instances[0]!, "hive_db", "sales@cl1")).typeName).toBe("hive_db");
    });

    it("creating a type that exists answers 409 and creates nothing of the request", async () => {
      const { store } = await stores.fresh();
      const error = await store
        .createTypedefs(
          1,
          {
            entityDefs: [
              { name: "new_type", superTypes: ["DataSet"], attributeDefs: [] },
              { name: "hive_table", superTypes: [], attributeDefs: [] },
            ],
          },
          USER,
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "StoreTypeExistsError",
        code: "STORE_TYPE_EXISTS",
        httpStatus: 409,
        atlasErrorCode: "ATLAS-409-00-001",
      });
      expect(await store.getTypedef("new_type")).toBeNull();
    });

    it("a created entity type can be used at once, by this and by another instance", async () => {
      const { store, config } = await stores.fresh();
      const other = stores.open(config);
      await other.getTypedefs(); // warm its typedef cache before the type exists
      const created = await store.createTypedefs(
        1,
        {
          entityDefs: [
            {
              name: "spark_app",
              superTypes: ["Process"],
              attributeDefs: [
                {
                  name: "appId",
                  typeName: "string",
                  isOptional: false,
                  cardinality: "SINGLE",
                  isUnique: false,
                },
              ],
            },
          ],
        },
        USER,
      );
      expect(created.entityDefs).toHaveLength(1);
      expect(created.entityDefs[0]).toMatchObject({
        name: "spark_app",
        category: "ENTITY",
        createdBy: USER,
        version: 1,
      });
      const response = await create(other, [
        {
          typeName: "spark_app",
          guid: "-1",
          attributes: { qualifiedName: "app-1", name: "app", appId: "a1" },
        },
      ]);
      expect(response.mutatedEntities.CREATE).toHaveLength(1);
      expect(
        (await store.searchBasic({ typeName: "Process" })).entities.map((e) => e.typeName),
      ).toEqual(["spark_app"]);
    });

    it("a typedef with an unknown supertype or a supertype cycle is refused", async () => {
      const { store } = await stores.fresh();
      await expect(
        store.createTypedefs(
          1,
          { entityDefs: [{ name: "orphan", superTypes: ["NoSuchType"], attributeDefs: [] }] },
          USER,
        ),
      ).rejects.toMatchObject({ code: "STORE_INVALID_TYPEDEF", httpStatus: 400 });
      await expect(
        store.createTypedefs(
          1,
          {
            entityDefs: [
              { name: "a_t", superTypes: ["b_t"], attributeDefs: [] },
              { name: "b_t", superTypes: ["a_t"], attributeDefs: [] },
            ],
          },
          USER,
        ),
      ).rejects.toMatchObject({ code: "STORE_INVALID_TYPEDEF" });
    });
  });

  describe("entities", () => {
    it("creates an entity, assigns a real guid to its placeholder and returns it by guid and by qualifiedName", async () => {
      const { store } = await stores.fresh({ now: () => 1_700_000_000_000 });
      const response = await create(store, [hiveDb("sales")]);
      const guid = response.guidAssignments["-1"]!;
      expect(guid).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.mutatedEntities).toEqual({
        CREATE: [
          {
            typeName: "hive_db",
            guid,
            status: "ACTIVE",
            displayText: "sales",
            attributes: { qualifiedName: "sales@cl1", name: "sales", owner: "hive" },
            classificationNames: [],
            isIncomplete: false,
          },
        ],
      });
      const found = await store.getByGuid(guid);
      expect(found?.entity).toEqual({
        typeName: "hive_db",
        guid,
        status: "ACTIVE",
        version: 0,
        isIncomplete: false,
        createdBy: USER,
        updatedBy: USER,
        createTime: 1_700_000_000_000,
        updateTime: 1_700_000_000_000,
        attributes: {
          qualifiedName: "sales@cl1",
          name: "sales",
          clusterName: "cl1",
          owner: "hive",
        },
        // Every relationship attribute of the type, as Atlas shows them: none related yet.
        relationshipAttributes: expect.objectContaining({ tables: [], ddlQueries: [] }),
        classifications: [],
      });
      expect((await entity(store, "hive_db", "sales@cl1")).guid).toBe(guid);
      expect(await store.getByGuid("00000000-0000-0000-0000-000000000000")).toBeNull();
      expect(await store.getByUniqueAttribute("hive_db", "nope@cl1")).toBeNull();
    });

    it("upserts by type + qualifiedName: the same name updates the entity, an unchanged resend changes nothing", async () => {
      const { store } = await stores.fresh();
      const first = await create(store, [hiveDb("sales")]);
      const guid = first.guidAssignments["-1"]!;
      const second = await create(store, [hiveDb("sales", "-7", { description: "orders" })]);
      expect(second.guidAssignments).toEqual({ "-7": guid });
      expect(second.mutatedEntities.UPDATE?.map((h) => h.guid)).toEqual([guid]);
      expect(second.mutatedEntities.CREATE).toBeUndefined();
      const updated = await entity(store, "hive_db", "sales@cl1");
      expect(updated).toMatchObject({
        version: 1,
        attributes: { description: "orders", owner: "hive" },
      });
      const third = await create(store, [hiveDb("sales", "-8", { description: "orders" })]);
      expect(third.mutatedEntities).toEqual({});
      expect((await entity(store, "hive_db", "sales@cl1")).version).toBe(1);
      // The same qualifiedName under another type is another entity.
      const other = await create(store, [
        {
          typeName: "hive_table",
          guid: "-1",
          attributes: { qualifiedName: "sales@cl1", name: "t" },
        },
      ]);
      expect(other.mutatedEntities.CREATE).toHaveLength(1);
    });

    it("resolves placeholders between the entities of a request and its referred entities", async () => {
      const { store } = await stores.fresh();
      await create(store, [hiveDb("sales")]);
      const request = hiveTableWithColumns("sales", "orders", ["id", "amount"]);
      const response = await store.createOrUpdate(1, request, USER);
      expect(Object.keys(response.guidAssignments).sort()).toEqual(["-10", "-100", "-101", "-20"]);
      expect(response.mutatedEntities.CREATE?.map((h) => h.typeName).sort()).toEqual([
        "hive_column",
        "hive_column",
        "hive_storagedesc",
        "hive_table",
      ]);
      const tableGuid = response.guidAssignments["-10"]!;
      const found = (await store.getByGuid(tableGuid))!;
      const db = await entity(store, "hive_db", "sales@cl1");
      // Atlas's AtlasRelatedObjectId: the entity at the other end, seen through the relationship.
      expect(found.entity.relationshipAttributes.db).toMatchObject({
        guid: db.guid,
        typeName: "hive_db",
        entityStatus: "ACTIVE",
        displayText: "sales",
        relationshipType: "hive_table_db",
        relationshipGuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        relationshipStatus: "ACTIVE",
        relationshipAttributes: { typeName: "hive_table_db", attributes: {} },
      });
      expect(found.entity.relationshipAttributes.columns).toEqual([
        expect.objectContaining({
          guid: response.guidAssignments["-100"],
          typeName: "hive_column",
          displayText: "id",
          relationshipType: "hive_table_columns",
          relationshipStatus: "ACTIVE",
        }),
        expect.objectContaining({
          guid: response.guidAssignments["-101"],
          typeName: "hive_column",
          displayText: "amount",
          relationshipType: "hive_table_columns",
        }),
      ]);
      // referredEntities holds what the table owns (columns, storage descriptor), not its db.
      expect(Object.keys(found.referredEntities).sort()).toEqual(
        [
          response.guidAssignments["-100"],
          response.guidAssignments["-101"],
          response.guidAssignments["-20"],
        ].sort(),
      );
      // The other end shows the same relationship: the db lists its table.
      expect((await store.getByGuid(db.guid))!.entity.relationshipAttributes.tables).toEqual([
        expect.objectContaining({
          guid: tableGuid,
          relationshipGuid: (found.entity.relationshipAttributes.db as { relationshipGuid: string })
            .relationshipGuid,
        }),
      ]);
      const column = (await store.getByGuid(response.guidAssignments["-100"]!))!;
      expect(column.entity.relationshipAttributes.table).toMatchObject({
        guid: tableGuid,
        typeName: "hive_table",
      });
      // minExtInfo: the owned entities in their minimal form (Atlas's mapVertexToAtlasEntityMin).
      const min = (await store.getByGuid(tableGuid, { minExtInfo: true }))!.referredEntities;
      expect(Object.keys(min)).toHaveLength(3);
      expect(min[response.guidAssignments["-100"]!]).toEqual(
        expect.objectContaining({
          typeName: "hive_column",
          attributes: { qualifiedName: "sales.orders.id@cl1", name: "id" },
        }),
      );
      expect(min[response.guidAssignments["-100"]!]).not.toHaveProperty("relationshipAttributes");
    });

    it("a reference to an unknown entity by type + qualifiedName creates a shell that a later create fills in", async () => {
      const { store } = await stores.fresh();
      const response = await create(store, [
        {
          typeName: "hive_process",
          guid: "-1",
          attributes: {
            qualifiedName: "load@cl1",
            name: "load",
            ...hiveProcessRequired,
            outputs: [
              { typeName: "hive_table", uniqueAttributes: { qualifiedName: "sales.orders@cl1" } },
            ],
          },
        },
      ]);
      const shell = await entity(store, "hive_table", "sales.orders@cl1");
      expect(shell).toMatchObject({
        isIncomplete: true,
        status: "ACTIVE",
        attributes: { qualifiedName: "sales.orders@cl1" },
      });
      expect(response.mutatedEntities.CREATE?.map((h) => [h.typeName, h.isIncomplete])).toEqual([
        ["hive_process", false],
        ["hive_table", true],
      ]);
      const filled = await create(store, [
        {
          typeName: "hive_table",
          guid: "-3",
          attributes: { qualifiedName: "sales.orders@cl1", name: "orders" },
        },
      ]);
      expect(filled.guidAssignments["-3"]).toBe(shell.guid);
      expect(await entity(store, "hive_table", "sales.orders@cl1")).toMatchObject({
        guid: shell.guid,
        isIncomplete: false,
        version: 1,
      });
      // A reference by a supertype finds the subtype entity rather than creating a shell.
      await create(store, [
        {
          typeName: "hive_process",
          guid: "-1",
          attributes: {
            qualifiedName: "load2@cl1",
            name: "load2",
            ...hiveProcessRequired,
            inputs: [
              { typeName: "DataSet", uniqueAttributes: { qualifiedName: "sales.orders@cl1" } },
            ],
          },
        },
      ]);
      expect((await entity(store, "hive_process", "load2@cl1")).attributes.inputs).toEqual([
        {
          guid: shell.guid,
          typeName: "hive_table",
          uniqueAttributes: { qualifiedName: "sales.orders@cl1" },
        },
      ]);
    });

    it("accepts explicit nulls for every unset field", async () => {
      const { store } = await stores.fresh();
      const response = await create(store, [
        {
          typeName: "hive_table",
          guid: "-1",
          status: null,
          classifications: null,
          relationshipAttributes: null,
          attributes: {
            qualifiedName: "sales.orders@cl1",
            name: "orders",
            comment: null,
            db: {
              guid: null,
              typeName: "hive_db",
              uniqueAttributes: { qualifiedName: "sales@cl1" },
            },
          },
        } as unknown as AtlasEntity,
      ]);
      expect(response.mutatedEntities.CREATE?.map((h) => h.typeName)).toEqual([
        "hive_table",
        "hive_db",
      ]);
      const table = await entity(store, "hive_table", "sales.orders@cl1");
      expect(table).toMatchObject({ classifications: [], attributes: { comment: null } });
      // hive_table.db is a relationship attribute in Atlas's model: sent under `attributes`,
      // it is a relationship all the same, and shown under relationshipAttributes.
      expect(table.attributes).not.toHaveProperty("db");
      expect(table.relationshipAttributes.db).toMatchObject({
        typeName: "hive_db",
        uniqueAttributes: { qualifiedName: "sales@cl1" },
        relationshipType: "hive_table_db",
      });
      await store.deleteByUniqueAttribute(
        1,
        {
          guid: null,
          typeName: "hive_table",
          uniqueAttributes: { qualifiedName: "sales.orders@cl1" },
        } as never,
        USER,
      );
      expect((await store.getByGuid(table.guid))!.entity.status).toBe("DELETED");
      // As Atlas: a deleted entity is not found by its unique attribute.
      expect(await store.getByUniqueAttribute("hive_table", "sales.orders@cl1")).toBeNull();
    });

    it("refuses an unknown type, a missing qualifiedName and an unresolvable reference, and writes nothing of the request", async () => {
      const { store } = await stores.fresh();
      const unknown = await create(store, [
        hiveDb("sales"),
        { typeName: "no_such_type", guid: "-2", attributes: { qualifiedName: "x" } },
      ]).catch((e: unknown) => e);
      expect(unknown).toMatchObject({
        name: "StoreUnknownTypeError",
        code: "STORE_UNKNOWN_TYPE",
        httpStatus: 400,
        atlasErrorCode: "ATLAS-400-00-014",
        typeName: "no_such_type",
      });
      expect(await store.getByUniqueAttribute("hive_db", "sales@cl1")).toBeNull();
      await expect(
        create(store, [{ typeName: "hive_db", guid: "-1", attributes: { name: "nameless" } }]),
      ).rejects.toMatchObject({
        code: "STORE_INVALID_ENTITY",
        httpStatus: 400,
      });
      await expect(
        create(store, [
          {
            typeName: "hive_process",
            guid: "-1",
            attributes: {
              qualifiedName: "p@cl1",
              name: "p",
              ...hiveProcessRequired,
              inputs: [{ typeName: "hive_table", guid: "-99" }],
            },
          },
        ]),
      ).rejects.toMatchObject({ code: "STORE_REFERENCE_NOT_FOUND", httpStatus: 404 });
      await expect(
        create(store, [
          {
            typeName: "hive_process",
            guid: "-1",
            attributes: {
              qualifiedName: "p@cl1",
              name: "p",
              ...hiveProcessRequired,
              inputs: [{ typeName: "nope_t", uniqueAttributes: { qualifiedName: "x" } }],
            },
          },
        ]),
      ).rejects.toMatchObject({ code: "STORE_UNKNOWN_TYPE" });
      expect((await store.searchBasic({})).approximateCount).toBe(0);
    });

    it("refuses an entity nested deeper than 64 levels with a typed 400 (not a stack overflow) and takes one at the limit", async () => {
      const { store } = await stores.fresh();
      const nested = (levels: number) =>
        JSON.parse(`${"[".repeat(levels)}${"]".repeat(levels)}`) as JsonValue;
      // entity (1) → attributes (2) → description (3…): 62 list levels reach the limit of 64.
      for (const [where, attempt] of [
        [
          "entities[0]",
          () => create(store, [hiveDb("deep", "-1", { description: nested(100_000) })]),
        ],
        [
          'referredEntities["-2"]',
          () =>
            create(store, [hiveDb("deep")], 1, {
              "-2": hiveDb("deeper", "-2", { description: nested(63) }),
            }),
        ],
        [
          "entity",
          () =>
            store.applyHook(
              1,
              { topic: "T", partition: 0, offset: "1" },
              [
                {
                  kind: "partialUpdate",
                  objectId: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "x@cl1" } },
                  entity: {
                    entity: { typeName: "hive_db", attributes: { description: nested(1000) } },
                    referredEntities: {},
                  },
                },
              ],
              USER,
            ),
        ],
      ] as const) {
        await expect(attempt()).rejects.toMatchObject({
          name: "StoreInvalidEntityError",
          code: "STORE_INVALID_ENTITY",
          httpStatus: 400,
          permanent: true,
          message: `${where} is nested more than 64 levels deep`,
        });
      }
      expect((await store.searchBasic({})).approximateCount).toBe(0);
      await create(store, [hiveDb("at-the-limit", "-1", { description: nested(62) })]);
      expect(await store.getByUniqueAttribute("hive_db", "at-the-limit@cl1")).not.toBeNull();
    });

    it("soft-deletes by guid: status DELETED; a second delete and an unknown guid are no-ops, as in Atlas", async () => {
      const { store } = await stores.fresh();
      const guid = (await create(store, [hiveDb("sales")])).guidAssignments["-1"]!;
      const deleted = await store.deleteByGuid(2, guid, "bob");
      expect(deleted.mutatedEntities.DELETE).toEqual([
        expect.objectContaining({ guid, status: "DELETED", typeName: "hive_db" }),
      ]);
      expect((await store.getByGuid(guid))!.entity).toMatchObject({
        status: "DELETED",
        version: 1,
        updatedBy: "bob",
        createdBy: USER,
      });
      expect(await store.deleteByGuid(2, guid, "bob")).toEqual({
        mutatedEntities: {},
        guidAssignments: {},
      });
      // As Atlas: an unknown guid is "already gone", a no-op, not an error.
      expect(await store.deleteByGuid(2, "00000000-0000-0000-0000-000000000001", "bob")).toEqual({
        mutatedEntities: {},
        guidAssignments: {},
      });
      // In bulk, the unknown ones are skipped and the known ones deleted.
      const other = (await create(store, [hiveDb("other")], 2)).guidAssignments["-1"]!;
      const bulk = await store.deleteByGuids(
        2,
        ["00000000-0000-0000-0000-000000000002", other],
        "bob",
      );
      expect(bulk.mutatedEntities.DELETE?.map((h) => h.guid)).toEqual([other]);
      // The name is free again: creating it makes a new entity; the deleted one stays readable.
      const again = (await create(store, [hiveDb("sales")], 2)).guidAssignments["-1"]!;
      expect(again).not.toBe(guid);
      expect((await entity(store, "hive_db", "sales@cl1")).guid).toBe(again);
      expect((await store.getByGuid(guid))!.entity.status).toBe("DELETED");
    });

    it("deleting a table deletes what it owns (columns, storage descriptor) but not its database", async () => {
      const { store } = await stores.fresh();
      await create(store, [hiveDb("sales")]);
      const created = await store.createOrUpdate(
        1,
        hiveTableWithColumns("sales", "orders", ["id", "amount"]),
        USER,
      );
      const response = await store.deleteByUniqueAttribute(
        2,
        { typeName: "hive_table", uniqueAttributes: { qualifiedName: "sales.orders@cl1" } },
        USER,
      );
      expect(response.mutatedEntities.DELETE?.map((h) => h.typeName).sort()).toEqual([
        "hive_column",
        "hive_column",
        "hive_storagedesc",
        "hive_table",
      ]);
      for (const placeholder of ["-100", "-101", "-20"]) {
        expect((await store.getByGuid(created.guidAssignments[placeholder]!))!.entity.status).toBe(
          "DELETED",
        );
      }
      expect((await entity(store, "hive_db", "sales@cl1")).status).toBe("ACTIVE");
      expect(
        await store.deleteByUniqueAttribute(
          2,
          { typeName: "hive_table", uniqueAttributes: { qualifiedName: "sales.orders@cl1" } },
          USER,
        ),
      ).toEqual({
        mutatedEntities: {},
        guidAssignments: {},
      });
      expect(
        await store.deleteByUniqueAttribute(
          2,
          { typeName: "hive_table", uniqueAttributes: { qualifiedName: "never@cl1" } },
          USER,
        ),
      ).toEqual({ mutatedEntities: {}, guidAssignments: {} });
    });

    it("a partial update changes only the given attributes, and a new qualifiedName renames", async () => {
      const { store } = await stores.fresh();
      const guid = (
        await create(store, [hiveDb("sales", "-1", { description: "d1", location: "/a" })])
      ).guidAssignments["-1"]!;
      const id = { typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@cl1" } };
      const partial = await store.partialUpdateByUniqueAttribute(
        2,
        id,
        {
          entity: { typeName: "hive_db", attributes: { description: "d2" } },
          referredEntities: {},
        },
        USER,
      );
      expect(partial.mutatedEntities.PARTIAL_UPDATE?.map((h) => h.guid)).toEqual([guid]);
      expect(await entity(store, "hive_db", "sales@cl1")).toMatchObject({
        version: 1,
        attributes: { description: "d2", location: "/a", name: "sales", owner: "hive" },
      });

      await store.partialUpdateByUniqueAttribute(
        2,
        id,
        {
          entity: {
            typeName: "hive_db",
            attributes: { qualifiedName: "revenue@cl1", name: "revenue" },
          },
          referredEntities: {},
        },
        USER,
      );
      expect(await store.getByUniqueAttribute("hive_db", "sales@cl1")).toBeNull();
      expect(await entity(store, "hive_db", "revenue@cl1")).toMatchObject({
        guid,
        version: 2,
        attributes: { name: "revenue", description: "d2" },
      });
      // The old name is free: a create makes a new entity.
      const fresh = (await create(store, [hiveDb("sales")], 2)).guidAssignments["-1"];
      expect(fresh).not.toBe(guid);

      await expect(
        store.partialUpdateByUniqueAttribute(
          2,
          { typeName: "hive_db", uniqueAttributes: { qualifiedName: "revenue@cl1" } },
          {
            entity: { typeName: "hive_db", attributes: { qualifiedName: "sales@cl1" } },
            referredEntities: {},
          },
          USER,
        ),
      ).rejects.toMatchObject({ code: "STORE_UNIQUE_CONFLICT", httpStatus: 409 });
      await expect(
        store.partialUpdateByUniqueAttribute(
          2,
          { typeName: "hive_db", uniqueAttributes: { qualifiedName: "ghost@cl1" } },
          {
            entity: { typeName: "hive_db", attributes: { description: "x" } },
            referredEntities: {},
          },
          USER,
        ),
      ).rejects.toMatchObject({ code: "STORE_ENTITY_NOT_FOUND" });
    });

    it("two store instances on one database see each other's writes", async () => {
      const { store, config } = await stores.fresh();
      const other = stores.open(config);
      const guid = (await create(store, [hiveDb("sales")])).guidAssignments["-1"]!;
      expect((await other.getByGuid(guid))?.entity.attributes.name).toBe("sales");
      await other.deleteByGuid(1, guid, USER);
      expect((await store.getByGuid(guid))?.entity.status).toBe("DELETED");
    });
  });

  describe("basic search", () => {
    it("matches name or qualifiedName case-insensitively, includes subtypes, pages, and can exclude deleted entities", async () => {
      const { store } = await stores.fresh();
      await create(store, [hiveDb("Sales"), hiveDb("hr", "-2")]);
      await store.createOrUpdate(1, hiveTableWithColumns("Sales", "Orders", ["id"]), USER);
      await create(store, [
        {
          typeName: "hdfs_path",
          guid: "-1",
          attributes: {
            qualifiedName: "hdfs://nn/sales/raw",
            name: "/sales/raw",
            path: "/sales/raw",
          },
        },
      ]);

      const tables = await store.searchBasic({ typeName: "hive_table", query: "ORDERS" });
      expect(tables).toMatchObject({ queryType: "BASIC", approximateCount: 1 });
      expect(tables.entities.map((e) => e.attributes.qualifiedName)).toEqual(["Sales.Orders@cl1"]);

      const datasets = await store.searchBasic({ typeName: "DataSet", query: "sales" });
      expect(datasets.entities.map((e) => e.typeName).sort()).toEqual([
        "hdfs_path",
        "hive_column",
        "hive_table",
      ]);
      expect(
        (await store.searchBasic({ typeName: "DataSet", query: "sales", includeSubTypes: false }))
          .entities,
      ).toEqual([]);

      const all = await store.searchBasic({ query: "sales" });
      expect(all.approximateCount).toBe(5);
      const page = await store.searchBasic({ query: "sales", limit: 2, offset: 2 });
      expect(page.entities).toHaveLength(2);
      expect(page.approximateCount).toBe(5);
      expect(page.entities.map((e) => e.guid)).toEqual(all.entities.slice(2, 4).map((e) => e.guid));

      expect(
        (await store.searchBasic({ query: "H*R@" })).entities.map(
          (e) => e.attributes.qualifiedName,
        ),
      ).toEqual(["hr@cl1"]);
      expect((await store.searchBasic({ query: "%" })).approximateCount).toBe(0);

      await store.deleteByUniqueAttribute(
        2,
        { typeName: "hive_db", uniqueAttributes: { qualifiedName: "hr@cl1" } },
        USER,
      );
      expect((await store.searchBasic({ typeName: "hive_db" })).approximateCount).toBe(2);
      expect(
        (
          await store.searchBasic({ typeName: "hive_db", excludeDeletedEntities: true })
        ).entities.map((e) => e.displayText),
      ).toEqual(["Sales"]);
      await expect(store.searchBasic({ typeName: "no_such_type" })).rejects.toMatchObject({
        code: "STORE_INVALID_SEARCH",
        atlasErrorCode: "ATLAS-400-00-00A",
      });
    });
  });

  describe("fencing", () => {
    it("refuses a fence or a write with an epoch lower than the highest seen", async () => {
      const { store } = await stores.fresh();
      expect(await store.highestEpoch()).toBe(0);
      await store.fence(5);
      await store.fence(5); // the same leader after a reconnect
      expect(await store.highestEpoch()).toBe(5);
      const error = await store.fence(4).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "StoreFencedError",
        code: "STORE_FENCED",
        epoch: 4,
        highestEpoch: 5,
        fenced: true,
      });
      await expect(create(store, [hiveDb("sales")], 4)).rejects.toMatchObject({
        code: "STORE_FENCED",
        epoch: 4,
        highestEpoch: 5,
      });
      await expect(
        store.createTypedefs(
          4,
          { entityDefs: [{ name: "late_t", superTypes: [], attributeDefs: [] }] },
          USER,
        ),
      ).rejects.toMatchObject({ code: "STORE_FENCED" });
      expect(await store.getByUniqueAttribute("hive_db", "sales@cl1")).toBeNull();
      // A write with a higher epoch is itself a fence.
      await create(store, [hiveDb("sales")], 9);
      expect(await store.highestEpoch()).toBe(9);
      await expect(store.fence(8)).rejects.toMatchObject({ code: "STORE_FENCED", highestEpoch: 9 });
    });

    it("an old active that keeps writing after a new active fenced is refused (two instances)", async () => {
      const { store: a, config } = await stores.fresh();
      const b = stores.open(config);
      await a.fence(5);
      await create(a, [hiveDb("first")], 5);
      await b.fence(6);
      await expect(create(a, [hiveDb("second")], 5)).rejects.toMatchObject({
        code: "STORE_FENCED",
        epoch: 5,
        highestEpoch: 6,
      });
      await expect(
        a.deleteByUniqueAttribute(
          5,
          { typeName: "hive_db", uniqueAttributes: { qualifiedName: "first@cl1" } },
          USER,
        ),
      ).rejects.toMatchObject({
        code: "STORE_FENCED",
      });
      expect(await b.getByUniqueAttribute("hive_db", "second@cl1")).toBeNull();
      expect((await entity(b, "hive_db", "first@cl1")).status).toBe("ACTIVE");
      await create(b, [hiveDb("third")], 6);
    });

    it("records the epoch of every write in a write log whose epochs never decrease", async () => {
      const { store } = await stores.fresh();
      await store.fence(3);
      await create(store, [hiveDb("a")], 3);
      await store.fence(4);
      await create(store, [hiveDb("b")], 4);
      await create(store, [hiveDb("b")], 4); // unchanged: logged, nothing changed
      await store.fence(3).catch(() => undefined);
      const log = await store.writeLog();
      expect(log.map((w) => [w.operation, w.epoch, w.changed])).toEqual([
        ["FENCE", 3, 0],
        ["ENTITY_CREATE_OR_UPDATE", 3, 1],
        ["FENCE", 4, 0],
        ["ENTITY_CREATE_OR_UPDATE", 4, 1],
        ["ENTITY_CREATE_OR_UPDATE", 4, 0],
      ]);
      for (let i = 1; i < log.length; i++) {
        expect(log[i]!.seq).toBeGreaterThan(log[i - 1]!.seq);
        expect(log[i]!.epoch).toBeGreaterThanOrEqual(log[i - 1]!.epoch);
      }
      expect(await store.writeLog({ afterSeq: log[3]!.seq })).toHaveLength(1);
    });
  });

  describe("hook application", () => {
    const position = { topic: "ATLAS_HOOK", partition: 0, offset: "42" };

    it("applies a message once: the same position again changes nothing", async () => {
      const { store } = await stores.fresh();
      const changes = [
        {
          kind: "createOrUpdate" as const,
          entities: { entities: [hiveDb("sales")], referredEntities: {} },
        },
      ];
      const first = await store.applyHook(1, position, changes, "hive");
      expect(first.applied).toBe(true);
      expect(await store.isHookApplied(position)).toBe(true);
      const before = await entity(store, "hive_db", "sales@cl1");
      expect(before.createdBy).toBe("hive");
      const changed = [
        {
          kind: "createOrUpdate" as const,
          entities: {
            entities: [hiveDb("sales", "-1", { description: "changed" })],
            referredEntities: {},
          },
        },
      ];
      expect(await store.applyHook(1, position, changed, "hive")).toEqual({ applied: false });
      // The same offset written with a leading zero is the same position.
      const padded = { ...position, offset: `0${position.offset}` };
      expect(await store.applyHook(1, padded, changed, "hive")).toEqual({ applied: false });
      expect(await entity(store, "hive_db", "sales@cl1")).toEqual(before);
      expect(await store.isHookApplied({ ...position, partition: 1 })).toBe(false);
      const next = await store.applyHook(1, { ...position, offset: "43" }, changed, "hive");
      expect(next).toMatchObject({
        applied: true,
        mutations: {
          mutatedEntities: { UPDATE: [expect.objectContaining({ guid: before.guid })] },
        },
      });
    });

    it("a fenced or failing message records neither its changes nor its position", async () => {
      const { store } = await stores.fresh();
      await store.fence(7);
      const changes = [
        {
          kind: "createOrUpdate" as const,
          entities: { entities: [hiveDb("sales")], referredEntities: {} },
        },
      ];
      await expect(store.applyHook(6, position, changes, "hive")).rejects.toMatchObject({
        code: "STORE_FENCED",
      });
      const failing = [
        ...changes,
        {
          kind: "createOrUpdate" as const,
          entities: {
            entities: [
              { typeName: "no_such_type", attributes: { qualifiedName: "x" } } as AtlasEntity,
            ],
            referredEntities: {},
          },
        },
      ];
      await expect(store.applyHook(7, position, failing, "hive")).rejects.toMatchObject({
        code: "STORE_UNKNOWN_TYPE",
      });
      expect(await store.isHookApplied(position)).toBe(false);
      expect(await store.getByUniqueAttribute("hive_db", "sales@cl1")).toBeNull();
      expect((await store.applyHook(7, position, changes, "hive")).applied).toBe(true);
    });

    it("deleting what is gone is a no-op for hooks", async () => {
      const { store } = await stores.fresh();
      const result = await store.applyHook(
        1,
        position,
        [
          {
            kind: "delete",
            objectIds: [
              { typeName: "hive_table", uniqueAttributes: { qualifiedName: "gone@cl1" } },
            ],
            ifMissing: "ignore",
          },
        ],
        "hive",
      );
      expect(result).toEqual({
        applied: true,
        mutations: { mutatedEntities: {}, guidAssignments: {} },
      });
    });
  });
});
