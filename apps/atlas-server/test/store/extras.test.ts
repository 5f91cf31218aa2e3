/**
 * What an entity carries besides attributes (docs/contracts/model.md): labels, custom
 * attributes, classifications and business attributes — validated with Atlas's codes, kept
 * or replaced on update as Atlas's EntityGraphMapper does — on both backends.
 */
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/store/types.js";
import { hiveDb, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const USER = "steward";

const TYPES = {
  classificationDefs: [
    {
      name: "PII",
      superTypes: [],
      entityTypes: ["DataSet"],
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
    { name: "Reviewed", superTypes: [], attributeDefs: [] },
  ],
  businessMetadataDefs: [
    {
      name: "Ownership",
      attributeDefs: [
        {
          name: "team",
          typeName: "string",
          isOptional: true,
          cardinality: "SINGLE",
          isUnique: false,
          options: { applicableEntityTypes: '["hive_table"]', maxStrLength: "50" },
        },
      ],
    },
  ],
};

const table = (extra: Partial<AtlasEntity> = {}): AtlasEntity => ({
  typeName: "hive_table",
  attributes: { qualifiedName: "sales.orders@cl1", name: "orders" },
  relationshipAttributes: {
    db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@cl1" } },
  },
  ...extra,
});

describe.each<BackendName>(["sqlite", "postgres"])("entity extras on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);

  async function fresh(): Promise<MetadataStore> {
    const { store } = await stores.fresh();
    await store.createTypedefs(1, TYPES as never, USER);
    await store.createOrUpdate(1, { entities: [hiveDb("sales")], referredEntities: {} }, USER);
    return store;
  }
  const write = (store: MetadataStore, entity: AtlasEntity, options = {}) =>
    store.createOrUpdate(1, { entities: [entity], referredEntities: {} }, USER, options);
  const read = async (store: MetadataStore) =>
    (await store.getByUniqueAttribute("hive_table", "sales.orders@cl1"))!.entity;

  it("keeps labels and custom attributes, replaces them when sent, leaves them when not", async () => {
    const store = await fresh();
    await write(
      store,
      table({ labels: ["gold", "daily", "gold"], customAttributes: { source: "erp" } }),
    );
    expect(await read(store)).toMatchObject({
      labels: ["gold", "daily"],
      customAttributes: { source: "erp" },
    });
    await write(
      store,
      table({ attributes: { qualifiedName: "sales.orders@cl1", name: "orders", comment: "x" } }),
    );
    expect(await read(store)).toMatchObject({ labels: ["gold", "daily"] });
    await write(store, table({ labels: ["silver"], customAttributes: {} }));
    const after = await read(store);
    expect(after.labels).toEqual(["silver"]);
    expect(after).not.toHaveProperty("customAttributes");
  });

  it("refuses labels and custom attributes as Atlas does, and writes nothing", async () => {
    const store = await fresh();
    const cases: [Partial<AtlasEntity>, string][] = [
      [{ labels: ["no spaces"] }, "ATLAS-400-00-090"],
      [{ labels: ["x".repeat(51)] }, "ATLAS-400-00-08F"],
      [{ customAttributes: { "bad key": "v" } }, "ATLAS-400-00-08D"],
      [{ customAttributes: { ["k".repeat(51)]: "v" } }, "ATLAS-400-00-08C"],
      [{ customAttributes: { k: "v".repeat(501) } }, "ATLAS-400-00-08E"],
    ];
    for (const [extra, code] of cases) {
      await expect(write(store, table(extra))).rejects.toMatchObject({
        code: "STORE_INVALID_ENTITY",
        httpStatus: 400,
        atlasErrorCode: code,
      });
    }
    expect(await store.getByUniqueAttribute("hive_table", "sales.orders@cl1")).toBeNull();
  });

  it("classifications: checked against their defs, kept across updates unless replaceClassifications", async () => {
    const store = await fresh();
    await write(store, table({ classifications: [{ typeName: "PII", attributes: { level: 2 } }] }));
    const created = await read(store);
    expect(created.classifications).toEqual([
      expect.objectContaining({
        typeName: "PII",
        attributes: { level: 2 },
        entityGuid: created.guid,
        entityStatus: "ACTIVE",
        propagate: true,
        removePropagationsOnEntityDelete: false,
      }),
    ]);
    // An update that sends other classifications does not change them (Atlas's default) …
    await write(store, table({ classifications: [{ typeName: "Reviewed" }] }));
    expect((await read(store)).classifications.map((c) => c.typeName)).toEqual(["PII"]);
    // … unless it asks to replace them.
    await write(store, table({ classifications: [{ typeName: "Reviewed" }] }), {
      replaceClassifications: true,
    });
    expect((await read(store)).classifications.map((c) => c.typeName)).toEqual(["Reviewed"]);
    const header = await store.searchBasic({ typeName: "hive_table" });
    expect(header.entities[0]!.classificationNames).toEqual(["Reviewed"]);

    const refused: [unknown[], number, string][] = [
      [[{ typeName: "NoSuchTag" }], 404, "ATLAS-404-00-008"],
      [[{ typeName: "Reviewed" }, { typeName: "Reviewed" }], 400, "ATLAS-400-00-01B"],
      [[{ typeName: "PII", attributes: { color: "red" } }], 400, "ATLAS-400-00-023"],
    ];
    for (const [classifications, httpStatus, atlasErrorCode] of refused) {
      await expect(
        write(store, table({ classifications: classifications as never }), {
          replaceClassifications: true,
        }),
      ).rejects.toMatchObject({ httpStatus, atlasErrorCode });
    }
    // PII applies to DataSets only: a database cannot have it.
    await expect(
      write(store, { ...hiveDb("other", "-5"), classifications: [{ typeName: "PII" }] }),
    ).rejects.toMatchObject({ httpStatus: 400, atlasErrorCode: "ATLAS-400-00-055" });
    expect((await read(store)).classifications.map((c) => c.typeName)).toEqual(["Reviewed"]);
  });

  it("business attributes: only the applicable ones, kept across updates unless replaceBusinessAttributes", async () => {
    const store = await fresh();
    await write(store, table({ businessAttributes: { Ownership: { team: "sales" } } }));
    expect((await read(store)).businessAttributes).toEqual({ Ownership: { team: "sales" } });
    await write(store, table({ businessAttributes: { Ownership: { team: "finance" } } }));
    expect((await read(store)).businessAttributes).toEqual({ Ownership: { team: "sales" } });
    await write(store, table({ businessAttributes: { Ownership: { team: "finance" } } }), {
      replaceBusinessAttributes: true,
    });
    expect((await read(store)).businessAttributes).toEqual({ Ownership: { team: "finance" } });
    for (const businessAttributes of [{ Nope: { team: "x" } }, { Ownership: { budget: 1 } }]) {
      await expect(
        write(store, table({ businessAttributes }), { replaceBusinessAttributes: true }),
      ).rejects.toMatchObject({ httpStatus: 400, atlasErrorCode: "ATLAS-400-00-095" });
    }
    // Ownership applies to hive_table only.
    await expect(
      write(store, { ...hiveDb("other", "-5"), businessAttributes: { Ownership: { team: "x" } } }),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-095" });
  });

  it("edits what an entity carries, as the entity REST calls do: classifications, labels, business metadata", async () => {
    const store = await fresh();
    await write(store, table({ labels: ["gold"] }));
    const { guid } = await read(store);
    const id = [{ guid, typeName: "" }];
    const edit = (e: Parameters<MetadataStore["editEntities"]>[2]) =>
      store.editEntities(1, id, e, USER);
    const response = await edit({
      op: "addClassifications",
      classifications: [{ typeName: "PII" }],
    });
    expect(response.mutatedEntities.PARTIAL_UPDATE?.map((h) => h.guid)).toEqual([guid]);
    await expect(
      edit({ op: "addClassifications", classifications: [{ typeName: "PII" }] }),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-01B" });
    await edit({
      op: "updateClassifications",
      classifications: [{ typeName: "PII", attributes: { level: 3 } }],
    });
    expect((await read(store)).classifications).toEqual([
      expect.objectContaining({ typeName: "PII", attributes: { level: 3 } }),
    ]);
    await expect(
      edit({ op: "updateClassifications", classifications: [{ typeName: "Reviewed" }] }),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-06D" });
    await edit({ op: "removeClassification", name: "PII" });
    expect((await read(store)).classifications).toEqual([]);
    await expect(edit({ op: "removeClassification", name: "PII" })).rejects.toMatchObject({
      atlasErrorCode: "ATLAS-400-00-06D",
    });

    await edit({ op: "addLabels", labels: ["daily", "gold"] });
    expect((await read(store)).labels).toEqual(["gold", "daily"]);
    await edit({ op: "removeLabels", labels: ["gold"] });
    expect((await read(store)).labels).toEqual(["daily"]);
    await edit({ op: "setLabels", labels: ["x", "y"] });
    expect((await read(store)).labels).toEqual(["x", "y"]);
    await expect(edit({ op: "addLabels", labels: ["bad label"] })).rejects.toMatchObject({
      atlasErrorCode: "ATLAS-400-00-090",
    });

    await edit({
      op: "setBusinessAttributes",
      values: { Ownership: { team: "a" } },
      overwrite: false,
    });
    expect((await read(store)).businessAttributes).toEqual({ Ownership: { team: "a" } });
    await edit({ op: "removeBusinessAttributes", values: { Ownership: { team: "a" } } });
    expect(await read(store)).not.toHaveProperty("businessAttributes");

    // All or nothing: one unknown entity among several changes none.
    await expect(
      store.editEntities(
        1,
        [...id, { guid: "00000000-0000-0000-0000-000000000000", typeName: "" }],
        { op: "setLabels", labels: ["z"] },
        USER,
      ),
    ).rejects.toMatchObject({ code: "STORE_ENTITY_NOT_FOUND", httpStatus: 404 });
    expect((await read(store)).labels).toEqual(["x", "y"]);
  });
});
