/**
 * The Types family of the v2 API through a real server process (dist/main.js, standalone,
 * hook consumer off), on SQLite and on PostgreSQL (the testkit's server): the routes, bodies,
 * statuses and error codes of Atlas's TypesREST.
 */
import { atlasCall } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const TYPES = "/api/atlas/v2/types";
const pg = usePostgres();

function attr(name: string, typeName: string, isOptional = true) {
  return { name, typeName, isOptional, cardinality: "SINGLE", isUnique: false };
}

const DEFS = {
  enumDefs: [{ name: "tq_state", elementDefs: [{ value: "ON", ordinal: 0 }] }],
  structDefs: [{ name: "tq_conf", attributeDefs: [attr("key", "string")] }],
  classificationDefs: [{ name: "TQ_PII", attributeDefs: [] }],
  entityDefs: [
    {
      name: "tq_app",
      superTypes: ["DataSet"],
      serviceType: "tq",
      attributeDefs: [attr("state", "tq_state"), attr("conf", "tq_conf")],
    },
    { name: "tq_part", superTypes: ["DataSet"], attributeDefs: [] },
  ],
  relationshipDefs: [
    {
      name: "tq_app_parts",
      relationshipCategory: "COMPOSITION",
      attributeDefs: [],
      endDef1: { type: "tq_app", name: "parts", cardinality: "SET", isContainer: true },
      endDef2: { type: "tq_part", name: "app", cardinality: "SINGLE" },
    },
  ],
  businessMetadataDefs: [{ name: "tq_bm", attributeDefs: [attr("owner", "string")] }],
};

