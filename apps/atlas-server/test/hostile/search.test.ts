/**
 * Hostile searches against a real server process (dist/main.js, standalone, SQLite): SQL and
 * DSL injection attempts in every place a client's text reaches (values, attribute names,
 * operators, type and classification names, sort keys, DSL strings), deep and huge filter
 * trees and DSL expressions, unknown operators, wrong JSON shapes. Each gets a 4xx Atlas
 * error or an honest empty answer — never a stack trace, never a changed store — and the
 * server keeps serving.
 */
import { atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedSearch } from "../support/search-seed.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

const SEARCH = "/api/atlas/v2/search";
const INJECTIONS = [
  "' OR '1'='1",
  "x'); DROP TABLE atlas_entities; --",
  '" OR 1=1 --',
  "1; DELETE FROM atlas_entities",
  "%' UNION SELECT guid, guid FROM atlas_entities --",
  "\\'; --",
  '$."a") OR 1=1 --',
  "@s0",
  "\u0000",
];

describe("hostile searches (a standalone atlas-server on SQLite)", () => {
  let server: Standalone;
  const call = (method: string, path: string, body?: unknown) =>
    atlasCall(server.url, method, path, body);
  const count = async () =>
    (
      (await call("GET", `${SEARCH}/basic?typeName=_ALL_ENTITY_TYPES&limit=1`)).json as {
        approximateCount: number;
      }
    ).approximateCount;
  const noTrace = (text: string) =>
    expect(text).not.toMatch(/\bat .+\.(js|ts|mjs):\d+|SqliteError|SQLITE_/);

  beforeAll(async () => {
    server = await startStandalone("hostile-search");
    await seedSearch(server.url);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("injections in filter values, names, operators, sort keys and free text change nothing and match nothing", async () => {
    const before = await count();
    for (const evil of INJECTIONS) {
      const bodies: unknown[] = [
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "name", operator: "=", attributeValue: evil },
        },
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "name", operator: "contains", attributeValue: evil },
        },
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "name", operator: "like", attributeValue: evil },
        },
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "tags", operator: "containsAll", attributeValue: evil },
        },
        {
          typeName: "sx_item",
          entityFilters: {
            attributeName: "__customAttributes",
            operator: "contains",
            attributeValue: evil,
          },
        },
        {
          typeName: "sx_item",
          entityFilters: { attributeName: evil, operator: "=", attributeValue: "x" },
        },
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "name", operator: evil, attributeValue: "x" },
        },
        { typeName: evil },
        { classification: evil },
        { typeName: "sx_item", sortBy: evil },
        { typeName: "sx_item", attributes: [evil] },
        { query: evil },
      ];
      for (const body of bodies) {
        const r = await call("POST", `${SEARCH}/basic`, body);
        expect([200, 400], JSON.stringify(body)).toContain(r.status);
        if (r.status === 200)
          expect((r.json as { entities: unknown[] }).entities, JSON.stringify(body)).toEqual([]);
        noTrace(r.text);
      }
      for (const path of [
        `${SEARCH}/dsl?query=${encodeURIComponent(`sx_item where name = "${evil}"`)}`,
        `${SEARCH}/dsl?query=${encodeURIComponent(`sx_item where name = '${evil}'`)}`,
        `${SEARCH}/dsl?query=${encodeURIComponent(`sx_item ${evil}`)}`,
        `${SEARCH}/dsl?typeName=${encodeURIComponent(evil)}`,
        `${SEARCH}/quick?query=${encodeURIComponent(evil)}`,
        `${SEARCH}/suggestions?prefixString=${encodeURIComponent(evil)}`,
        `${SEARCH}/attribute?typeName=sx_item&attrName=name&attrValuePrefix=${encodeURIComponent(evil)}`,
        `${SEARCH}/relationship?guid=${encodeURIComponent(evil)}&relation=tables`,
        `${SEARCH}/fulltext?query=${encodeURIComponent(evil)}`,
      ]) {
        const r = await call("GET", path);
        expect([200, 400, 404], path).toContain(r.status);
        noTrace(r.text);
        const json = r.json as {
          entities?: unknown[];
          suggestions?: unknown[];
          searchResults?: { entities: unknown[] };
        };
        if (r.status === 200) {
          expect(
            json.entities ?? json.suggestions ?? json.searchResults?.entities ?? [],
            path,
          ).toEqual([]);
        }
      }
    }
    expect(await count()).toBe(before);
  });

  it("deep and huge filter trees and DSL expressions are bounded: 400, quickly", async () => {
    let deep: unknown = { attributeName: "size", operator: "=", attributeValue: "1" };
    for (let i = 0; i < 2000; i++) deep = { condition: "AND", criterion: [deep] };
    const wide = {
      condition: "OR",
      criterion: Array.from({ length: 50_000 }, (_, i) => ({
        attributeName: "size",
        operator: "=",
        attributeValue: String(i),
      })),
    };
    for (const entityFilters of [deep, wide]) {
      const started = performance.now();
      const r = await call("POST", `${SEARCH}/basic`, { typeName: "sx_item", entityFilters });
      // The wide one is over the body limit before it is a filter.
      expect([400, 413]).toContain(r.status);
      expect(performance.now() - started).toBeLessThan(5_000);
      noTrace(r.text);
    }
    const bigValue = await call("POST", `${SEARCH}/basic`, {
      typeName: "sx_item",
      entityFilters: { attributeName: "name", operator: "=", attributeValue: "x".repeat(100_000) },
    });
    expect(bigValue.status).toBe(400);
    for (const query of [
      // Within the 4096-character limit: the parser's depth and token bounds answer.
      `sx_item where ${"(".repeat(40)}size = 1${")".repeat(40)}`,
      `sx_item where ${Array.from({ length: 350 }, () => "size=1").join(" or ")}`,
      // Over it: Atlas's query-length error.
      `sx_item where name = "${"x".repeat(5000)}"`,
    ]) {
      const r = await call("GET", `${SEARCH}/dsl?query=${encodeURIComponent(query)}`);
      expect(r.status, query.slice(0, 40)).toBe(400);
      noTrace(r.text);
    }
  });

  it("wrong JSON shapes and unknown operators are Atlas 400s", async () => {
    const cases: [unknown, string][] = [
      [
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "size", operator: "BETWEEN", attributeValue: "1" },
        },
        "ATLAS-400-00-103",
      ],
      [
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "size", operator: null, attributeValue: "1" },
        },
        "ATLAS-400-00-103",
      ],
      [
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "size", operator: ["="], attributeValue: "1" },
        },
        "ATLAS-400-00-103",
      ],
      [
        {
          typeName: "sx_item",
          entityFilters: { attributeName: "size", operator: "=", attributeValue: { a: 1 } },
        },
        "ATLAS-400-00-029",
      ],
      [
        {
          typeName: "sx_item",
          entityFilters: {
            condition: "XOR",
            criterion: [{ attributeName: "size", operator: "=", attributeValue: "1" }],
          },
        },
        "ATLAS-400-00-029",
      ],
      [
        { typeName: "sx_item", entityFilters: { condition: "AND", criterion: "all" } },
        "ATLAS-400-00-029",
      ],
      [{ typeName: "sx_item", entityFilters: "size = 1" }, "ATLAS-400-00-002"],
      [{ typeName: ["sx_item"] }, "ATLAS-400-00-002"],
      [{ typeName: "sx_item", attributes: "size" }, "ATLAS-400-00-002"],
      [{ typeName: "sx_item", excludeDeletedEntities: "yes" }, "ATLAS-400-00-002"],
    ];
    for (const [body, code] of cases) {
      const r = await call("POST", `${SEARCH}/basic`, body);
      expect({
        body,
        status: r.status,
        code: (r.json as { errorCode?: string }).errorCode,
      }).toEqual({ body, status: 400, code });
    }
    const notJson = await call("POST", `${SEARCH}/basic`, "{typeName: sx_item");
    expect(notJson.status).toBe(400);
    expect((await call("GET", `${SEARCH}/basic?typeName=sx_item`)).status).toBe(200);
  });
});
