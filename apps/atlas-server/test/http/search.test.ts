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
      ["GET", `${SEARCH}/basic?termName=glossary.term`, undefined, "ATLAS-400-00-029"],
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
});
