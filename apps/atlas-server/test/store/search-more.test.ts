/**
 * Quick search with its facets, full text, suggestions and related entities (docs/contracts/
 * http.md, search) on both backends.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/index.js";
import type { MetadataStore } from "../../src/store/types.js";
import { storeFactory, type BackendName } from "./helpers.js";
import { NOW, seed, USER } from "./search-fixture.js";

const pg = usePostgres();

describe.each<BackendName>(["sqlite", "postgres"])("more searches on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);
  let store: MetadataStore;
  let dbGuid: string;

  beforeAll(async () => {
    store = createStore(await stores.config(), { now: () => NOW });
    await store.migrate();
    await seed(store);
    const table = (name: string, owner: string) => ({
      typeName: "hive_table",
      attributes: { qualifiedName: `sales.${name}@cl1`, name, owner },
      relationshipAttributes: {
        db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@cl1" } },
      },
    });
    for (const t of [table("orders", "etl"), table("customers", "crm"), table("archive", "etl")])
      await store.createOrUpdate(1, { entities: [t], referredEntities: {} }, USER);
    await store.deleteByUniqueAttribute(
      1,
      { typeName: "hive_table", uniqueAttributes: { qualifiedName: "sales.archive@cl1" } },
      USER,
    );
    dbGuid = (await store.getByUniqueAttribute("hive_db", "sales@cl1"))!.entity.guid;
    return () => store.close();
  });

  it("quick search answers a page and facet counts by type, state and owner over every match", async () => {
    const r = await store.quickSearch({ query: "a", limit: 2 });
    expect(r.searchResults.entities).toHaveLength(2);
    expect(r.searchResults.approximateCount).toBe(8);
    expect(r.aggregationMetrics.__typeName).toEqual([
      { name: "hive_table", count: 3 },
      { name: "search_item", count: 3 },
      { name: "hive_db", count: 1 },
      { name: "search_special", count: 1 },
    ]);
    expect(r.aggregationMetrics.__state).toEqual([
      { name: "ACTIVE", count: 7 },
      { name: "DELETED", count: 1 },
    ]);
    expect(r.aggregationMetrics["Asset.owner"]).toEqual([
      { name: "etl", count: 2 },
      { name: "ann", count: 1 },
      { name: "bob", count: 1 },
      { name: "crm", count: 1 },
    ]);
  });

  it("full text matches name and qualifiedName and refuses index query syntax", async () => {
    const r = await store.fullTextSearch({ query: "ORDERS", excludeDeletedEntities: true });
    expect(r).toMatchObject({ queryType: "FULL_TEXT", queryText: "ORDERS", approximateCount: 1 });
    expect(r.fullTextResult.map((f) => f.entity.displayText)).toEqual(["orders"]);
    for (const query of ["name:orders", "orders AND customers", '"orders"'])
      await expect(
        store.fullTextSearch({ query, excludeDeletedEntities: false }),
      ).rejects.toMatchObject({
        code: "STORE_INVALID_SEARCH",
        httpStatus: 400,
      });
  });

  it("suggests names and qualifiedNames of active entities by prefix", async () => {
    expect((await store.suggestions("AL", null)).suggestions).toEqual(["alpha", "alpha@cl1"]);
    expect((await store.suggestions("sales.", "qualifiedName")).suggestions).toEqual([
      "sales.orders@cl1",
      "sales.customers@cl1",
    ]);
    expect((await store.suggestions("ar", "name")).suggestions).toEqual([]);
    await expect(store.suggestions("a", "owner")).rejects.toMatchObject({
      code: "STORE_INVALID_SEARCH",
    });
  });

  it("finds the entities related through a relationship attribute, sorted by name by default", async () => {
    const all = await store.relatedEntities({
      guid: dbGuid,
      relation: "tables",
      getApproximateCount: true,
      disableDefaultSorting: false,
      params: { attributes: ["owner"] },
    });
    expect(all.entities.map((e) => [e.displayText, e.attributes.owner])).toEqual([
      ["archive", "etl"],
      ["customers", "crm"],
      ["orders", "etl"],
    ]);
    expect(all.approximateCount).toBe(3);
    const active = await store.relatedEntities({
      guid: dbGuid,
      relation: "hive_table_db",
      getApproximateCount: false,
      disableDefaultSorting: false,
      params: { excludeDeletedEntities: true, sortBy: "name", sortOrder: "DESCENDING", limit: 1 },
    });
    expect(active.entities.map((e) => e.displayText)).toEqual(["orders"]);
    expect(active.approximateCount).toBe(-1);
    await expect(
      store.relatedEntities({
        guid: dbGuid,
        relation: "owner",
        getApproximateCount: false,
        disableDefaultSorting: false,
        params: {},
      }),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-048" });
    await expect(
      store.relatedEntities({
        guid: "no-such-guid",
        relation: "tables",
        getApproximateCount: false,
        disableDefaultSorting: false,
        params: {},
      }),
    ).rejects.toMatchObject({ code: "STORE_ENTITY_NOT_FOUND", httpStatus: 404 });
  });
});
