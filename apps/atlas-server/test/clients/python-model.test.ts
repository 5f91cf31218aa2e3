/**
 * The official Python client `apache-atlas` 0.0.16 (PyPI, in the cached venv of
 * ../support/python-client.ts) against a real server on both stores, for the data model
 * (docs/contracts/model.md): create with guid-only references, both ends on GET, lineage in
 * three directions, relationships, classifications, labels, business metadata, owned-array
 * removal, cascade delete, and 404 for a deleted entity by unique attribute.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const SCRIPT = String.raw`
import json, os
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.exceptions import AtlasServiceException
from apache_atlas.model.instance import (AtlasClassification, AtlasEntity, AtlasEntitiesWithExtInfo,
    AtlasEntityWithExtInfo, AtlasObjectId)
from apache_atlas.model.relationship import AtlasRelationship
from apache_atlas.model.typedef import (AtlasAttributeDef, AtlasBusinessMetadataDef,
    AtlasClassificationDef, AtlasTypesDef)

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
out = {}

def plain(value):
    return json.loads(json.dumps(value, default=lambda o: dict(o))) if value is not None else None

def record(name, fn):
    try:
        out[name] = {"ok": plain(fn())}
    except AtlasServiceException as e:
        out[name] = {"error": str(e)}

def entity(type_name, guid, qn, name, **attrs):
    e = AtlasEntity({"typeName": type_name, "guid": guid})
    e.attributes = {"qualifiedName": qn, "name": name, **attrs}
    return e

def ref(guid):
    return AtlasObjectId({"guid": guid})

types = AtlasTypesDef()
types.classificationDefs = [AtlasClassificationDef({"name": "PY_GOLD", "attributeDefs": []})]
types.businessMetadataDefs = [AtlasBusinessMetadataDef({"name": "py_owner", "attributeDefs": [
    AtlasAttributeDef({"name": "team", "typeName": "string", "isOptional": True, "cardinality": "SINGLE",
        "isUnique": False, "options": {"applicableEntityTypes": "[\"hive_table\"]", "maxStrLength": "50"}})]})]
client.typedef.create_atlas_typedefs(types)

db = entity("hive_db", "-1", "pydb@cl", "pydb", clusterName="cl")
created = client.entity.create_entity(AtlasEntityWithExtInfo({"entity": db}))
db_guid = created.guidAssignments["-1"]

def table(n, guid, columns):
    t = entity("hive_table", guid, "pydb.%s@cl" % n, n)
    t.relationshipAttributes = {"db": ref(db_guid)}
    cols = []
    for i, c in enumerate(columns):
        col = entity("hive_column", "%s%d" % (guid, i), "pydb.%s.%s@cl" % (n, c), c, type="string")
        col.relationshipAttributes = {"table": ref(guid)}
        cols.append(col)
    return [t] + cols

batch = AtlasEntitiesWithExtInfo()
batch.entities = table("raw", "-10", ["id", "amount", "note"]) + table("clean", "-20", ["id", "amount"])
made = client.entity.create_entities(batch)
raw, clean = made.guidAssignments["-10"], made.guidAssignments["-20"]
p = entity("hive_process", "-30", "py.raw_to_clean@cl", "raw_to_clean", operationType="QUERY",
    queryText="insert into clean select * from raw", queryPlan="Not Supported", queryId="q1",
    userName="py", startTime=1767225600000, endTime=1767225600100)  # Atlas's mandatory attributes
p.relationshipAttributes = {"inputs": [ref(raw)], "outputs": [ref(clean)]}
batch = AtlasEntitiesWithExtInfo()
batch.entities = [p]
process = client.entity.create_entities(batch).guidAssignments["-30"]

record("raw", lambda: client.entity.get_entity_by_guid(raw))
record("db", lambda: client.entity.get_entity_by_guid(db_guid))
for d in ["INPUT", "OUTPUT", "BOTH"]:
    record("lineage_" + d, lambda d=d: client.lineage.get_lineage_info(clean if d == "INPUT" else raw, d, 3))
record("lineage_attr", lambda: client.lineage.get_lineage_info_attr("hive_table", {"qualifiedName": "pydb.clean@cl"}, "INPUT", 3))

rel_guid = plain(client.entity.get_entity_by_guid(raw))["entity"]["relationshipAttributes"]["db"]["relationshipGuid"]
record("relationship", lambda: client.relationship.get_relationship_by_guid_with_ext_info(rel_guid, True))
r = AtlasRelationship({"typeName": "hive_table_db", "end1": ref(raw), "end2": ref(db_guid)})
record("relationship_again", lambda: client.relationship.create_relationship(r))

record("classify", lambda: client.entity.add_classifications_by_guid(raw, [AtlasClassification({"typeName": "PY_GOLD"})]))
record("labels", lambda: client.entity.add_labels_by_guid(raw, ["gold", "py"]))
record("bm", lambda: client.entity.add_or_update_business_attributes(raw, False, {"py_owner": {"team": "sales"}}))
record("classifications", lambda: client.entity.get_classifications(raw))
record("raw_after", lambda: client.entity.get_entity_by_guid(raw))

# REPLACE COLUMNS: the table's columns without "note", as a full update.
upd = entity("hive_table", raw, "pydb.raw@cl", "raw")
upd.relationshipAttributes = {"columns": [
    AtlasObjectId({"typeName": "hive_column", "uniqueAttributes": {"qualifiedName": "pydb.raw.%s@cl" % c}}) for c in ["id", "amount"]]}
record("replace_columns", lambda: client.entity.update_entity(AtlasEntityWithExtInfo({"entity": upd})))
record("note_after", lambda: client.entity.get_entity_by_attribute("hive_column", {"qualifiedName": "pydb.raw.note@cl"}))

record("delete_clean", lambda: client.entity.delete_entity_by_guid(clean))
record("clean_by_attr", lambda: client.entity.get_entity_by_attribute("hive_table", {"qualifiedName": "pydb.clean@cl"}))
record("lineage_after", lambda: client.lineage.get_lineage_info(raw, "OUTPUT", 3))
out["guids"] = {"db": db_guid, "raw": raw, "clean": clean, "process": process}
print(json.dumps(out))
`;

type Outcome = { ok?: unknown; error?: string };
type Json = Record<string, unknown>;

describe.each(["sqlite", "postgres"] as const)(
  "the Python client apache-atlas 0.0.16 on the data model (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let out: Record<string, Outcome> & { guids: Record<string, string> };

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "python-model", pg);
      out = (await runPythonClient(SCRIPT, server.url)) as typeof out;
    }, 600_000);
    afterAll(() => server?.stop());

    const ok = (name: string) => {
      expect(out[name]?.error).toBeUndefined();
      return out[name]!.ok as Json;
    };

    it("creates with guid-only references and shows both ends, owned entities referred", () => {
      const raw = ok("raw");
      const entity = raw.entity as { relationshipAttributes: Json };
      expect((entity.relationshipAttributes.columns as Json[]).map((c) => c.displayText)).toEqual([
        "id",
        "amount",
        "note",
      ]);
      expect(entity.relationshipAttributes.db).toMatchObject({
        guid: out.guids.db,
        typeName: "hive_db",
      });
      expect(Object.keys(raw.referredEntities as Json)).toHaveLength(3);
      const db = ok("db").entity as { relationshipAttributes: { tables: Json[] } };
      expect(db.relationshipAttributes.tables.map((t) => t.guid).sort()).toEqual(
        [out.guids.raw, out.guids.clean].sort(),
      );
    });

    it("answers lineage in three directions and by unique attribute", () => {
      const { raw, clean, process } = out.guids;
      for (const d of ["INPUT", "OUTPUT", "BOTH"]) {
        const info = ok(`lineage_${d}`) as {
          relations: Json[];
          guidEntityMap: Json;
          lineageDirection: string;
        };
        expect(info.lineageDirection).toBe(d);
        expect(info.relations).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ fromEntityId: raw, toEntityId: process }),
            expect.objectContaining({ fromEntityId: process, toEntityId: clean }),
          ]),
        );
        expect(Object.keys(info.guidEntityMap).sort()).toEqual([raw, clean, process].sort());
      }
      expect(ok("lineage_attr")).toMatchObject({ baseEntityGuid: clean });
    });

    it("reads a relationship with its ends; a second one between the same ends is 409", () => {
      // apache-atlas 0.0.16 cannot parse any AtlasRelationshipWithExtInfo (its type_coerce_attrs
      // calls super(AtlasBase, …), which has none), whatever the server sends: it raises with the
      // 200 answer in the message, which shows the server's answer.
      const answer = out.relationship?.error ?? "";
      expect(answer).toContain("failed with status 200");
      expect(answer).toContain("'typeName': 'hive_table_db'");
      expect(answer).toContain("'status': 'ACTIVE'");
      expect(answer).toContain("'referredEntities': {");
      expect(answer).toContain(`'${out.guids.db}': {'typeName': 'hive_db'`);
      expect(out.relationship_again?.error).toContain("ATLAS-409-00-004");
    });

    it("classifies, labels and sets business metadata", () => {
      expect(ok("classifications")).toMatchObject({ list: [{ typeName: "PY_GOLD" }] });
      const after = ok("raw_after").entity as Json;
      expect(after.labels).toEqual(["gold", "py"]);
      expect(after.businessAttributes).toEqual({ py_owner: { team: "sales" } });
      expect(after.classifications).toEqual([expect.objectContaining({ typeName: "PY_GOLD" })]);
    });

    it("REPLACE COLUMNS deletes the dropped column; a deleted table is 404 by unique attribute and leaves the lineage", () => {
      ok("replace_columns");
      expect(out.note_after?.error).toContain("ATLAS-404-00-009");
      ok("delete_clean");
      expect(out.clean_by_attr?.error).toContain("ATLAS-404-00-009");
      expect((ok("lineage_after") as { relations: unknown[] }).relations).toEqual([]);
    });
  },
);
