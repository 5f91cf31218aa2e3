/**
 * The glossary REST (Atlas's GlossaryREST) through a real server process (dist/main.js,
 * standalone), on SQLite and on PostgreSQL (the testkit's server): routes, statuses, bodies
 * and Atlas's error codes, raw HTTP.
 */
import { atlasCall } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allows, requirement } from "../../src/auth/policy.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const GLOSSARY = "/api/atlas/v2/glossary";
const pg = usePostgres();
type Json = Record<string, unknown>;

describe.each(["sqlite", "postgres"] as const)("the glossary REST on %s", (backend) => {
  let server: Standalone;
  const call = (method: string, path: string, body?: unknown) =>
    atlasCall(server.url, method, path, body);
  let glossary: Json;
  let term: Json;

  beforeAll(async () => {
    server = await startStandaloneOn(backend, "glossary", pg);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("POST glossary answers 200 with the AtlasGlossary; the same name again is 409 ATLAS-409-00-007", async () => {
    const created = await call("POST", GLOSSARY, { name: "Ops", language: "en", usage: "daily" });
    expect(created.status).toBe(200);
    glossary = created.json as Json;
    expect(glossary).toEqual({
      guid: expect.any(String),
      qualifiedName: "Ops",
      name: "Ops",
      language: "en",
      usage: "daily",
    });
    const again = await call("POST", GLOSSARY, { name: "Ops" });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({
      errorCode: "ATLAS-409-00-007",
      errorMessage: "Glossary with name Ops already exists",
    });
  });

  it("POST glossary/term answers the AtlasGlossaryTerm with its anchor; GET glossary shows it among terms", async () => {
    const created = await call("POST", `${GLOSSARY}/term`, {
      name: "Uptime",
      abbreviation: "UT",
      examples: ["99.9%"],
      anchor: { glossaryGuid: glossary.guid },
    });
    expect(created.status).toBe(200);
    term = created.json as Json;
    expect(term).toMatchObject({
      qualifiedName: "Uptime@Ops",
      abbreviation: "UT",
      examples: ["99.9%"],
      anchor: { glossaryGuid: glossary.guid, relationGuid: expect.any(String), displayText: "Ops" },
    });
    const read = await call("GET", `${GLOSSARY}/${String(glossary.guid)}`);
    expect((read.json as Json).terms).toEqual([
      {
        termGuid: term.guid,
        relationGuid: expect.any(String),
        displayText: "Uptime",
        qualifiedName: "Uptime@Ops",
      },
    ]);
  });

  it("answers Atlas's codes: no anchor 400 ATLAS-400-00-072, a bad name 400 ATLAS-400-00-083, an unknown guid 404 ATLAS-404-00-005", async () => {
    const cases: [string, string, unknown, number, string][] = [
      ["POST", `${GLOSSARY}/term`, { name: "X" }, 400, "ATLAS-400-00-072"],
      ["POST", `${GLOSSARY}/category`, { name: "X" }, 400, "ATLAS-400-00-072"],
      ["POST", GLOSSARY, {}, 400, "ATLAS-400-00-079"],
      [
        "POST",
        `${GLOSSARY}/term`,
        { anchor: { glossaryGuid: glossary.guid } },
        400,
        "ATLAS-400-00-07A",
      ],
      [
        "POST",
        `${GLOSSARY}/category`,
        { anchor: { glossaryGuid: glossary.guid } },
        400,
        "ATLAS-400-00-07B",
      ],
      ["POST", GLOSSARY, { name: "a.b" }, 400, "ATLAS-400-00-083"],
      [
        "POST",
        `${GLOSSARY}/term`,
        { name: "x@y", anchor: { glossaryGuid: glossary.guid } },
        400,
        "ATLAS-400-00-083",
      ],
      ["GET", `${GLOSSARY}/no-such-guid`, undefined, 404, "ATLAS-404-00-005"],
      ["GET", `${GLOSSARY}/term/no-such-guid`, undefined, 404, "ATLAS-404-00-005"],
      ["GET", `${GLOSSARY}/category/no-such-guid`, undefined, 404, "ATLAS-404-00-005"],
      ["DELETE", `${GLOSSARY}/term/no-such-guid`, undefined, 404, "ATLAS-404-00-005"],
      // A term's guid is not a glossary's.
      ["GET", `${GLOSSARY}/${String(term.guid)}`, undefined, 404, "ATLAS-404-00-005"],
      [
        "PUT",
        `${GLOSSARY}/${String(glossary.guid)}/partial`,
        { terms: "x" },
        400,
        "ATLAS-400-00-074",
      ],
      ["PUT", `${GLOSSARY}/${String(glossary.guid)}/partial`, {}, 400, "ATLAS-400-00-029"],
      [
        "PUT",
        `${GLOSSARY}/term/${String(term.guid)}`,
        {
          name: "Uptime",
          anchor: { glossaryGuid: glossary.guid },
          seeAlso: [{ termGuid: term.guid }],
        },
        400,
        "ATLAS-400-00-07E",
      ],
      ["PUT", `${GLOSSARY}/term/${String(term.guid)}`, { name: "Uptime" }, 400, "ATLAS-400-00-072"],
      ["GET", `${GLOSSARY}?sort=sideways`, undefined, 400, "ATLAS-400-00-002"],
      [
        "GET",
        `${GLOSSARY}/${String(glossary.guid)}/terms?limit=ten`,
        undefined,
        400,
        "ATLAS-400-00-002",
      ],
      [
        "GET",
        `${GLOSSARY}/${String(glossary.guid)}/terms?offset=-1`,
        undefined,
        400,
        "ATLAS-400-00-002",
      ],
      ["POST", `${GLOSSARY}/terms`, [], 400, "ATLAS-400-00-002"],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await call(method, path, body);
      expect({ method, path, status: answer.status }).toEqual({ method, path, status });
      expect((answer.json as Json).errorCode, `${method} ${path}`).toBe(code);
    }
  });

  it("partial updates change only the given attributes; the qualifiedName stays on a rename", async () => {
    const partial = await call("PUT", `${GLOSSARY}/term/${String(term.guid)}/partial`, {
      name: "Availability",
      shortDescription: "up or not",
    });
    expect(partial.status).toBe(200);
    expect(partial.json).toMatchObject({
      name: "Availability",
      qualifiedName: "Uptime@Ops",
      abbreviation: "UT",
      shortDescription: "up or not",
      anchor: { glossaryGuid: glossary.guid },
    });
  });

  it("lists with limit, offset and sort; headers; detailed; the related maps", async () => {
    await call("POST", `${GLOSSARY}/terms`, [
      { name: "Latency", anchor: { glossaryGuid: glossary.guid } },
      { name: "Error rate", anchor: { glossaryGuid: glossary.guid } },
    ]);
    const page = await call(
      "GET",
      `${GLOSSARY}/${String(glossary.guid)}/terms/headers?limit=2&offset=1&sort=DESC`,
    );
    expect(page.status).toBe(200);
    expect((page.json as Json[]).map((h) => h.displayText)).toEqual([
      // DESC: Latency, Error rate, Availability; from the second, two.
      "Error rate",
      "Availability",
    ]);
    const all = await call("GET", `${GLOSSARY}/${String(glossary.guid)}/terms?sort=ASC`);
    expect((all.json as Json[]).map((t) => t.name)).toEqual([
      "Availability",
      "Error rate",
      "Latency",
    ]);
    const detailed = await call("GET", `${GLOSSARY}/${String(glossary.guid)}/detailed`);
    expect(Object.keys((detailed.json as Json).termInfo as Json)).toHaveLength(3);
    expect((detailed.json as Json).categoryInfo).toEqual({});
    const related = await call("GET", `${GLOSSARY}/terms/${String(term.guid)}/related`);
    expect(related.json).toEqual({});
  });

  it("assigns a term with relationship attributes (204), shows it on the entity and the term, removes it with DELETE (204)", async () => {
    const entity = await call("POST", "/api/atlas/v2/entity", {
      entity: {
        typeName: "hive_db",
        attributes: { qualifiedName: "ops@cl", name: "ops", clusterName: "cl" },
      },
    });
    const guid = (
      entity.json as {
        guidAssignments: Record<string, string>;
        mutatedEntities: { CREATE: Json[] };
      }
    ).mutatedEntities.CREATE[0]!.guid as string;
    const assign = await call("POST", `${GLOSSARY}/terms/${String(term.guid)}/assignedEntities`, [
      {
        guid,
        typeName: "hive_db",
        relationshipAttributes: {
          typeName: "AtlasGlossarySemanticAssignment",
          attributes: { confidence: 90 },
        },
      },
    ]);
    expect(assign.status).toBe(204);
    expect(assign.text).toBe("");
    const onEntity = await call("GET", `/api/atlas/v2/entity/guid/${guid}`);
    const meanings = (onEntity.json as { entity: { relationshipAttributes: Json } }).entity
      .relationshipAttributes.meanings as Json[];
    expect(meanings).toEqual([
      expect.objectContaining({
        guid: term.guid,
        typeName: "AtlasGlossaryTerm",
        relationshipType: "AtlasGlossarySemanticAssignment",
        relationshipAttributes: {
          typeName: "AtlasGlossarySemanticAssignment",
          attributes: { confidence: 90 },
        },
      }),
    ]);
    const onTerm = await call("GET", `${GLOSSARY}/term/${String(term.guid)}`);
    expect((onTerm.json as Json).assignedEntities).toEqual([
      expect.objectContaining({ guid, displayText: "ops" }),
    ]);
    const refused = await call("DELETE", `${GLOSSARY}/term/${String(term.guid)}`);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      errorCode: "ATLAS-400-00-084",
      errorMessage: `Term (guid=${String(term.guid)}) cannot be deleted as it has been assigned to 1 entities.`,
    });
    const wrong = await call("DELETE", `${GLOSSARY}/terms/${String(term.guid)}/assignedEntities`, [
      { guid, relationshipGuid: "not-the-one" },
    ]);
    expect(wrong.status).toBe(400);
    expect((wrong.json as Json).errorCode).toBe("ATLAS-400-00-080");
    const removed = await call(
      "DELETE",
      `${GLOSSARY}/terms/${String(term.guid)}/assignedEntities`,
      [{ guid, relationshipGuid: meanings[0]!.relationshipGuid }],
    );
    expect(removed.status).toBe(204);
    const after = await call("GET", `${GLOSSARY}/terms/${String(term.guid)}/assignedEntities`);
    expect(after.json).toEqual([]);
  });

  it("DELETE glossary answers 204 and takes its terms and categories with it", async () => {
    const category = await call("POST", `${GLOSSARY}/category`, {
      name: "SLOs",
      anchor: { glossaryGuid: glossary.guid },
    });
    expect(category.status).toBe(200);
    const deleted = await call("DELETE", `${GLOSSARY}/${String(glossary.guid)}`);
    expect(deleted.status).toBe(204);
    for (const path of [
      `${GLOSSARY}/${String(glossary.guid)}`,
      `${GLOSSARY}/term/${String(term.guid)}`,
      `${GLOSSARY}/category/${String((category.json as Json).guid)}`,
    ])
      expect((await call("GET", path)).status).toBe(404);
    expect((await call("GET", GLOSSARY)).json).toEqual([]);
  });
});

describe("who may use the glossary (Atlas's default policy)", () => {
  const needs = (method: string, path: string) =>
    requirement(method, `/api/atlas/v2/glossary${path}`).privilege;

  it("reads need entity-read; creates, updates and deletes the entity privileges; assignments entity-update", () => {
    expect(needs("GET", "")).toBe("entity-read");
    expect(needs("GET", "/term/t1")).toBe("entity-read");
    expect(needs("POST", "")).toBe("entity-create");
    expect(needs("POST", "/terms")).toBe("entity-create");
    expect(needs("PUT", "/category/c1/partial")).toBe("entity-update");
    expect(needs("DELETE", "/g1")).toBe("entity-delete");
    for (const method of ["POST", "PUT", "DELETE"])
      expect(needs(method, "/terms/t1/assignedEntities")).toBe("entity-update");
    // DATA_SCIENTIST reads only; DATA_STEWARD may create and update but not delete.
    expect(allows(["DATA_SCIENTIST"], "entity-create")).toBe(false);
    expect(allows(["DATA_STEWARD"], "entity-update")).toBe(true);
    expect(allows(["DATA_STEWARD"], "entity-delete")).toBe(false);
  });
});
