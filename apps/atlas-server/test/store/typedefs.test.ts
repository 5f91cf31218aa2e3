/**
 * Typedefs in the store as Atlas's typedef store keeps them (AtlasTypeDefGraphStore): create,
 * search filter, update rules, delete refused while used — on SQLite (a temp file) and a real
 * PostgreSQL server started by the testkit. Every write is fenced by its epoch.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { AtlasEntityDef, AtlasTypesDef } from "../../src/models/typedefs.js";
import type { MetadataStore } from "../../src/store/types.js";
import { storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const USER = "alice";

function attr(name: string, typeName: string, isOptional = true) {
  return { name, typeName, isOptional, cardinality: "SINGLE" as const, isUnique: false };
}

const APP: AtlasEntityDef = {
  name: "spark_app",
  superTypes: ["Process"],
  serviceType: "myspark",
  attributeDefs: [attr("appId", "string", false)],
};

async function typedef(store: MetadataStore, name: string) {
  const found = await store.getTypedef(name);
  if (!found) throw new Error(`no typedef ${name}`);
  return found;
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  return (await promise.then(
    () => ({ resolved: true }),
    (e: unknown) => e,
  )) as Record<string, unknown>;
}

describe.each<BackendName>(["sqlite", "postgres"])("typedefs in the %s store", (backend) => {
  const stores = storeFactory(backend, pg);
  let clock = 1_700_000_000_000;
  const deps = { now: () => clock };

  describe("create", () => {
    it("fills guid, createdBy/updatedBy, times, version 1 and a description, and keeps what Atlas keeps", async () => {
      const { store } = await stores.fresh(deps);
      clock = 1_700_000_000_000;
      const created = await store.createTypedefs(
        1,
        {
          entityDefs: [APP],
          enumDefs: [{ name: "app_state", elementDefs: [{ value: "RUNNING", ordinal: 0 }] }],
          structDefs: [
            { name: "app_conf", attributeDefs: [attr("key", "string")], guid: "given-guid-1" },
          ],
        },
        USER,
      );
      expect(created.entityDefs[0]).toMatchObject({
        name: "spark_app",
        category: "ENTITY",
        guid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        createdBy: USER,
        updatedBy: USER,
        createTime: 1_700_000_000_000,
        updateTime: 1_700_000_000_000,
        version: 1,
        typeVersion: "1.0",
        description: "spark_app",
        serviceType: "myspark",
      });
      // Atlas's attribute as it returns it: defaults and derived counts filled in.
      expect(created.entityDefs[0]!.attributeDefs[0]).toEqual({
        name: "appId",
        typeName: "string",
        isOptional: false,
        cardinality: "SINGLE",
        valuesMinCount: 1,
        valuesMaxCount: 1,
        isUnique: false,
        isIndexable: false,
        includeInNotification: false,
        searchWeight: -1,
      });
      expect(created.structDefs[0]!.guid).toBe("given-guid-1");
      expect(created.enumDefs[0]).toMatchObject({ category: "ENUM", version: 1 });
      expect(await store.getTypedefByGuid("given-guid-1")).toMatchObject({ name: "app_conf" });
      // Reads add the direct subtypes Atlas computes; the store keeps only superTypes.
      expect(await typedef(store, "spark_app")).toEqual({
        ...created.entityDefs[0],
        subTypes: [],
        relationshipAttributeDefs: expect.any(Array),
      });
    });

    it("refuses what Atlas refuses, with its codes, and creates nothing of the request", async () => {
      const { store } = await stores.fresh();
      const cases: [Partial<AtlasTypesDef>, string][] = [
        [{ entityDefs: [{ ...APP, name: "1bad" }] }, "ATLAS-400-00-019"],
        [{ entityDefs: [{ ...APP, name: "bad-name" }] }, "ATLAS-400-00-019"],
        [{ entityDefs: [{ ...APP, superTypes: ["NoSuchType"] }] }, "ATLAS-400-00-029"],
        [
          { entityDefs: [{ ...APP, attributeDefs: [attr("x", "no_such_type")] }] },
          "ATLAS-400-00-029",
        ],
        [
          { entityDefs: [{ ...APP, attributeDefs: [attr("x", "array<map<string,nope>>")] }] },
          "ATLAS-400-00-029",
        ],
        [{ structDefs: [{ name: "empty_struct", attributeDefs: [] }] }, "ATLAS-400-00-029"],
        [{ entityDefs: [{ ...APP, attributeDefs: [{ name: "x" } as never] }] }, "ATLAS-400-00-011"],
        [
          {
            entityDefs: [
              { ...APP, attributeDefs: [{ ...attr("x", "string"), cardinality: "MANY" as never }] },
            ],
          },
          "ATLAS-400-00-011",
        ],
      ];
      for (const [defs, code] of cases) {
        const error = await rejection(
          store.createTypedefs(
            1,
            { enumDefs: [{ name: "first_ok", elementDefs: [] }], ...defs },
            USER,
          ),
        );
        expect({ defs, error }).toMatchObject({
          defs,
          error: { code: "STORE_INVALID_TYPEDEF", httpStatus: 400, atlasErrorCode: code },
        });
      }
      expect(await store.getTypedef("first_ok")).toBeNull();
      expect(await store.getTypedef("spark_app")).toBeNull();
      // Atlas's internal names (two underscores) and names with spaces are valid.
      await store.createTypedefs(
        1,
        { classificationDefs: [{ name: "__hidden tag", attributeDefs: [] }] },
        USER,
      );
      expect(await store.getTypedef("__hidden tag")).toMatchObject({ category: "CLASSIFICATION" });
    });
  });

  describe("search filter (Atlas's SearchFilter / FilterUtil)", () => {
    it("filters by type, name, supertype, notsupertype, servicetype and notname", async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(
        1,
        {
          entityDefs: [APP, { name: "spark_job", superTypes: ["spark_app"], attributeDefs: [] }],
          classificationDefs: [
            { name: "PII", attributeDefs: [] },
            { name: "PII_email", superTypes: ["PII"], attributeDefs: [] },
          ],
        },
        USER,
      );
      const names = (defs: AtlasTypesDef) =>
        Object.values(defs)
          .flat()
          .map((d) => (d as { name: string }).name);
      const entities = await store.getTypedefs({ type: "entity" });
      expect(entities.enumDefs).toEqual([]);
      expect(entities.entityDefs.map((d) => d.name)).toContain("hive_table");
      expect(names(await store.getTypedefs({ type: "CLASS" }))).toEqual(
        entities.entityDefs.map((d) => d.name),
      );
      expect(names(await store.getTypedefs({ type: "TRAIT" }))).toEqual(["PII", "PII_email"]);
      expect(names(await store.getTypedefs({ type: "no_such_category" }))).toEqual([]);
      expect(names(await store.getTypedefs({ name: "spark_job" }))).toEqual(["spark_job"]);
      // Supertypes are transitive and exclude the type itself.
      expect(
        names(await store.getTypedefs({ supertype: "Process", servicetype: "myspark" })),
      ).toEqual(["spark_app"]);
      expect(names(await store.getTypedefs({ supertype: "spark_app" }))).toEqual(["spark_job"]);
      expect(await typedef(store, "spark_app")).toMatchObject({ subTypes: ["spark_job"] });
      expect((await typedef(store, "Process")).subTypes).toContain("spark_app");
      expect(names(await store.getTypedefs({ supertype: "PII" }))).toEqual(["PII_email"]);
      const notProcess = names(await store.getTypedefs({ notsupertype: "Process" }));
      expect(notProcess).not.toContain("spark_job");
      expect(notProcess).toContain("hive_table");
      expect(notProcess).toContain("PII");
      expect(names(await store.getTypedefs({ type: "TRAIT", notname: ["PII"] }))).toEqual([
        "PII_email",
      ]);
      expect(names(await store.getTypedefs({ notservicetype: "hive" }))).not.toContain("hive_db");
    });
  });

  describe("reads", () => {
    it("an entity def carries its direct subTypes and the relationship attributes its relationshipDefs give it (also through supertypes)", async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(
        1,
        {
          entityDefs: [
            APP,
            { name: "spark_stage", superTypes: ["DataSet"], attributeDefs: [] },
            { name: "spark_job", superTypes: ["spark_app"], attributeDefs: [] },
          ],
          relationshipDefs: [
            {
              name: "spark_app_stages",
              relationshipCategory: "COMPOSITION",
              attributeDefs: [],
              endDef1: { type: "spark_app", name: "stages", cardinality: "SET", isContainer: true },
              endDef2: { type: "spark_stage", name: "app", cardinality: "SINGLE" },
            },
          ],
        },
        USER,
      );
      const app = (await typedef(store, "spark_app")) as AtlasEntityDef & Record<string, unknown>;
      expect(app.subTypes).toEqual(["spark_job"]);
      expect(app.relationshipAttributeDefs).toContainEqual(
        expect.objectContaining({
          name: "stages",
          typeName: "array<spark_stage>",
          cardinality: "SET",
          isOptional: true,
          constraints: [{ type: "ownedRef" }],
          relationshipTypeName: "spark_app_stages",
          isLegacyAttribute: false,
        }),
      );
      // Inherited from Process's relationshipDefs, and from spark_app's.
      const job = (await typedef(store, "spark_job")) as Record<string, unknown>;
      const names = (job.relationshipAttributeDefs as { name: string }[]).map((a) => a.name);
      expect(names).toContain("stages");
      expect(names).toContain("inputs");
      const stage = (await typedef(store, "spark_stage")) as Record<string, unknown>;
      expect(stage.relationshipAttributeDefs).toContainEqual(
        expect.objectContaining({ name: "app", typeName: "spark_app", isOptional: false }),
      );
      // Sent back in an update, the computed fields are not stored.
      await store.updateTypedefs(1, { entityDefs: [app] }, USER);
      expect(await typedef(store, "spark_app")).toMatchObject({
        subTypes: ["spark_job"],
        version: 2,
      });
    });
  });

  describe("update (Atlas's rules on what an update may change)", () => {
    it("adds an optional attribute: same guid, createdBy and createTime; updatedBy, updateTime, version + 1", async () => {
      const { store } = await stores.fresh(deps);
      clock = 1_700_000_000_000;
      const [created] = (await store.createTypedefs(1, { entityDefs: [APP] }, "bob")).entityDefs;
      clock = 1_700_000_005_000;
      const updated = await store.updateTypedefs(
        1,
        {
          entityDefs: [
            {
              ...APP,
              description: "a Spark application",
              attributeDefs: [...APP.attributeDefs, attr("queue", "string")],
            },
          ],
        },
        USER,
      );
      const after = updated.entityDefs[0]!;
      expect(after).toMatchObject({
        name: "spark_app",
        guid: created!.guid,
        createdBy: "bob",
        createTime: 1_700_000_000_000,
        updatedBy: USER,
        updateTime: 1_700_000_005_000,
        version: 2,
        description: "a Spark application",
      });
      expect(after.attributeDefs.map((a) => a.name)).toEqual(["appId", "queue"]);
      expect(await typedef(store, "spark_app")).toEqual({
        ...after,
        subTypes: [],
        relationshipAttributeDefs: expect.any(Array),
      });
      // By guid, and an update that changes nothing still counts a version, as in Atlas.
      const again = await store.updateTypedefs(1, { entityDefs: [{ ...after }] }, USER);
      expect(again.entityDefs[0]).toMatchObject({ version: 3, guid: created!.guid });
      // The entity type works with the new attribute.
      const response = await store.createOrUpdate(
        1,
        {
          entities: [
            {
              typeName: "spark_app",
              guid: "-1",
              attributes: { qualifiedName: "app@x", name: "app", appId: "1", queue: "q" },
            },
          ],
          referredEntities: {},
        },
        USER,
      );
      expect(response.mutatedEntities.CREATE).toHaveLength(1);
    });

    it("refuses a changed attribute type, a removed or a mandatory new attribute, a removed supertype, changed relationship ends — and changes nothing", async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(
        1,
        {
          entityDefs: [APP, { name: "spark_stage", superTypes: ["DataSet"], attributeDefs: [] }],
          classificationDefs: [{ name: "Gold", attributeDefs: [], entityTypes: ["spark_app"] }],
          relationshipDefs: [
            {
              name: "spark_app_stages",
              relationshipCategory: "AGGREGATION",
              attributeDefs: [],
              endDef1: { type: "spark_app", name: "stages", cardinality: "SET", isContainer: true },
              endDef2: { type: "spark_stage", name: "app", cardinality: "SINGLE" },
            },
          ],
        },
        USER,
      );
      const rel = (await typedef(store, "spark_app_stages")) as never as Record<string, unknown>;
      const cases: [Partial<AtlasTypesDef>, string][] = [
        [
          { entityDefs: [{ ...APP, attributeDefs: [attr("appId", "int", false)] }] },
          "ATLAS-400-00-029",
        ],
        [{ entityDefs: [{ ...APP, attributeDefs: [] }] }, "ATLAS-400-00-00D"],
        [
          {
            entityDefs: [
              { ...APP, attributeDefs: [...APP.attributeDefs, attr("must", "string", false)] },
            ],
          },
          "ATLAS-400-00-00C",
        ],
        [{ entityDefs: [{ ...APP, superTypes: [] }] }, "ATLAS-400-00-00E"],
        [{ entityDefs: [{ ...APP, superTypes: ["Process", "Nope"] }] }, "ATLAS-400-00-029"],
        [
          { classificationDefs: [{ name: "Gold", attributeDefs: [], entityTypes: ["DataSet"] }] },
          "ATLAS-400-00-051",
        ],
        [
          { relationshipDefs: [{ ...rel, relationshipCategory: "COMPOSITION" } as never] },
          "ATLAS-400-00-039",
        ],
        [
          {
            relationshipDefs: [
              {
                ...rel,
                endDef1: {
                  type: "spark_app",
                  name: "renamed",
                  cardinality: "SET",
                  isContainer: true,
                },
              } as never,
            ],
          },
          "ATLAS-400-00-037",
        ],
        [
          {
            relationshipDefs: [
              {
                ...rel,
                endDef2: { type: "spark_stage", name: "app", cardinality: "SET" },
              } as never,
            ],
          },
          "ATLAS-400-00-038",
        ],
        [{ relationshipDefs: [{ ...rel, name: "renamed_rel" } as never] }, "ATLAS-400-00-040"],
      ];
      for (const [defs, code] of cases) {
        const error = await rejection(store.updateTypedefs(1, defs, USER));
        expect({ defs, error }).toMatchObject({
          defs,
          error: { code: "STORE_INVALID_TYPEDEF", httpStatus: 400, atlasErrorCode: code },
        });
      }
      expect(await typedef(store, "spark_app")).toMatchObject({
        version: 1,
        superTypes: ["Process"],
      });
      // Lifting a classification's entityTypes restriction and adding a supertype are allowed.
      await store.updateTypedefs(
        1,
        {
          classificationDefs: [{ name: "Gold", attributeDefs: [], entityTypes: [] }],
          entityDefs: [{ ...APP, superTypes: ["Process", "Asset"] }],
        },
        USER,
      );
      expect(await typedef(store, "Gold")).toMatchObject({ entityTypes: [], version: 2 });
    });

    it("an unknown name or guid is 404 ATLAS-404-00-001 / -002; another category's name is not found either", async () => {
      const { store } = await stores.fresh();
      expect(
        await rejection(store.updateTypedefs(1, { entityDefs: [{ ...APP, name: "nope" }] }, USER)),
      ).toMatchObject({
        code: "STORE_TYPEDEF_NOT_FOUND",
        httpStatus: 404,
        atlasErrorCode: "ATLAS-404-00-001",
        message: "Given typename nope was invalid",
      });
      expect(
        await rejection(
          store.updateTypedefs(1, { entityDefs: [{ ...APP, guid: "no-such-guid" }] }, USER),
        ),
      ).toMatchObject({ atlasErrorCode: "ATLAS-404-00-002" });
      expect(
        await rejection(
          store.updateTypedefs(
            1,
            { structDefs: [{ name: "hive_table", attributeDefs: [] }] },
            USER,
          ),
        ),
      ).toMatchObject({ atlasErrorCode: "ATLAS-404-00-001" });
    });
  });

  describe("delete", () => {
    it("deletes by name or guid, several at once (subtype and supertype together)", async () => {
      const { store } = await stores.fresh();
      const created = await store.createTypedefs(
        1,
        {
          entityDefs: [APP, { name: "spark_job", superTypes: ["spark_app"], attributeDefs: [] }],
          enumDefs: [{ name: "app_state", elementDefs: [{ value: "RUNNING", ordinal: 0 }] }],
        },
        USER,
      );
      await store.deleteTypedefs(
        1,
        {
          entityDefs: [
            { name: "spark_app" } as never,
            { guid: created.entityDefs[1]!.guid } as never,
          ],
          enumDefs: [{ name: "app_state" } as never],
        },
        USER,
      );
      for (const name of ["spark_app", "spark_job", "app_state"])
        expect(await store.getTypedef(name)).toBeNull();
      expect(await store.getTypedefByGuid(created.entityDefs[0]!.guid!)).toBeNull();
      const ops = (await store.writeLog()).map((w) => w.operation);
      expect(ops).toContain("TYPEDEF_DELETE");
    });

    it("refuses while instances exist (deleted ones too), other types refer to it, or relationshipDefs name it — 409, nothing deleted", async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(
        1,
        {
          enumDefs: [{ name: "app_state", elementDefs: [{ value: "RUNNING", ordinal: 0 }] }],
          classificationDefs: [{ name: "Secret", attributeDefs: [] }],
          entityDefs: [
            { ...APP, attributeDefs: [...APP.attributeDefs, attr("state", "app_state")] },
            { name: "spark_job", superTypes: ["spark_app"], attributeDefs: [] },
            { name: "lonely", superTypes: [], attributeDefs: [] },
          ],
        },
        USER,
      );
      await store.createOrUpdate(
        1,
        {
          entities: [
            {
              typeName: "lonely",
              guid: "-1",
              attributes: { qualifiedName: "l@x", name: "l" },
              classifications: [{ typeName: "Secret" }],
            },
          ],
          referredEntities: {},
        },
        USER,
      );
      const lonely = await store.getByUniqueAttribute("lonely", "l@x");
      await store.deleteByGuid(1, lonely!.entity.guid, USER);
      const cases: [Partial<AtlasTypesDef>, string][] = [
        [{ entityDefs: [{ name: "lonely" } as never] }, "ATLAS-409-00-002"],
        [{ classificationDefs: [{ name: "Secret" } as never] }, "ATLAS-409-00-002"],
        [{ entityDefs: [{ name: "spark_app" } as never] }, "ATLAS-409-00-002"],
        [{ enumDefs: [{ name: "app_state" } as never] }, "ATLAS-409-00-002"],
        [{ entityDefs: [{ name: "hive_column" } as never] }, "ATLAS-409-00-005"],
      ];
      for (const [defs, code] of cases) {
        const error = await rejection(store.deleteTypedefs(1, defs, USER));
        expect({ defs, error }).toMatchObject({
          defs,
          error: { code: "STORE_TYPE_IN_USE", httpStatus: 409, atlasErrorCode: code },
        });
      }
      for (const name of ["lonely", "Secret", "spark_app", "app_state", "hive_column"])
        expect(await store.getTypedef(name)).not.toBeNull();
      expect(
        await rejection(store.deleteTypedefs(1, { entityDefs: [{ name: "nope" } as never] }, USER)),
      ).toMatchObject({ code: "STORE_TYPEDEF_NOT_FOUND", atlasErrorCode: "ATLAS-404-00-001" });
    });

    it("business metadata with a non-indexable attribute is deleted only with force (400 ATLAS-400-00-107)", async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(
        1,
        {
          businessMetadataDefs: [
            { name: "bm_loose", attributeDefs: [attr("owner", "string")] },
            {
              name: "bm_indexed",
              attributeDefs: [{ ...attr("owner", "string"), isIndexable: true }],
            },
          ],
        },
        USER,
      );
      expect(
        await rejection(
          store.deleteTypedefs(1, { businessMetadataDefs: [{ name: "bm_loose" } as never] }, USER),
        ),
      ).toMatchObject({ code: "STORE_INVALID_TYPEDEF", atlasErrorCode: "ATLAS-400-00-107" });
      await store.deleteTypedefs(
        1,
        { businessMetadataDefs: [{ name: "bm_loose" } as never, { name: "bm_indexed" } as never] },
        USER,
        { force: true },
      );
      expect(await store.getTypedef("bm_loose")).toBeNull();
    });

    it("a relationshipDef with relationships, and business metadata entities carry, are in use (409); force skips the business metadata check", async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(
        1,
        {
          businessMetadataDefs: [
            {
              name: "bm_owner",
              attributeDefs: [
                {
                  ...attr("team", "string"),
                  isIndexable: true,
                  options: { applicableEntityTypes: '["hive_table"]', maxStrLength: "50" },
                },
              ],
            },
          ],
        },
        USER,
      );
      await store.createOrUpdate(
        1,
        {
          entities: [
            {
              typeName: "hive_db",
              guid: "-1",
              attributes: { qualifiedName: "sales@cl1", name: "sales", clusterName: "cl1" },
            },
            {
              typeName: "hive_table",
              guid: "-2",
              attributes: { qualifiedName: "sales.orders@cl1", name: "orders" },
              relationshipAttributes: { db: { guid: "-1", typeName: "hive_db" } },
              businessAttributes: { bm_owner: { team: "sales" } },
            },
          ],
          referredEntities: {},
        },
        USER,
      );
      expect(
        await rejection(
          store.deleteTypedefs(1, { relationshipDefs: [{ name: "hive_table_db" } as never] }, USER),
        ),
      ).toMatchObject({ code: "STORE_TYPE_IN_USE", atlasErrorCode: "ATLAS-409-00-002" });
      expect(
        await rejection(
          store.deleteTypedefs(1, { businessMetadataDefs: [{ name: "bm_owner" } as never] }, USER),
        ),
      ).toMatchObject({ code: "STORE_TYPE_IN_USE", atlasErrorCode: "ATLAS-409-00-002" });
      await store.deleteTypedefs(
        1,
        { businessMetadataDefs: [{ name: "bm_owner" } as never] },
        USER,
        { force: true },
      );
      expect(await store.getTypedef("bm_owner")).toBeNull();
      expect(await store.getTypedef("hive_table_db")).not.toBeNull();
    });

    it("every typedef write is fenced: an old epoch changes nothing", async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(1, { entityDefs: [APP] }, USER);
      await store.fence(5);
      await expect(
        store.updateTypedefs(
          4,
          { entityDefs: [{ ...APP, attributeDefs: [...APP.attributeDefs, attr("q", "string")] }] },
          USER,
        ),
      ).rejects.toMatchObject({ code: "STORE_FENCED" });
      await expect(
        store.deleteTypedefs(4, { entityDefs: [{ name: "spark_app" } as never] }, USER),
      ).rejects.toMatchObject({ code: "STORE_FENCED" });
      expect(await typedef(store, "spark_app")).toMatchObject({ version: 1 });
    });

    it("another instance sees an update and a delete at once (its typedef cache follows)", async () => {
      const { store, config } = await stores.fresh();
      const other = stores.open(config);
      await store.createTypedefs(1, { entityDefs: [APP] }, USER);
      expect(await other.getTypedef("spark_app")).toMatchObject({ version: 1 });
      await store.updateTypedefs(
        1,
        { entityDefs: [{ ...APP, attributeDefs: [...APP.attributeDefs, attr("q", "string")] }] },
        USER,
      );
      expect(await other.getTypedef("spark_app")).toMatchObject({ version: 2 });
      await store.deleteTypedefs(1, { entityDefs: [{ name: "spark_app" } as never] }, USER);
      expect(await other.getTypedef("spark_app")).toBeNull();
    });
  });
});
