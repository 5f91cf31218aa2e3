/**
 * Basic search (docs/contracts/http.md, search) on both backends: SQLite and a real
 * PostgreSQL from the testkit. Types with subtypes, classifications (sub-classifications,
 * wildcards, _CLASSIFIED/_NOT_CLASSIFIED), every operator of Atlas's FilterCriteria on typed
 * attributes and system attributes, sorting, paging, requested attributes, and the 400s.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import type { FilterCriteria, MetadataStore, SearchBasicParams } from "../../src/store/types.js";
import { storeFactory, type BackendName } from "./helpers.js";
import { NOW, seed, USER } from "./search-fixture.js";

const pg = usePostgres();

describe.each<BackendName>(["sqlite", "postgres"])("basic search on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);
  let store: MetadataStore;

  beforeAll(async () => {
    // One seeded store for these read-only tests, closed after them (the factory closes its stores after each test).
    const config = await stores.config();
    const { createStore } = await import("../../src/store/index.js");
    store = createStore(config, { now: () => NOW });
    await store.migrate();
    await seed(store);
    return () => store.close();
  });

  const names = async (params: SearchBasicParams) =>
    (await store.searchBasic(params)).entities.map((e) => e.displayText);
  const filter = (
    attributeName: string,
    operator: string,
    attributeValue = "",
  ): FilterCriteria => ({
    attributeName,
    operator,
    attributeValue,
  });
  const where = (f: FilterCriteria, typeName = "search_item") =>
    names({ typeName, entityFilters: f });

  it("covers a type and its subtypes, a list of types, or every type; includeSubTypes false keeps to the type", async () => {
    expect(await names({ typeName: "search_item" })).toEqual(["alpha", "beta", "gamma", "delta"]);
    expect(await names({ typeName: "search_item", includeSubTypes: false })).toEqual([
      "alpha",
      "beta",
      "gamma",
    ]);
    expect(await names({ typeName: "search_special,hive_db" })).toEqual(["delta", "sales"]);
    expect((await store.searchBasic({ typeName: "_ALL_ENTITY_TYPES" })).approximateCount).toBe(5);
    await expect(store.searchBasic({ typeName: "search_item,nope" })).rejects.toMatchObject({
      code: "STORE_INVALID_SEARCH",
      atlasErrorCode: "ATLAS-400-00-00A",
    });
  });

  it("filters by classification with sub-classifications, wildcards, _CLASSIFIED and _NOT_CLASSIFIED", async () => {
    expect(await names({ classification: "PII" })).toEqual(["alpha", "beta"]);
    expect(await names({ classification: "PII", includeSubClassifications: false })).toEqual([
      "alpha",
    ]);
    expect(await names({ classification: "Fin*" })).toEqual(["beta"]);
    expect(await names({ classification: "_CLASSIFIED" })).toEqual(["alpha", "beta"]);
    expect(await names({ classification: "*" })).toEqual(["alpha", "beta"]);
    expect(await names({ typeName: "search_item", classification: "_NOT_CLASSIFIED" })).toEqual([
      "gamma",
      "delta",
    ]);
    expect(await names({ classification: "PII", tagFilters: filter("level", ">", "5") })).toEqual([
      "beta",
    ]);
    await expect(store.searchBasic({ classification: "Nope" })).rejects.toMatchObject({
      atlasErrorCode: "ATLAS-400-00-046",
    });
    await expect(
      store.searchBasic({ classification: "PII", tagFilters: filter("nope", "=", "1") }),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-023" });
  });

  it("compares numbers, dates, booleans and enums by their type", async () => {
    expect(await where(filter("size", ">", "15"))).toEqual(["beta", "gamma", "delta"]);
    expect(await where(filter("size", "lte", "20"))).toEqual(["alpha", "beta"]);
    expect(await where(filter("size", "=", "30"))).toEqual(["gamma"]);
    expect(await where(filter("size", "!=", "30"))).toEqual(["alpha", "beta", "delta"]);
    expect(await where(filter("size", "in", "(10,40)"))).toEqual(["alpha", "delta"]);
    expect(await where(filter("ratio", "<", "1"))).toEqual(["alpha"]);
    expect(await where(filter("flag", "eq", "true"))).toEqual(["alpha"]);
    expect(await where(filter("flag", "=", "false"))).toEqual(["beta"]);
    expect(await where(filter("level", "=", "HIGH"))).toEqual(["beta", "gamma"]);
    expect(await where(filter("born", ">=", String(NOW - 2 * 86_400_000)))).toEqual(["alpha"]);
    expect(await where(filter("born", "TIME_RANGE", "LAST_7_DAYS"))).toEqual(["alpha"]);
    expect(
      await where(filter("born", "timerange", `${NOW - 50 * 86_400_000},${NOW - 30 * 86_400_000}`)),
    ).toEqual(["beta"]);
    expect(await where(filter("__timestamp", "TIME_RANGE", "TODAY"))).toEqual([
      "alpha",
      "beta",
      "gamma",
      "delta",
    ]);
    for (const bad of [
      filter("size", ">", "ten"),
      filter("flag", "=", "yes"),
      filter("level", "=", "MEDIUM"),
      filter("born", "=", "soon"),
    ])
      await expect(where(bad)).rejects.toMatchObject({
        code: "STORE_INVALID_SEARCH",
        httpStatus: 400,
      });
  });

  it("matches strings with every pattern operator, case-insensitively, and % _ literally", async () => {
    expect(await where(filter("name", "startsWith", "AL"))).toEqual(["alpha"]);
    // Prefixes on name and qualifiedName are answered from an index range: same answers.
    expect(await where(filter("qualifiedName", "startsWith", "BETA@c"))).toEqual(["beta"]);
    expect(await where(filter("qualifiedName", "startsWith", "delta@cl1"))).toEqual(["delta"]);
    expect(await where(filter("name", "startsWith", "\u{10FFFF}"))).toEqual([]);
    expect(await where(filter("name", "startsWith", "g_"))).toEqual([]);
    expect(await where(filter("name", "ENDS_WITH", "ta"))).toEqual(["beta", "delta"]);
    expect(await where(filter("name", "contains", "MM"))).toEqual(["gamma"]);
    expect(await where(filter("name", "not_contains", "a"))).toEqual([]);
    expect(await where(filter("name", "like", "?eta"))).toEqual(["beta"]);
    expect(await where(filter("name", "LIKE", "*l*a"))).toEqual(["alpha", "delta"]);
    expect(await where(filter("qualifiedName", "=", "beta@cl1"))).toEqual(["beta"]);
    expect(await where(filter("owner", "in", '"ann","bob"'))).toEqual(["alpha", "beta"]);
    expect(await where(filter("extra", "contains", "%"), "search_special")).toEqual(["delta"]);
    expect(await where(filter("name", "contains", "%"))).toEqual([]);
    expect(await where(filter("description", "isNull"))).toEqual(["beta", "gamma", "delta"]);
    expect(await where(filter("description", "notNull"))).toEqual(["alpha"]);
    expect(await where(filter("owner", "not_empty"))).toEqual(["alpha", "beta"]);
  });

  it("tests list attributes element by element", async () => {
    expect(await where(filter("tags", "=", "red"))).toEqual(["alpha"]);
    expect(await where(filter("tags", "contains_any", "green,red"))).toEqual(["alpha", "beta"]);
    expect(await where(filter("tags", "containsAll", "red,blue"))).toEqual(["alpha"]);
    expect(await where(filter("tags", "containsAll", "red,green"))).toEqual([]);
    expect(await where(filter("tags", "isNull"))).toEqual(["gamma", "delta"]);
    expect(await where(filter("tags", "neq", "red"))).toEqual(["beta", "gamma", "delta"]);
  });

  it("filters on system attributes: guid, type, state, users, labels, classification names, custom attributes", async () => {
    const [alpha] = (await store.searchBasic({ typeName: "search_item", query: "alpha" })).entities;
    expect(await where(filter("__guid", "=", alpha!.guid))).toEqual(["alpha"]);
    expect(await where(filter("__typeName", "=", "search_special"))).toEqual(["delta"]);
    expect(await where(filter("__state", "=", "ACTIVE"))).toHaveLength(4);
    expect(await where(filter("__createdBy", "=", USER))).toHaveLength(4);
    expect(await where(filter("__labels", "contains", "gol"))).toEqual(["alpha"]);
    expect(await where(filter("__classificationNames", "=", "Finance"))).toEqual(["beta"]);
    expect(await where(filter("__customAttributes", "contains", "source=erp"))).toEqual(["alpha"]);
    expect(await where(filter("__customAttributes", "contains", "source=crm"))).toEqual([]);
    expect(
      await names({
        typeName: "_ALL_ENTITY_TYPES",
        entityFilters: filter("__typeName", "=", "hive_db"),
      }),
    ).toEqual(["sales"]);
    await expect(
      names({ typeName: "_ALL_ENTITY_TYPES", entityFilters: filter("size", "=", "1") }),
    ).rejects.toMatchObject({ atlasErrorCode: "ATLAS-400-00-023" });
  });

  it("combines tests with AND and OR groups, nested", async () => {
    const tree: FilterCriteria = {
      condition: "OR",
      criterion: [
        { condition: "AND", criterion: [filter("size", ">", "15"), filter("level", "=", "HIGH")] },
        filter("name", "=", "alpha"),
      ],
    };
    expect(await where(tree)).toEqual(["alpha", "beta", "gamma"]);
    // A prefix that every match must pass (an index range), and one that only some must.
    expect(
      await where({
        condition: "AND",
        criterion: [filter("name", "startsWith", "b"), filter("size", ">", "1")],
      }),
    ).toEqual(["beta"]);
    expect(
      await where({
        condition: "OR",
        criterion: [filter("name", "startsWith", "al"), filter("size", "=", "30")],
      }),
    ).toEqual(["alpha", "gamma"]);
  });

  it("refuses what it cannot run: unknown attributes and operators, references, misplaced operators, deep trees", async () => {
    const cases: [FilterCriteria, string][] = [
      [filter("nope", "=", "1"), "ATLAS-400-00-023"],
      [filter("size", "~", "1"), "ATLAS-400-00-103"],
      [filter("", "=", "1"), "ATLAS-400-00-104"],
      [filter("size", "=", ""), "ATLAS-400-00-105"],
      [filter("db", "=", "x"), "ATLAS-400-00-029"],
      [filter("flag", "startsWith", "t"), "ATLAS-400-00-103"],
      [filter("size", "contains", "1"), "ATLAS-400-00-103"],
      [{ criterion: [filter("size", "=", "1")] }, "ATLAS-400-00-029"],
    ];
    for (const [f, code] of cases)
      await expect(where(f)).rejects.toMatchObject({
        code: "STORE_INVALID_SEARCH",
        atlasErrorCode: code,
      });
    let deep: FilterCriteria = filter("size", "=", "1");
    for (let i = 0; i < 20; i++) deep = { condition: "AND", criterion: [deep] };
    await expect(where(deep)).rejects.toMatchObject({ code: "STORE_INVALID_SEARCH" });
    const wide: FilterCriteria = {
      condition: "OR",
      criterion: Array.from({ length: 500 }, () => filter("size", "=", "1")),
    };
    await expect(where(wide)).rejects.toMatchObject({ code: "STORE_INVALID_SEARCH" });
  });

  it("sorts by an attribute either way, nulls last, and pages with an exact count", async () => {
    expect(
      await names({ typeName: "search_item", sortBy: "size", sortOrder: "DESCENDING" }),
    ).toEqual(["delta", "gamma", "beta", "alpha"]);
    expect(await names({ typeName: "search_item", sortBy: "ratio" })).toEqual([
      "alpha",
      "beta",
      "gamma",
      "delta",
    ]);
    expect(
      await names({ typeName: "search_item", sortBy: "name", sortOrder: "DESCENDING" }),
    ).toEqual(["gamma", "delta", "beta", "alpha"]);
    const page = await store.searchBasic({
      typeName: "search_item",
      sortBy: "name",
      limit: 2,
      offset: 1,
    });
    expect(page.entities.map((e) => e.displayText)).toEqual(["beta", "delta"]);
    expect(page.approximateCount).toBe(4);
    expect(
      (await store.searchBasic({ typeName: "search_item", limit: 0 })).searchParameters.limit,
    ).toBe(100);
    await expect(names({ typeName: "search_item", sortBy: "nope" })).rejects.toMatchObject({
      atlasErrorCode: "ATLAS-400-00-023",
    });
  });

  it("answers headers with the attributes asked for, labels, and classification attributes on request", async () => {
    const result = await store.searchBasic({
      typeName: "search_item",
      query: "alpha",
      attributes: ["size", "tags"],
      includeClassificationAttributes: true,
    });
    expect(result.entities[0]).toMatchObject({
      typeName: "search_item",
      status: "ACTIVE",
      displayText: "alpha",
      attributes: {
        qualifiedName: "alpha@cl1",
        name: "alpha",
        owner: "ann",
        size: 10,
        tags: ["red", "blue"],
      },
      classificationNames: ["PII"],
      classifications: [
        expect.objectContaining({ typeName: "PII", attributes: { level: 3, note: "mail" } }),
      ],
      labels: ["gold"],
      meaningNames: [],
    });
    const bare = await store.searchBasic({
      typeName: "search_item",
      query: "alpha",
      attributes: ["size"],
      excludeHeaderAttributes: true,
    });
    expect(bare.entities[0]!.attributes).toEqual({ size: 10 });
    await expect(
      store.searchBasic({ typeName: "search_item", attributes: ["nope"] }),
    ).rejects.toMatchObject({
      atlasErrorCode: "ATLAS-400-00-023",
    });
  });
});
