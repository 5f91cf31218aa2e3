/**
 * The typedef calls of Apache Atlas's official Python client (`apache-atlas` 0.0.16 from PyPI,
 * `client.typedef`), against a real server process (dist/main.js, standalone, SQLite). What
 * the client does, it does here as against Atlas — including its two quirks: the struct
 * getters ask `entitydef/…` (so they find no struct, as with Atlas) and
 * `delete_atlas_typedefs` sends the typedefs as query parameters with no body (refused here
 * with 400; Atlas fails it too), so the bulk delete is called through `call_api` with a body.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const SCRIPT = String.raw`
import json, os
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.client.typedef import TypeDefClient
from apache_atlas.exceptions import AtlasServiceException
from apache_atlas.model.instance import AtlasEntity, AtlasEntityWithExtInfo
from apache_atlas.model.misc import SearchFilter
from apache_atlas.model.typedef import (AtlasAttributeDef, AtlasBusinessMetadataDef,
    AtlasClassificationDef, AtlasEntityDef, AtlasEnumDef, AtlasEnumElementDef,
    AtlasRelationshipDef, AtlasRelationshipEndDef, AtlasStructDef, AtlasTypesDef)

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
out = {}

def record(name, fn):
    try:
        value = fn()
        out[name] = {"ok": json.loads(json.dumps(value, default=lambda o: dict(o))) if value is not None else None}
    except AtlasServiceException as e:
        out[name] = {"error": str(e)}

def attr(name, type_name, optional=True):
    return AtlasAttributeDef({"name": name, "typeName": type_name, "isOptional": optional,
                              "cardinality": "SINGLE", "isUnique": False})

def filter_of(params):
    f = SearchFilter()
    f.params = params
    return f

types = AtlasTypesDef()
types.enumDefs = [AtlasEnumDef({"name": "py_state", "elementDefs": [AtlasEnumElementDef({"value": "ON", "ordinal": 0})]})]
types.structDefs = [AtlasStructDef({"name": "py_conf", "attributeDefs": [attr("key", "string")]})]
types.classificationDefs = [AtlasClassificationDef({"name": "PY_PII", "attributeDefs": []})]
types.entityDefs = [
    AtlasEntityDef({"name": "py_app", "superTypes": ["DataSet"], "serviceType": "py",
                    "attributeDefs": [attr("state", "py_state"), attr("conf", "py_conf")]}),
    AtlasEntityDef({"name": "py_part", "superTypes": ["DataSet"], "attributeDefs": []}),
]
types.relationshipDefs = [AtlasRelationshipDef({
    "name": "py_app_parts", "relationshipCategory": "AGGREGATION", "attributeDefs": [],
    "endDef1": AtlasRelationshipEndDef({"type": "py_app", "name": "parts", "cardinality": "SET", "isContainer": True}),
    "endDef2": AtlasRelationshipEndDef({"type": "py_part", "name": "app", "cardinality": "SINGLE"})})]
types.businessMetadataDefs = [AtlasBusinessMetadataDef({"name": "py_bm", "attributeDefs": [attr("owner", "string")]})]

record("create", lambda: client.typedef.create_atlas_typedefs(types))
record("create_again", lambda: client.typedef.create_atlas_typedefs(types))
record("all", lambda: client.typedef.get_all_typedefs(SearchFilter()))
record("filtered", lambda: client.typedef.get_all_typedefs(filter_of({"type": "ENTITY", "supertype": "DataSet", "servicetype": "py"})))
record("headers", lambda: client.typedef.get_all_typedef_headers(filter_of({"name": "py_app"})))
app = client.typedef.get_entitydef_by_name("py_app")
record("entitydef_by_name", lambda: app)
record("entitydef_by_guid", lambda: client.typedef.get_entitydef_by_guid(app.guid))
enum = client.typedef.get_enumdef_by_name("py_state")
record("enumdef_by_name", lambda: enum)
record("enumdef_by_guid", lambda: client.typedef.get_enumdef_by_guid(enum.guid))
record("structdef_by_name", lambda: client.typedef.get_structdef_by_name("py_conf"))
cls = client.typedef.get_classificationdef_by_name("PY_PII")
record("classificationdef_by_name", lambda: cls)
record("classificationdef_by_guid", lambda: client.typedef.get_Classificationdef_by_guid(cls.guid))
rel = client.typedef.get_relationshipdef_by_name("py_app_parts")
record("relationshipdef_by_name", lambda: rel)
record("relationshipdef_by_guid", lambda: client.typedef.get_relationshipdef_by_guid(rel.guid))
bm = client.typedef.get_businessmetadatadef_by_name("py_bm")
record("businessmetadatadef_by_name", lambda: bm)
record("businessmetadatadef_by_guid", lambda: client.typedef.get_businessmetadatadef_by_guid(bm.guid))
record("entitydef_unknown", lambda: client.typedef.get_entitydef_by_name("py_nope"))
out["exists_by_name"] = [client.typedef.type_with_name_exists("py_app"), client.typedef.type_with_name_exists("py_nope")]
out["exists_by_guid"] = [client.typedef.type_with_guid_exists(app.guid), client.typedef.type_with_guid_exists("no-such-guid")]

app.attributeDefs.append(attr("queue", "string"))
record("update", lambda: client.typedef.update_atlas_typedefs(AtlasTypesDef({"entityDefs": [app]})))
retyped = client.typedef.get_entitydef_by_name("py_app")
retyped.attributeDefs[0]["typeName"] = "string"
record("update_retyped", lambda: client.typedef.update_atlas_typedefs(AtlasTypesDef({"entityDefs": [retyped]})))

part = AtlasEntity({"typeName": "py_part"})
part.attributes = {"qualifiedName": "p1@py", "name": "p1"}
record("entity", lambda: client.entity.create_entity(AtlasEntityWithExtInfo({"entity": part})))
record("delete_used", lambda: client.typedef.delete_type_by_name("py_part"))
record("delete_bm", lambda: client.typedef.delete_type_by_name("py_bm"))
record("delete_by_name", lambda: client.typedef.delete_type_by_name("PY_PII"))
record("after_delete", lambda: client.typedef.get_classificationdef_by_name("PY_PII"))
record("delete_typedefs_client", lambda: client.typedef.delete_atlas_typedefs(AtlasTypesDef({"relationshipDefs": [rel]})))
record("still_there", lambda: client.typedef.get_relationshipdef_by_name("py_app_parts"))
record("delete_typedefs_body", lambda: client.call_api(TypeDefClient.DELETE_TYPE_DEFS, None, {"force": "true"},
    AtlasTypesDef({"businessMetadataDefs": [bm], "relationshipDefs": [rel]})))
record("gone", lambda: client.typedef.get_relationshipdef_by_name("py_app_parts"))
record("gone_bm", lambda: client.typedef.get_businessmetadatadef_by_name("py_bm"))
print(json.dumps(out))
`;

type Outcome = { ok?: Record<string, unknown> & Record<string, unknown[]>; error?: string };

describe.each(["sqlite", "postgres"] as const)(
  "the Python client apache-atlas 0.0.16: client.typedef against a real server (standalone, %s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let out: Record<string, Outcome>;

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "python-types", pg);
      out = (await runPythonClient(SCRIPT, server.url)) as Record<string, Outcome>;
    }, 600_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("creates every kind of typedef; creating them again fails with 409 ATLAS-409-00-001", () => {
      const created = out.create!.ok!;
      for (const list of [
        "enumDefs",
        "structDefs",
        "classificationDefs",
        "entityDefs",
        "relationshipDefs",
        "businessMetadataDefs",
      ])
        expect({ list, n: created[list]!.length }).toEqual({
          list,
          n: list === "entityDefs" ? 2 : 1,
        });
      expect(created.entityDefs![0]).toMatchObject({
        name: "py_app",
        createdBy: "admin",
        version: 1,
      });
      expect(out.create_again!.error).toMatch(/status 409.*ATLAS-409-00-001/);
    });

    it("reads all typedefs, filtered ones and headers", () => {
      expect((out.all!.ok!.entityDefs as unknown[]).length).toBeGreaterThan(20);
      expect((out.filtered!.ok!.entityDefs as { name: string }[]).map((d) => d.name)).toEqual([
        "py_app",
      ]);
      expect(out.filtered!.ok!.enumDefs).toEqual([]);
      expect(out.headers!.ok).toEqual([
        { guid: expect.any(String), name: "py_app", category: "ENTITY", serviceType: "py" },
      ]);
    });

    it("gets each kind by name and guid; the client's own path quirks fail as they do against Atlas", () => {
      expect(out.entitydef_by_name!.ok).toMatchObject({ name: "py_app", superTypes: ["DataSet"] });
      expect(out.entitydef_by_guid!.ok).toEqual(out.entitydef_by_name!.ok);
      expect(out.enumdef_by_name!.ok).toMatchObject({ name: "py_state", category: "ENUM" });
      for (const kind of ["classificationdef", "relationshipdef", "businessmetadatadef"]) {
        expect(out[`${kind}_by_guid`]!.ok).toEqual(out[`${kind}_by_name`]!.ok);
        expect(out[`${kind}_by_name`]!.ok).toMatchObject({ version: 1, createdBy: "admin" });
      }
      // get_enumdef_by_guid and get_structdef_by_name ask entitydef/…: not an entity def → 404.
      expect(out.enumdef_by_guid!.error).toMatch(/status 404.*ATLAS-404-00-002/);
      expect(out.structdef_by_name!.error).toMatch(/status 404.*ATLAS-404-00-001/);
      expect(out.entitydef_unknown!.error).toMatch(
        /status 404.*Given typename py_nope was invalid/,
      );
      expect(out.exists_by_name).toEqual([true, false]);
      expect(out.exists_by_guid).toEqual([true, false]);
    });

    it("updates with a new optional attribute (version 2) and is refused a changed attribute type with 400 ATLAS-400-00-029", () => {
      const updated = out.update!.ok!.entityDefs![0] as Record<string, unknown>;
      expect(updated).toMatchObject({ name: "py_app", version: 2, updatedBy: "admin" });
      expect((updated.attributeDefs as { name: string }[]).map((a) => a.name)).toEqual([
        "state",
        "conf",
        "queue",
      ]);
      expect(out.update_retyped!.error).toMatch(/status 400.*ATLAS-400-00-029/);
    });

    it("deletes by name (204); refused while instances exist (409 ATLAS-409-00-002) and for business metadata with a non-indexable attribute without force (400 ATLAS-400-00-107); bulk delete needs a body", () => {
      expect(out.entity!.ok).toBeTruthy();
      expect(out.delete_used!.error).toMatch(/status 409.*ATLAS-409-00-002/);
      expect(out.delete_bm!.error).toMatch(/status 400.*ATLAS-400-00-107/);
      expect(out.delete_by_name).toEqual({ ok: null });
      expect(out.after_delete!.error).toMatch(/status 404/);
      expect(out.delete_typedefs_client!.error).toMatch(/status 400/);
      expect(out.still_there!.ok).toMatchObject({ name: "py_app_parts" });
      expect(out.delete_typedefs_body).toEqual({ ok: null });
      expect(out.gone!.error).toMatch(/status 404/);
      expect(out.gone_bm!.error).toMatch(/status 404/);
    });
  },
);