describe.each(["sqlite", "postgres"] as const)("the Types API on %s", (backend) => {
  let server: Standalone;
  const call = (method: string, path: string, body?: unknown) =>
    atlasCall(server.url, method, path, body);
  const json = <T = Record<string, unknown>>(answer: { json: unknown }) => answer.json as T;

  beforeAll(async () => {
    server = await startStandaloneOn(backend, "types", pg);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("POST creates every kind and answers them with guid, createdBy, times and version; a second POST is 409 ATLAS-409-00-001", async () => {
    const created = await call("POST", `${TYPES}/typedefs`, DEFS);
    expect(created.status).toBe(200);
    const body = json<Record<string, Record<string, unknown>[]>>(created);
    for (const [list, defs] of Object.entries(DEFS)) {
      expect(body[list]!.map((d) => d.name)).toEqual(defs.map((d) => d.name));
      for (const def of body[list]!) {
        expect(def).toMatchObject({
          guid: expect.any(String),
          createdBy: "admin",
          updatedBy: "admin",
          createTime: expect.any(Number),
          updateTime: expect.any(Number),
          version: 1,
        });
      }
    }
    const again = await call("POST", `${TYPES}/typedefs`, { entityDefs: [DEFS.entityDefs[0]] });
    expect(again.status).toBe(409);
    expect(json(again)).toEqual({
      errorCode: "ATLAS-409-00-001",
      errorMessage: expect.stringContaining("Given type tq_app already exists"),
    });
  });

  it("GET typedef by name and guid, and per kind; the wrong kind, an unknown name or guid is 404 with Atlas's codes", async () => {
    const app = json(await call("GET", `${TYPES}/typedef/name/tq_app`));
    expect(app).toMatchObject({ name: "tq_app", category: "ENTITY", superTypes: ["DataSet"] });
    expect(json(await call("GET", `${TYPES}/typedef/guid/${String(app.guid)}`))).toEqual(app);
    const kinds: [string, string][] = [
      ["enumdef", "tq_state"],
      ["structdef", "tq_conf"],
      ["classificationdef", "TQ_PII"],
      ["entitydef", "tq_app"],
      ["relationshipdef", "tq_app_parts"],
      ["businessmetadatadef", "tq_bm"],
    ];
    for (const [kind, name] of kinds) {
      const byName = await call("GET", `${TYPES}/${kind}/name/${name}`);
      expect({ kind, status: byName.status }).toEqual({ kind, status: 200 });
      const guid = String(json(byName).guid);
      expect(json(await call("GET", `${TYPES}/${kind}/guid/${guid}`))).toEqual(json(byName));
      const other = kind === "enumdef" ? "entitydef" : "enumdef";
      const wrongKind = await call("GET", `${TYPES}/${other}/name/${name}`);
      expect({ kind, status: wrongKind.status, body: wrongKind.json }).toEqual({
        kind,
        status: 404,
        body: { errorCode: "ATLAS-404-00-001", errorMessage: `Given typename ${name} was invalid` },
      });
      expect(json(await call("GET", `${TYPES}/${other}/guid/${guid}`))).toMatchObject({
        errorCode: "ATLAS-404-00-002",
      });
    }
    expect(json(await call("GET", `${TYPES}/typedef/name/no_such_type`))).toEqual({
      errorCode: "ATLAS-404-00-001",
      errorMessage: "Given typename no_such_type was invalid",
    });
    expect(json(await call("GET", `${TYPES}/typedef/guid/no-such-guid`))).toEqual({
      errorCode: "ATLAS-404-00-002",
      errorMessage: "Given type guid no-such-guid was invalid",
    });
    // Atlas's root types of the system attributes, by their search names.
    expect(json(await call("GET", `${TYPES}/entitydef/name/_ALL_ENTITY_TYPES`))).toMatchObject({
      name: "__ENTITY_ROOT",
      category: "ENTITY",
      attributeDefs: expect.arrayContaining([
        expect.objectContaining({ name: "__guid", isUnique: true }),
      ]),
    });
    expect(
      json(await call("GET", `${TYPES}/classificationdef/name/_all_classification_types`)),
    ).toMatchObject({ name: "__CLASSIFICATION_ROOT", category: "CLASSIFICATION" });
    expect((await call("GET", `${TYPES}/typedef/name/_ALL_ENTITY_TYPES`)).status).toBe(404);
    const system = await call(
      "GET",
      `${TYPES}/typedef/name/${encodeURIComponent("array<string>")}`,
    );
    expect([system.status, json(system).errorCode]).toEqual([400, "ATLAS-400-00-024"]);
    // A name with a space, percent-encoded in the path.
    await call("POST", `${TYPES}/typedefs`, {
      classificationDefs: [{ name: "TQ spaced", attributeDefs: [] }],
    });
    expect((await call("GET", `${TYPES}/typedef/name/TQ%20spaced`)).status).toBe(200);
  });

  it("GET typedefs applies Atlas's search filter; headers list guid, name, category and serviceType", async () => {
    const filtered = json<Record<string, { name: string }[]>>(
      await call("GET", `${TYPES}/typedefs?type=ENTITY&supertype=DataSet&servicetype=tq`),
    );
    expect(filtered.entityDefs!.map((d) => d.name)).toEqual(["tq_app"]);
    expect(filtered.enumDefs).toEqual([]);
    const all = json<Record<string, unknown[]>>(await call("GET", `${TYPES}/typedefs`));
    expect(all.entityDefs!.length).toBeGreaterThan(20);
    const headers = json<Record<string, unknown>[]>(
      await call("GET", `${TYPES}/typedefs/headers?type=entity&name=tq_app`),
    );
    expect(headers).toEqual([
      { guid: expect.any(String), name: "tq_app", category: "ENTITY", serviceType: "tq" },
    ]);
    const traits = json<{ name: string }[]>(
      await call("GET", `${TYPES}/typedefs/headers?type=TRAIT&notname=TQ_PII`),
    );
    expect(traits.map((h) => h.name)).toContain("TQ spaced");
    expect(traits.map((h) => h.name)).not.toContain("TQ_PII");
  });

  it("PUT adds an optional attribute (version 2) and refuses a changed attribute type with 400 ATLAS-400-00-029", async () => {
    const app = DEFS.entityDefs[0]!;
    const updated = await call("PUT", `${TYPES}/typedefs`, {
      entityDefs: [{ ...app, attributeDefs: [...app.attributeDefs, attr("queue", "string")] }],
    });
    expect(updated.status).toBe(200);
    expect(json<{ entityDefs: Record<string, unknown>[] }>(updated).entityDefs[0]).toMatchObject({
      name: "tq_app",
      version: 2,
      updatedBy: "admin",
    });
    const retyped = await call("PUT", `${TYPES}/typedefs`, {
      entityDefs: [
        {
          ...app,
          attributeDefs: [
            attr("state", "string"),
            attr("conf", "tq_conf"),
            attr("queue", "string"),
          ],
        },
      ],
    });
    expect([retyped.status, json(retyped).errorCode]).toEqual([400, "ATLAS-400-00-029"]);
    const mandatory = await call("PUT", `${TYPES}/typedefs`, {
      entityDefs: [
        {
          ...app,
          attributeDefs: [
            ...app.attributeDefs,
            attr("queue", "string"),
            attr("must", "int", false),
          ],
        },
      ],
    });
    expect([mandatory.status, json(mandatory).errorCode]).toEqual([400, "ATLAS-400-00-00C"]);
    const unknown = await call("PUT", `${TYPES}/typedefs`, {
      entityDefs: [{ ...app, name: "tq_nope" }],
    });
    expect([unknown.status, json(unknown).errorCode]).toEqual([404, "ATLAS-404-00-001"]);
    expect(json(await call("GET", `${TYPES}/typedef/name/tq_app`))).toMatchObject({ version: 2 });
  });

  it("DELETE by name is refused with 409 ATLAS-409-00-002 while instances exist, answers 204 otherwise; bulk DELETE too", async () => {
    const entity = await call("POST", "/api/atlas/v2/entity", {
      // Its `app` (the child end of a COMPOSITION) is mandatory; Atlas skips that check for an
      // entity that says it is incomplete, which keeps tq_app free of entities here.
      entity: {
        typeName: "tq_part",
        isIncomplete: true,
        attributes: { qualifiedName: "p1@tq", name: "p1" },
      },
    });
    expect(entity.status).toBe(200);
    const refused = await call("DELETE", `${TYPES}/typedef/name/tq_part`);
    expect([refused.status, json(refused).errorCode]).toEqual([409, "ATLAS-409-00-002"]);
    expect((await call("GET", `${TYPES}/typedef/name/tq_part`)).status).toBe(200);
    const relationships = await call("DELETE", `${TYPES}/typedef/name/tq_app`);
    expect([relationships.status, json(relationships).errorCode]).toEqual([
      409,
      "ATLAS-409-00-005",
    ]);
    const unknown = await call("DELETE", `${TYPES}/typedef/name/no_such_type`);
    expect([unknown.status, json(unknown).errorCode]).toEqual([404, "ATLAS-404-00-001"]);

    // As Atlas: business metadata with a non-indexable attribute goes only with force=true.
    const unforced = await call("DELETE", `${TYPES}/typedef/name/tq_bm`);
    expect([unforced.status, json(unforced).errorCode]).toEqual([400, "ATLAS-400-00-107"]);
    const deleted = await call("DELETE", `${TYPES}/typedef/name/tq_bm?force=true`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await call("GET", `${TYPES}/typedef/name/tq_bm`)).status).toBe(404);
    const bulk = await call("DELETE", `${TYPES}/typedefs`, {
      relationshipDefs: [{ name: "tq_app_parts" }],
      entityDefs: [{ name: "tq_app" }],
      structDefs: [{ name: "tq_conf" }],
      enumDefs: [{ name: "tq_state" }],
    });
    expect(bulk.status).toBe(204);
    for (const name of ["tq_app_parts", "tq_app", "tq_conf", "tq_state"])
      expect((await call("GET", `${TYPES}/typedef/name/${name}`)).status).toBe(404);
  });

  it("other methods on a Types path are 405 with Allow; unknown paths under it are 404 ATLAS-404-00-F01", async () => {
    const patch = await call("PATCH", `${TYPES}/typedefs`, {});
    expect(patch.status).toBe(405);
    expect(patch.headers.get("allow")).toBe("GET, POST, PUT, DELETE");
    const nope = await call("GET", `${TYPES}/nosuchdef/name/x`);
    expect([nope.status, json(nope).errorCode]).toEqual([404, "ATLAS-404-00-F01"]);
  });
});
