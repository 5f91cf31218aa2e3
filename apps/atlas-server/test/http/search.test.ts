/**
 * The search family of the v2 API through a real server process (dist/main.js, standalone,
 * SQLite): the routes, bodies, statuses and error codes of Atlas's DiscoveryREST. The store
 * suites (test/store/search*.test.ts) cover the matching rules on both backends.
 */
import { atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedSearch, type SearchSeed } from "../support/search-seed.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

const SEARCH = "/api/atlas/v2/search";

type Result = {
  queryType: string;
  entities?: { guid: string; displayText: string; attributes: Record<string, unknown> }[];
  approximateCount?: number;
  searchParameters?: Record<string, unknown>;
};

describe("the search API on sqlite", () => {
  let server: Standalone;
  let seed: SearchSeed;
  const call = (method: string, path: string, body?: unknown) =>
    atlasCall(server.url, method, path, body);
  const names = (answer: { json: unknown }) =>
    ((answer.json as Result).entities ?? []).map((e) => e.displayText);

  beforeAll(async () => {
    server = await startStandalone("search-http");
    seed = await seedSearch(server.url);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("GET basic: type, classification, free text, sort and page as query parameters", async () => {
    const r = await call(
      "GET",
      `${SEARCH}/basic?typeName=sx_item&sortBy=size&sortOrder=DESCENDING&limit=2&excludeDeletedEntities=true`,
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ queryType: "BASIC", approximateCount: 3 });
    expect(names(r)).toEqual(["gamma", "beta"]);
    expect(names(await call("GET", `${SEARCH}/basic?classification=SX_PII`))).toEqual(["alpha"]);
    expect(names(await call("GET", `${SEARCH}/basic?query=ALP`))).toEqual(["alpha"]);
    expect(names(await call("GET", `${SEARCH}/basic?typeName=sx_item,hive_db&offset=2`))).toEqual([
      "gamma",
      "sales",
    ]);
  });

  it("POST basic: a SearchParameters body with filters, attributes and classification attributes", async () => {
    const r = await call("POST", `${SEARCH}/basic`, {
      typeName: "sx_item",
      entityFilters: {
        condition: "AND",
        criterion: [
          { attributeName: "size", operator: "gte", attributeValue: "20" },
          { attributeName: "level", operator: "=", attributeValue: "HIGH" },
        ],
      },
      attributes: ["size", "tags"],
      sortBy: "name",
      sortOrder: "ASCENDING",
      limit: 10,
      offset: 0,
      includeSubTypes: true,
    });
    expect(r.status).toBe(200);
    const result = r.json as Result;
    expect(result.entities?.map((e) => [e.displayText, e.attributes.size])).toEqual([
      ["beta", 20],
      ["gamma", 30],
    ]);
    expect(result.searchParameters).toMatchObject({ typeName: "sx_item", limit: 10 });
    const tagged = await call("POST", `${SEARCH}/basic`, {
      classification: "SX_PII",
      tagFilters: { attributeName: "level", operator: "=", attributeValue: "3" },
      includeClassificationAttributes: true,
    });
    expect(tagged.json).toMatchObject({
      entities: [
        {
          guid: seed.guids.alpha,
          classificationNames: ["SX_PII"],
          classifications: [{ typeName: "SX_PII", attributes: { level: 3 } }],
          labels: ["gold"],
        },
      ],
    });
  });

  it("answers Atlas's 400s with its codes, and a stack trace never", async () => {
    const cases: [string, string, unknown, string][] = [
      ["GET", `${SEARCH}/basic`, undefined, "ATLAS-400-00-047"],
      ["GET", `${SEARCH}/basic?typeName=nope`, undefined, "ATLAS-400-00-00A"],
      ["GET", `${SEARCH}/basic?classification=nope`, undefined, "ATLAS-400-00-046"],
      ["GET", `${SEARCH}/basic?typeName=sx_item&limit=-1`, undefined, "ATLAS-400-00-029"],
      ["GET", `${SEARCH}/basic?typeName=sx_item&sortBy=nope`, undefined, "ATLAS-400-00-023"],
      ["GET", `${SEARCH}/basic?typeName=sx_item&sortOrder=UP`, undefined, "ATLAS-400-00-002"],
      ["GET", `${SEARCH}/basic?query=${"x".repeat(4097)}`, undefined, "ATLAS-400-00-058"],
      ["GET", `${SEARCH}/basic?termName=${"t".repeat(4097)}`, undefined, "ATLAS-400-00-058"],
      [
        "POST",
        `${SEARCH}/basic`,
        { entityFilters: { attributeName: "size", operator: "=", attributeValue: "1" } },
        "ATLAS-400-00-029",
      ],
      [
        "POST",
        `${SEARCH}/basic`,
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "size", operator: "~~", attributeValue: "1" },
        },
        "ATLAS-400-00-103",
      ],
      [
        "POST",
        `${SEARCH}/basic`,
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "size", operator: "=", attributeValue: "" },
        },
        "ATLAS-400-00-105",
      ],
      [
        "POST",
        `${SEARCH}/basic`,
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "size", operator: ">", attributeValue: "big" },
        },
        "ATLAS-400-00-029",
      ],
      ["POST", `${SEARCH}/basic`, { typeName: "sx_item", limit: "ten" }, "ATLAS-400-00-002"],
      [
        "POST",
        `${SEARCH}/basic`,
        { typeName: "sx_item", relationshipName: "x" },
        "ATLAS-400-00-029",
      ],
    ];
    for (const [method, path, body, code] of cases) {
      const r = await call(method, path, body);
      expect({
        path,
        body,
        status: r.status,
        code: (r.json as { errorCode?: string })?.errorCode,
      }).toEqual({
        path,
        body,
        status: 400,
        code,
      });
      expect(r.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
    }
  });

  it("GET dsl: entities, or attributes {name, values} for select and aggregates", async () => {
    const r = await call(
      "GET",
      `${SEARCH}/dsl?query=${encodeURIComponent("sx_item where size >= 20 orderby size desc")}`,
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      queryType: "DSL",
      queryText: "sx_item where size >= 20 orderby size desc",
    });
    expect(names(r)).toEqual(["gamma", "beta"]);
    const agg = await call(
      "GET",
      `${SEARCH}/dsl?typeName=sx_item&query=${encodeURIComponent("select count(), sum(size)")}`,
    );
    expect(agg.json).toMatchObject({
      attributes: { name: ["count()", "sum(size)"], values: [[3, 60]] },
    });
    expect(
      names(await call("GET", `${SEARCH}/dsl?typeName=sx_item&classification=SX_PII`)),
    ).toEqual(["alpha"]);
    expect(names(await call("GET", `${SEARCH}/dsl?query=sx_item&limit=1&offset=1`))).toEqual([
      "beta",
    ]);
    const bad = await call(
      "GET",
      `${SEARCH}/dsl?query=${encodeURIComponent("sx_item where size = 1; DROP TABLE atlas_entities")}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errorCode: "ATLAS-400-00-059" });
    expect((await call("GET", `${SEARCH}/dsl?query=nope`)).json).toMatchObject({
      errorCode: "ATLAS-400-00-05B",
    });
  });

  it("quick, suggestions, attribute, relationship and fulltext answer as Atlas's DiscoveryREST", async () => {
    const quick = await call("GET", `${SEARCH}/quick?query=sales&limit=5`);
    expect(quick.status).toBe(200);
    expect(quick.json).toMatchObject({
      searchResults: { queryType: "BASIC", approximateCount: 3 },
      aggregationMetrics: {
        __typeName: [
          { name: "hive_table", count: 2 },
          { name: "hive_db", count: 1 },
        ],
      },
    });
    const posted = await call("POST", `${SEARCH}/quick`, {
      query: "a",
      typeName: "sx_item",
      entityFilters: { attributeName: "size", operator: "lt", attributeValue: "25" },
      limit: 10,
      offset: 0,
    });
    expect(
      (posted.json as { searchResults: Result }).searchResults.entities?.map((e) => e.displayText),
    ).toEqual(["alpha", "beta"]);
    expect((await call("POST", `${SEARCH}/quick`, { limit: 5 })).json).toMatchObject({
      errorCode: "ATLAS-400-00-047",
    });

    expect(
      (await call("GET", `${SEARCH}/suggestions?prefixString=sales.o&fieldName=qualifiedName`))
        .json,
    ).toEqual({
      suggestions: ["sales.orders@sx"],
      prefixString: "sales.o",
      fieldName: "qualifiedName",
    });

    expect(
      names(
        await call(
          "GET",
          `${SEARCH}/attribute?typeName=hive_table&attrName=name&attrValuePrefix=ref`,
        ),
      ),
    ).toEqual(["refunds"]);
    expect(
      names(await call("GET", `${SEARCH}/attribute?typeName=sx_item&attrValuePrefix=GAM`)),
    ).toEqual(["gamma"]);
    expect((await call("GET", `${SEARCH}/attribute?typeName=sx_item`)).json).toMatchObject({
      errorCode: "ATLAS-400-00-01A",
    });

    const related = await call(
      "GET",
      `${SEARCH}/relationship?guid=${seed.guids.sales}&relation=tables&sortOrder=DESCENDING&attributes=owner`,
    );
    expect(related.status).toBe(200);
    expect(
      (related.json as Result).entities?.map((e) => [e.displayText, e.attributes.owner]),
    ).toEqual([
      ["refunds", "etl"],
      ["orders", "etl"],
    ]);
    expect(
      (await call("GET", `${SEARCH}/relationship?guid=${seed.guids.sales}&relation=nope`)).json,
    ).toMatchObject({
      errorCode: "ATLAS-400-00-048",
    });
    const missing = await call("GET", `${SEARCH}/relationship?guid=0000-none&relation=tables`);
    expect(missing.status).toBe(404);

    const full = await call("GET", `${SEARCH}/fulltext?query=refunds`);
    expect(full.json).toMatchObject({
      queryType: "FULL_TEXT",
      queryText: "refunds",
      fullTextResult: [{ entity: { guid: seed.guids.refunds } }],
    });
    expect((await call("GET", `${SEARCH}/fulltext?query=name:refunds`)).status).toBe(400);
  });
});
