/**
 * Hostile requests to purge, entity audit and saved searches, against a real server process
 * (dist/main.js, standalone, SQLite): purges of active entities, unknown guids and huge lists,
 * bodies of the wrong shape, bad saved searches and hostile names. Each gets Atlas's 4xx
 * error, never a stack trace; a refused request stores nothing (no entity purged, no saved
 * search), and the server keeps serving.
 */
import { ATLAS_ADMIN_AUTH, atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandalone, type Standalone } from "../support/standalone.js";

const API = "/api/atlas";

describe("hostile admin, audit and saved-search requests (a standalone atlas-server on SQLite)", () => {
  let server: Standalone;
  let deleted: string;
  let active: string;

  /** Exact bytes, as admin. */
  const raw = async (method: string, path: string, body: string) => {
    const response = await fetch(`${server.url}${API}${path}`, {
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
  const createDb = async (name: string) => {
    const r = await atlasCall(server, "POST", `${API}/v2/entity`, {
      entity: {
        typeName: "hive_db",
        attributes: { qualifiedName: `${name}@h`, name, clusterName: "h" },
      },
    });
    return (r.json as { mutatedEntities: { CREATE: { guid: string }[] } }).mutatedEntities
      .CREATE[0]!.guid;
  };

  beforeAll(async () => {
    server = await startStandalone("hostile-admin");
    active = await createDb("h_active");
    deleted = await createDb("h_deleted");
    await atlasCall(server, "DELETE", `${API}/v2/entity/guid/${deleted}`);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses bad purge bodies with Atlas's 400s and purges nothing", async () => {
    const many = JSON.stringify(Array.from({ length: 1001 }, (_, i) => `guid-${i}`));
    const cases: [string, string, string][] = [
      ["malformed JSON", "[", "ATLAS-400-00-001"],
      ["an object", JSON.stringify({ guids: [deleted] }), "ATLAS-400-00-002"],
      ["an empty list", "[]", "ATLAS-400-00-01A"],
      ["a number among the guids", JSON.stringify([deleted, 7]), "ATLAS-400-00-002"],
      ["null among the guids", JSON.stringify([deleted, null]), "ATLAS-400-00-002"],
      ["a path as a guid", JSON.stringify([deleted, "../../etc/passwd"]), "ATLAS-400-00-002"],
      ["SQL as a guid", JSON.stringify([deleted, "x' OR '1'='1"]), "ATLAS-400-00-002"],
      ["a 10 KB guid", JSON.stringify([deleted, "g".repeat(10_000)]), "ATLAS-400-00-002"],
      ["1001 guids", many, "ATLAS-400-00-109"],
      ["an empty body", "", "ATLAS-400-00-002"],
    ];
    for (const [what, body, code] of cases) {
      const r = await raw("PUT", "/admin/purge", body);
      expect({
        what,
        status: r.status,
        code: (r.json as { errorCode?: string })?.errorCode,
      }).toEqual({ what, status: 400, code });
      expect(r.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    }
    const huge = await raw("PUT", "/admin/purge", JSON.stringify(["x".repeat(2_000_000)]));
    expect(huge.status).toBe(413);
    // 1000 distinct guids is the limit; repeats count once, as in Atlas's Set.
    const repeats = await raw("PUT", "/admin/purge", JSON.stringify(Array(5000).fill(active)));
    expect(repeats.status).toBe(200);
    expect(repeats.json).toEqual({ mutatedEntities: {} });
    expect((await atlasCall(server, "GET", `${API}/v2/entity/guid/${deleted}`)).status).toBe(200);
    expect((await atlasCall(server, "GET", `${API}/v2/entity/guid/${active}`)).status).toBe(200);
  });

  it("a purge of active entities and unknown guids changes nothing and says so", async () => {
    const r = await raw("PUT", "/admin/purge", JSON.stringify([active, "no-such-guid"]));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ mutatedEntities: {} });
    const audit = (await atlasCall(server, "GET", `${API}/v2/entity/${active}/audit`)).json as {
      action: string;
    }[];
    expect(audit.map((e) => e.action)).toEqual(["ENTITY_CREATE"]);
  });

  it("refuses hostile audit paths and parameters", async () => {
    const cases: [string, number, string][] = [
      [`/v2/entity/${"g".repeat(200)}/audit`, 400, "ATLAS-400-00-002"],
      [`/v2/entity/x'%20OR%201=1/audit`, 400, "ATLAS-400-00-002"],
      [`/v2/entity/${active}/audit?count=99999999999999999999`, 400, "ATLAS-400-00-002"],
      [`/v2/entity/${active}/audit?startKey=${"9".repeat(5000)}`, 400, "ATLAS-400-00-002"],
      [`/v2/entity/${active}/audit?auditAction=ENTITY_CREATE'--`, 400, "ATLAS-400-00-002"],
      [`/v2/entity/${active}/audit?sortBy=at;DROP`, 400, "ATLAS-400-00-002"],
    ];
    for (const [path, status, code] of cases) {
      const r = await atlasCall(server, "GET", `${API}${path}`);
      expect({
        path: path.slice(0, 80),
        status: r.status,
        code: (r.json as { errorCode?: string })?.errorCode,
      }).toEqual({
        path: path.slice(0, 80),
        status,
        code,
      });
    }
  });

  it("refuses admin-audit searches it cannot evaluate with a 400, and never a 500", async () => {
    let deep: unknown = { attributeName: "operation", operator: "=", attributeValue: "PURGE" };
    for (let i = 0; i < 40; i++) deep = { condition: "AND", criterion: [deep] };
    const cases: [string, unknown][] = [
      ["a list", []],
      ["filters as a string", { auditFilters: "operation=PURGE" }],
      [
        "an unknown attribute",
        { auditFilters: { attributeName: "password", operator: "=", attributeValue: "x" } },
      ],
      [
        "an operator Atlas has and this server does not evaluate",
        {
          auditFilters: { attributeName: "operation", operator: "TIME_RANGE", attributeValue: "x" },
        },
      ],
      [
        "an operator as an object",
        { auditFilters: { attributeName: "operation", operator: { eq: 1 }, attributeValue: "x" } },
      ],
      [
        "a value as an object",
        { auditFilters: { attributeName: "operation", operator: "=", attributeValue: { $ne: 1 } } },
      ],
      [
        "a time that is not a number",
        {
          auditFilters: { attributeName: "startTime", operator: ">", attributeValue: "yesterday" },
        },
      ],
      [
        "a condition that is neither AND nor OR",
        {
          auditFilters: {
            condition: "XOR",
            criterion: [{ attributeName: "operation", operator: "=", attributeValue: "PURGE" }],
          },
        },
      ],
      ["filters nested 40 deep", { auditFilters: deep }],
      ["a sortBy that is no attribute", { sortBy: "1; DROP TABLE atlas_writes" }],
      ["a sortOrder that is neither", { sortOrder: "SIDEWAYS" }],
      ["a negative limit", { limit: -1 }],
    ];
    for (const [what, body] of cases) {
      const r = await raw("POST", "/admin/audits", JSON.stringify(body));
      expect({
        what,
        status: r.status,
        code: (r.json as { errorCode?: string })?.errorCode,
      }).toEqual({
        what,
        status: 400,
        code: "ATLAS-400-00-002",
      });
    }
    const wide = {
      condition: "OR",
      criterion: Array.from({ length: 5000 }, () => ({
        attributeName: "userName",
        operator: "=",
        attributeValue: "nobody",
      })),
    };
    const r = await raw("POST", "/admin/audits", JSON.stringify({ auditFilters: wide }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual([]);
    for (const guid of ["..%2Fx", "1%20OR%201=1", "9".repeat(40)]) {
      const d = await atlasCall(server, "GET", `${API}/admin/audit/${guid}/details`);
      expect(d.status, guid).toBe(404);
    }
  });

  it("refuses bad saved searches with a 4xx Atlas error and stores none of them", async () => {
    const cases: [string, string, number, string][] = [
      ["malformed JSON", '{"name":', 400, "ATLAS-400-00-001"],
      ["a list", "[]", 400, "ATLAS-400-00-002"],
      ["no name", JSON.stringify({ searchType: "BASIC" }), 400, "ATLAS-400-00-002"],
      ["an empty name", JSON.stringify({ name: "  " }), 400, "ATLAS-400-00-002"],
      ["a name that is a number", JSON.stringify({ name: 7 }), 400, "ATLAS-400-00-002"],
      [
        "a 5000-character name",
        JSON.stringify({ name: "n".repeat(5000) }),
        400,
        "ATLAS-400-00-002",
      ],
      [
        "an unknown searchType",
        JSON.stringify({ name: "h1", searchType: "DSL" }),
        400,
        "ATLAS-400-00-002",
      ],
      [
        "searchParameters as a list",
        JSON.stringify({ name: "h2", searchParameters: [] }),
        400,
        "ATLAS-400-00-002",
      ],
      [
        "a typeName of 5000 characters",
        JSON.stringify({ name: "h3", searchParameters: { typeName: "t".repeat(5000) } }),
        400,
        "ATLAS-400-00-002",
      ],
      [
        "uiParameters as an object",
        JSON.stringify({ name: "h4", uiParameters: { a: 1 } }),
        400,
        "ATLAS-400-00-002",
      ],
      ["another owner", JSON.stringify({ name: "h5", ownerName: "root" }), 400, "ATLAS-400-00-029"],
    ];
    for (const [what, body, status, code] of cases) {
      const r = await raw("POST", "/v2/search/saved", body);
      expect({
        what,
        status: r.status,
        code: (r.json as { errorCode?: string })?.errorCode,
      }).toEqual({ what, status, code });
    }
    const update = await raw("PUT", "/v2/search/saved", JSON.stringify({ name: "h6" }));
    expect(update.status).toBe(400);
    expect(update.json).toMatchObject({ errorCode: "ATLAS-400-00-021" });
    const unknown = await raw(
      "PUT",
      "/v2/search/saved",
      JSON.stringify({ name: "h7", guid: "nope" }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ errorCode: "ATLAS-404-00-005" });
    const del = await atlasCall(server, "DELETE", `${API}/v2/search/saved/..%2F..%2Fadmin`);
    expect(del.status).toBe(400);
    expect((await atlasCall(server, "GET", `${API}/v2/search/saved`)).json).toEqual([]);

    // Hostile names are only names: stored and found as given, never interpreted.
    for (const name of ["x'; DROP TABLE atlas_saved_searches; --", "../../etc", "名前 ✓"]) {
      const r = await raw("POST", "/v2/search/saved", JSON.stringify({ name }));
      expect(r.status, name).toBe(200);
      const back = await atlasCall(
        server,
        "GET",
        `${API}/v2/search/saved/${encodeURIComponent(name)}`,
      );
      expect(back.json, name).toMatchObject({ name, ownerName: "admin" });
    }
    expect(
      ((await atlasCall(server, "GET", `${API}/v2/search/saved`)).json as unknown[]).length,
    ).toBe(3);
  });
});
