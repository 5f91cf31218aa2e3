/**
 * Hostile glossary requests against a real server process (dist/main.js, standalone, SQLite):
 * broken glossary links (a term anchored to a glossary that does not exist, a category below
 * its own descendant or in another glossary, a term related to itself or to a category),
 * wrong field types, huge and hostile names, malformed bodies. Each gets a clear 4xx Atlas
 * error, never a stack trace; nothing of it is stored, and the server keeps serving.
 */
import { ATLAS_ADMIN_AUTH, atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandalone, type Standalone } from "../support/standalone.js";

const GLOSSARY = "/api/atlas/v2/glossary";
type Json = Record<string, unknown>;

describe("hostile glossary requests (a standalone atlas-server on SQLite)", () => {
  let server: Standalone;
  const call = (method: string, path: string, body?: unknown) =>
    atlasCall(server.url, method, path, body);
  /** Exact bytes, as admin. */
  const raw = async (method: string, path: string, body: string | Buffer) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: ATLAS_ADMIN_AUTH, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  };
  /** Every glossary object ever stored, deleted ones too: a refused request must add none. */
  const stored = async () => {
    const counts: Record<string, unknown> = {};
    for (const typeName of ["AtlasGlossary", "AtlasGlossaryTerm", "AtlasGlossaryCategory"]) {
      const found = await call(
        "GET",
        `/api/atlas/v2/search/basic?typeName=${typeName}&excludeDeletedEntities=false`,
      );
      counts[typeName] = (found.json as Json).approximateCount;
    }
    return counts;
  };

  let ids: Record<string, string>;

  beforeAll(async () => {
    server = await startStandalone("hostile-glossary");
    const guid = async (path: string, body: unknown) =>
      ((await call("POST", `${GLOSSARY}${path}`, body)).json as Json).guid as string;
    const a = await guid("", { name: "A" });
    const b = await guid("", { name: "B" });
    const term = await guid("/term", { name: "T", anchor: { glossaryGuid: a } });
    const top = await guid("/category", { name: "Top", anchor: { glossaryGuid: a } });
    const mid = await guid("/category", {
      name: "Mid",
      anchor: { glossaryGuid: a },
      parentCategory: { categoryGuid: top },
    });
    const leaf = await guid("/category", {
      name: "Leaf",
      anchor: { glossaryGuid: a },
      parentCategory: { categoryGuid: mid },
    });
    const other = await guid("/category", { name: "Elsewhere", anchor: { glossaryGuid: b } });
    ids = { a, b, term, top, mid, leaf, other };
    expect(Object.values(ids).every((id) => typeof id === "string")).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses broken glossary links and bad bodies with a 4xx Atlas error and stores nothing", async () => {
    const before = await stored();
    const { a, b, term, top, mid, leaf, other } = ids;
    const anchorA = { glossaryGuid: a };
    const deep = `{"name":"deep","anchor":{"glossaryGuid":"${a}"},"additionalAttributes":${'{"x":'.repeat(5000)}1${"}".repeat(5000)}}`;
    const notUtf8 = Buffer.concat([
      Buffer.from('{"name":"bad'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('"}'),
    ]);
    const cases: [string, string, unknown, number][] = [
      // links to what is not there, or not of the right kind
      ["POST", "/term", { name: "Lost", anchor: { glossaryGuid: "0000-missing" } }, 404],
      ["POST", "/term", { name: "Lost", anchor: { glossaryGuid: term } }, 404],
      ["POST", "/term", { name: "Lost", anchor: { glossaryGuid: 42 } }, 400],
      ["POST", "/term", { name: "Lost", anchor: [a] }, 400],
      ["POST", "/term", { name: "Lost", anchor: anchorA, seeAlso: [{ termGuid: top }] }, 404],
      [
        "POST",
        "/term",
        { name: "Lost", anchor: anchorA, categories: [{ categoryGuid: term }] },
        404,
      ],
      ["POST", "/term", { name: "Lost", anchor: anchorA, synonyms: [{}] }, 400],
      ["POST", "/term", { name: "Lost", anchor: anchorA, synonyms: "T" }, 400],
      // a category below its own descendant, or linked across glossaries
      [
        "PUT",
        `/category/${top}`,
        { name: "Top", anchor: anchorA, parentCategory: { categoryGuid: leaf } },
        400,
      ],
      [
        "PUT",
        `/category/${mid}`,
        { name: "Mid", anchor: anchorA, parentCategory: { categoryGuid: mid } },
        400,
      ],
      [
        "PUT",
        `/category/${leaf}`,
        {
          name: "Leaf",
          anchor: anchorA,
          parentCategory: { categoryGuid: mid },
          childrenCategories: [{ categoryGuid: top }],
        },
        400,
      ],
      [
        "POST",
        "/category",
        { name: "Cross", anchor: anchorA, parentCategory: { categoryGuid: other } },
        400,
      ],
      [
        "POST",
        "/category",
        { name: "Cross", anchor: anchorA, childrenCategories: [{ categoryGuid: other }] },
        400,
      ],
      [
        "POST",
        "/category",
        { name: "NoTerm", anchor: anchorA, terms: [{ description: "no guid" }] },
        400,
      ],
      // a term related to itself
      ["PUT", `/term/${term}`, { name: "T", anchor: anchorA, antonyms: [{ termGuid: term }] }, 400],
      // names and fields
      ["POST", "", { name: "x".repeat(5000) }, 400],
      ["POST", "/term", { name: "y".repeat(5000), anchor: anchorA }, 400],
      ["POST", "", { name: 7 }, 400],
      ["POST", "", { name: { $gt: "" } }, 400],
      ["POST", "", { name: "<script>" }, 400],
      ["POST", "", { name: "ok", shortDescription: { a: 1 } }, 400],
      ["POST", "/term", { name: "E", anchor: anchorA, examples: [1, 2] }, 400],
      ["POST", "/term", { name: "E", anchor: anchorA, additionalAttributes: { k: { n: 1 } } }, 400],
      [
        "POST",
        "/term",
        { name: "S", anchor: anchorA, seeAlso: [{ termGuid: term, status: "SHINY" }] },
        400,
      ],
      ["PUT", `/term/${term}/partial`, { name: ["T2"] }, 400],
      ["PUT", `/term/${term}/partial`, { anchor: { glossaryGuid: b } }, 400],
      ["PUT", `/${a}`, { name: "" }, 400],
      // bodies that are not what the route takes
      ["POST", "", [{ name: "L" }], 400],
      ["POST", "/terms", { name: "NotAList", anchor: anchorA }, 400],
      [
        "POST",
        "/terms",
        [
          { name: "Fine", anchor: anchorA },
          { name: "T", anchor: anchorA },
        ],
        409,
      ],
      [
        "POST",
        "/categories",
        [
          { name: "Fine", anchor: anchorA },
          { name: "Top", anchor: anchorA },
        ],
        409,
      ],
      ["POST", `/terms/${term}/assignedEntities`, { guid: a }, 400],
      ["POST", `/terms/${term}/assignedEntities`, [{ guid: "0000-missing" }], 404],
      ["PUT", `/terms/${term}/assignedEntities`, [{ guid: a }], 400],
    ];
    for (const [method, path, body, status] of cases) {
      const answer = await call(method, `${GLOSSARY}${path}`, body);
      const where = `${method} ${path} ${JSON.stringify(body).slice(0, 120)}`;
      expect(answer.status, where).toBe(status);
      expect(answer.json, where).toEqual({
        errorCode: expect.stringMatching(/^ATLAS-4\d\d-00-0[0-9A-F]{2}$/),
        errorMessage: expect.any(String),
      });
      expect(answer.text, where).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
    }
    for (const [body, status] of [
      ["{not json", 400],
      [deep, 400],
      [notUtf8, 400],
      [JSON.stringify({ name: "z".repeat(11 * 1024 * 1024) }), 413],
    ] as const) {
      const answer = await raw("POST", `${GLOSSARY}/term`, body);
      expect(answer.status).toBe(status);
      expect((answer.json as Json).errorCode).toMatch(/^ATLAS-4/);
    }
    expect(await stored()).toEqual(before);
    // The hierarchy is as it was.
    const leafNow = await call("GET", `${GLOSSARY}/category/${leaf}`);
    expect((leafNow.json as Json).qualifiedName).toBe("Leaf.Mid.Top@A");
  });

  it("hostile guids and parameters in the path and query get 400 or 404, never a stack trace", async () => {
    const paths = [
      `${GLOSSARY}/${"%2e%2e%2f".repeat(10)}`,
      `${GLOSSARY}/term/${"a".repeat(500)}`,
      `${GLOSSARY}/category/'%20OR%201=1`,
      `${GLOSSARY}/${String(ids.a)}/terms?limit=1e9`,
      `${GLOSSARY}/${String(ids.a)}/terms?limit=-2`,
      `${GLOSSARY}?offset=abc`,
      `${GLOSSARY}?sort=asc`,
      `${GLOSSARY}/terms/%E0%A4%A/related`,
    ];
    for (const path of paths) {
      const answer = await call("GET", path);
      expect([400, 404], path).toContain(answer.status);
      expect((answer.json as Json).errorCode, path).toMatch(/^ATLAS-4/);
    }
    expect((await call("GET", GLOSSARY)).status).toBe(200);
  });
});
