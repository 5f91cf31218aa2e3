/**
 * Atlas's DSL (docs/contracts/http.md, DSL) on both backends: sources, where with typed
 * comparisons, and/or/parentheses, like, isa/has, select, orderby, limit/offset, count,
 * max/min/sum with groupby — and INVALID_DSL_QUERY for what is outside the language it runs.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/index.js";
import type { MetadataStore } from "../../src/store/types.js";
import { storeFactory, type BackendName } from "./helpers.js";
import { NOW, seed } from "./search-fixture.js";

const pg = usePostgres();

describe.each<BackendName>(["sqlite", "postgres"])("DSL search on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);
  let store: MetadataStore;

  beforeAll(async () => {
    store = createStore(await stores.config(), { now: () => NOW });
    await store.migrate();
    await seed(store);
    return () => store.close();
  });

  const names = async (query: string, extra = {}) =>
    ((await store.searchDsl({ query, ...extra })).entities ?? []).map((e) => e.displayText);

  it("finds entities of a type with where, and/or, parentheses, like, isa and has", async () => {
    expect(await names("search_item")).toEqual(["alpha", "beta", "gamma", "delta"]);
    expect(await names("from search_item where size > 15 and level = 'HIGH'")).toEqual([
      "beta",
      "gamma",
    ]);
    expect(await names('search_item where name = "alpha" or (size >= 30 and size < 40)')).toEqual([
      "alpha",
      "gamma",
    ]);
    expect(await names('search_item where name like "?e*"')).toEqual(["beta", "delta"]);
    expect(await names("search_item isa PII")).toEqual(["alpha", "beta"]);
    expect(await names("search_item isa PII_Strict")).toEqual(["beta"]);
    expect(await names("search_item where flag = true")).toEqual(["alpha"]);
    expect(await names("search_item has description")).toEqual(["alpha"]);
    expect(await names("search_item as t where t.size = 20")).toEqual(["beta"]);
    expect(await names("search_item where tags = ['red', 'green']")).toEqual(["alpha", "beta"]);
    expect(await names("PII")).toEqual(["alpha", "beta"]);
    expect(await names("", { typeName: "search_item", classification: "Finance" })).toEqual([
      "beta",
    ]);
    expect(await names("where size < 15", { typeName: "search_item" })).toEqual(["alpha"]);
  });

  it("sorts and pages: orderby, limit, offset", async () => {
    expect(await names("search_item orderby size desc limit 2")).toEqual(["delta", "gamma"]);
    expect(await names("search_item orderby name limit 2 offset 1")).toEqual(["beta", "delta"]);
    expect(await names("search_item orderby name", { limit: 1, offset: 3 })).toEqual(["gamma"]);
  });

  it("selects attributes and aggregates as Atlas's attributes {name, values}", async () => {
    const selected = await store.searchDsl({
      query: "search_item where size <= 20 select name, size orderby size",
    });
    expect(selected).toMatchObject({
      queryType: "DSL",
      attributes: {
        name: ["name", "size"],
        values: [
          ["alpha", 10],
          ["beta", 20],
        ],
      },
    });
    expect(selected.entities).toBeUndefined();
    expect((await store.searchDsl({ query: "search_item select count()" })).attributes).toEqual({
      name: ["count()"],
      values: [[4]],
    });
    expect(
      (
        await store.searchDsl({
          query: "search_item select max(size), min(size), sum(size) as total",
        })
      ).attributes,
    ).toEqual({ name: ["max(size)", "min(size)", "total"], values: [[40, 10, 100]] });
    expect(
      (
        await store.searchDsl({
          query: "search_item groupby(level) select level, count(), max(size)",
        })
      ).attributes,
    ).toEqual({
      name: ["level", "count()", "max(size)"],
      values: [
        ["HIGH", 2, 30],
        ["LOW", 1, 10],
        [null, 1, 40],
      ],
    });
  });

  it("refuses what it does not run with Atlas's DSL codes, and never answers wrongly", async () => {
    const cases: [string, string][] = [
      ["search_item where", "ATLAS-400-00-059"],
      ["search_item where size + 1 > 2", "ATLAS-400-00-059"],
      ["search_item, hive_db", "ATLAS-400-00-059"],
      ["search_item where db.name = 'x'", "ATLAS-400-00-059"],
      ["search_item where name = 'x' hasTerm 'y'", "ATLAS-400-00-059"],
      ["search_item where name = 'x'; DROP TABLE atlas_entities", "ATLAS-400-00-059"],
      ['search_item where name = "unterminated', "ATLAS-400-00-059"],
      ["search_item limit 5 offset", "ATLAS-400-00-059"],
      ["nope_type", "ATLAS-400-00-05B"],
      ["search_item isa Nope", "ATLAS-400-00-05C"],
      ["search_item where nope = 1", "ATLAS-400-00-05D"],
      ["search_item select nope", "ATLAS-400-00-05D"],
      ["search_item where size = 'big'", "ATLAS-400-00-059"],
      ["search_item select name, count()", "ATLAS-400-00-059"],
      [`search_item where ${"(".repeat(40)}size = 1${")".repeat(40)}`, "ATLAS-400-00-059"],
    ];
    for (const [query, code] of cases)
      await expect(store.searchDsl({ query }), query).rejects.toMatchObject({
        code: "STORE_INVALID_SEARCH",
        httpStatus: 400,
        atlasErrorCode: code,
      });
    expect(await names("search_item")).toHaveLength(4);
  });
});
