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
});
