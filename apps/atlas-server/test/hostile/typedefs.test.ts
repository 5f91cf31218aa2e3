/**
 * Hostile bodies and paths for the Types endpoints, against a real server process
 * (dist/main.js, standalone, SQLite): bad typedef JSON, huge and deep defs, unknown kinds,
 * wrong field types, hostile names. Each gets a clear 4xx Atlas error, never a stack trace;
 * nothing of it is stored, and the server keeps serving.
 */
import { ATLAS_ADMIN_AUTH, atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandalone, type Standalone } from "../support/standalone.js";

const TYPEDEFS = "/api/atlas/v2/types/typedefs";
const TYPES = "/api/atlas/v2/types";

function entityDefs(...defs: unknown[]): string {
  return JSON.stringify({ entityDefs: defs });
}
const ok = { name: "hx_ok", superTypes: [], attributeDefs: [] };

describe("hostile typedef requests (a standalone atlas-server on SQLite)", () => {
  let server: Standalone;
  /** Exact bytes, as admin; atlasCall would JSON-encode a Buffer. */
  const raw = async (
    method: string,
    path: string,
    body: string | Buffer,
    type = "application/json",
  ) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: ATLAS_ADMIN_AUTH, "content-type": type },
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

  beforeAll(async () => {
    server = await startStandalone("hostile-types");
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses bad typedef bodies on POST, PUT and DELETE with a 4xx Atlas error and stores nothing", async () => {
    const before = (await atlasCall(server.url, "GET", `${TYPEDEFS}/headers`)).text;
    const deep = `{"entityDefs":[{"name":"hx_deep","superTypes":[],"attributeDefs":[],"options":${"[".repeat(100_000)}${"]".repeat(100_000)}}]}`;
    const deepObject = `{"entityDefs":[{"name":"hx_deep2","superTypes":[],"attributeDefs":[{"name":"a","typeName":"string","isOptional":true,"constraints":[{"type":"ownedRef","params":${'{"x":'.repeat(40)}1${"}".repeat(40)}}]}]}]}`;
    const huge = entityDefs({
      ...ok,
      name: "hx_huge",
      attributeDefs: Array.from({ length: 40_000 }, (_, i) => ({
        name: `a${i}`,
        typeName: "string",
        isOptional: true,
      })),
    });
    const notUtf8 = Buffer.concat([
      Buffer.from('{"entityDefs":[{"name":"hx_'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('","superTypes":[],"attributeDefs":[]}]}'),
    ]);
    /** The last field: well-formed defs of types that do not exist, which a PUT answers with its 404. */
    const cases: [string, string | Buffer, number, string, "unknown on PUT"?][] = [
      ["malformed JSON", '{"entityDefs": [', 400, "ATLAS-400-00-001"],
      ["a body that is not UTF-8", notUtf8, 400, "ATLAS-400-00-001"],
      ["an empty body", "", 400, "ATLAS-400-00-002"],
      ["a JSON list", "[1,2]", 400, "ATLAS-400-00-002"],
      ["no typedefs at all", "{}", 400, "ATLAS-400-00-002"],
      ["an unknown kind", JSON.stringify({ fooDefs: [ok] }), 400, "ATLAS-400-00-011"],
      [
        "an unknown kind beside a good one",
        JSON.stringify({ entityDefs: [ok], glossaryDefs: [] }),
        400,
        "ATLAS-400-00-011",
      ],
      ["a kind that is not a list", JSON.stringify({ entityDefs: ok }), 400, "ATLAS-400-00-002"],
      ["a def that is a string", entityDefs("hx_str"), 400, "ATLAS-400-00-011"],
      ["a def that is null", entityDefs(ok, null), 400, "ATLAS-400-00-011"],
      ["a def without a name", entityDefs({ superTypes: [] }), 400, "ATLAS-400-00-011"],
      ["a name that is a number", entityDefs({ name: 7 }), 400, "ATLAS-400-00-011"],
      [
        "SQL in the name",
        entityDefs({ ...ok, name: "x'; DROP TABLE atlas_typedefs; --" }),
        400,
        "ATLAS-400-00-019",
      ],
      [
        "a path in the name",
        entityDefs({ ...ok, name: "../../etc/passwd" }),
        400,
        "ATLAS-400-00-019",
      ],
      ["a NUL in the name", entityDefs({ ...ok, name: "hx\u0000nul" }), 400, "ATLAS-400-00-019"],
      [
        "another category in the list",
        entityDefs({ ...ok, name: "hx_cat", category: "ENUM" }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "superTypes as a string",
        entityDefs({ ...ok, name: "hx_st", superTypes: "DataSet" }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "attributeDefs as an object",
        entityDefs({ ...ok, name: "hx_ad", attributeDefs: {} }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "an attribute without typeName",
        entityDefs({ ...ok, name: "hx_at", attributeDefs: [{ name: "a" }] }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "an attribute twice",
        entityDefs({
          ...ok,
          name: "hx_tw",
          attributeDefs: [
            { name: "a", typeName: "string", isOptional: true },
            { name: "a", typeName: "int", isOptional: true },
          ],
        }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "a flag that is a string",
        entityDefs({
          ...ok,
          name: "hx_fl",
          attributeDefs: [{ name: "a", typeName: "string", isOptional: "yes" }],
        }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "a version that is not a number",
        entityDefs({ ...ok, name: "hx_v", version: "2" }),
        400,
        "ATLAS-400-00-011",
      ],
      ["options 100,000 levels deep", deep, 400, "ATLAS-400-00-011"],
      ["constraint params 40 levels deep", deepObject, 400, "ATLAS-400-00-011"],
      ["a 2 MiB def", huge, 413, "ATLAS-413-00-001"],
      [
        "a self-referencing supertype",
        entityDefs({ ...ok, name: "hx_self", superTypes: ["hx_self"] }),
        400,
        "ATLAS-400-00-011",
        "unknown on PUT",
      ],
      [
        "a relationship without ends",
        JSON.stringify({ relationshipDefs: [{ name: "hx_rel", attributeDefs: [] }] }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "a relationship category that does not exist",
        JSON.stringify({
          relationshipDefs: [
            {
              name: "hx_rel2",
              relationshipCategory: "FRIENDSHIP",
              endDef1: { type: "DataSet", name: "a" },
              endDef2: { type: "DataSet", name: "b" },
            },
          ],
        }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "enum elements that are not objects",
        JSON.stringify({ enumDefs: [{ name: "hx_enum", elementDefs: [1, 2] }] }),
        400,
        "ATLAS-400-00-011",
      ],
      [
        "an attribute of an unknown type",
        entityDefs({
          ...ok,
          name: "hx_ut",
          attributeDefs: [{ name: "a", typeName: "array<hx_nope>", isOptional: true }],
        }),
        400,
        "ATLAS-400-00-029",
        "unknown on PUT",
      ],
    ];
    for (const method of ["POST", "PUT"]) {
      for (const [what, body, status, code, put] of cases) {
        const answer = await raw(method, TYPEDEFS, body);
        const expected =
          method === "PUT" && put ? { status: 404, code: "ATLAS-404-00-001" } : { status, code };
        expect({
          method,
          what,
          status: answer.status,
          code: (answer.json as { errorCode?: string })?.errorCode,
        }).toEqual({
          method,
          what,
          ...expected,
        });
        expect(answer.text).not.toMatch(/\n\s+at /);
      }
    }
    const deletes: [string, string, number, string][] = [
      ["a def without name or guid", entityDefs({}), 400, "ATLAS-400-00-011"],
      ["a def that is a number", entityDefs(5), 400, "ATLAS-400-00-011"],
      [
        "an unknown kind",
        JSON.stringify({ fooDefs: [{ name: "DataSet" }] }),
        400,
        "ATLAS-400-00-011",
      ],
      ["a name that does not exist", entityDefs({ name: "hx_nope" }), 404, "ATLAS-404-00-001"],
      ["a guid that does not exist", entityDefs({ guid: "hx-no-guid" }), 404, "ATLAS-404-00-002"],
      [
        "a built-in type relationshipDefs name",
        entityDefs({ name: "DataSet" }),
        409,
        "ATLAS-409-00-005",
      ],
      [
        "a built-in enum attributes use",
        JSON.stringify({ enumDefs: [{ name: "hive_principal_type" }] }),
        409,
        "ATLAS-409-00-002",
      ],
    ];
    for (const [what, body, status, code] of deletes) {
      const answer = await raw("DELETE", TYPEDEFS, body);
      expect({
        what,
        status: answer.status,
        code: (answer.json as { errorCode?: string })?.errorCode,
      }).toEqual({
        what,
        status,
        code,
      });
    }
    const xml = await raw("POST", TYPEDEFS, "<typedefs/>", "application/xml");
    expect(xml.status).toBe(415);
    // Nothing of any of it was stored.
    expect((await atlasCall(server.url, "GET", `${TYPEDEFS}/headers`)).text).toBe(before);
  });

  it("hostile names and guids in the path get 400 or 404, never a stack trace", async () => {
    const cases: [string, number, string][] = [
      [`${TYPES}/typedef/name/%ff%fe`, 400, "ATLAS-400-00-002"],
      [`${TYPES}/typedef/name/%E0%A4%A`, 400, "ATLAS-400-00-002"],
      [`${TYPES}/typedef/guid/${"a".repeat(10_000)}`, 400, "ATLAS-400-00-002"],
      [`${TYPES}/typedef/name/${encodeURIComponent("x' OR '1'='1")}`, 404, "ATLAS-404-00-001"],
      [`${TYPES}/entitydef/name/..%2F..%2Fetc%2Fpasswd`, 404, "ATLAS-404-00-001"],
      [`${TYPES}/typedef/name/../../../etc/passwd`, 404, "ATLAS-404-00-F01"],
      [`${TYPES}/typedefs?type=${"x".repeat(5000)}&supertype=%00`, 200, ""],
    ];
    for (const [path, status, code] of cases) {
      const answer = await atlasCall(server.url, "GET", path);
      expect({
        path: path.slice(0, 80),
        status: answer.status,
        code: (answer.json as { errorCode?: string })?.errorCode ?? "",
      }).toEqual({
        path: path.slice(0, 80),
        status,
        code,
      });
      expect(answer.text).not.toMatch(/\n\s+at /);
    }
    const prototype = await raw(
      "POST",
      TYPEDEFS,
      '{"entityDefs":[{"name":"hx_proto","superTypes":[],"attributeDefs":[],"__proto__":{"polluted":true}}]}',
    );
    expect(prototype.status).toBe(200);
    const stored = (await atlasCall(server.url, "GET", `${TYPES}/typedef/name/hx_proto`)).json;
    expect(stored).not.toHaveProperty("polluted");
    expect((await atlasCall(server.url, "GET", "/api/atlas/admin/status")).json).toEqual({
      Status: "ACTIVE",
    });
  });
});
