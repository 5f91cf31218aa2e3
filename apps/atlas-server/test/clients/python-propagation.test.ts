/**
 * Classification propagation (docs/contracts/model.md) through the official Python client
 * `apache-atlas` 0.0.16 against a real server on both stores: classify a source table with
 * propagate=true, read the table downstream of its process and see the tag with the source's
 * entityGuid; the downstream table can neither update nor remove it (Atlas's codes); remove it
 * at the source and see it gone.
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
    AtlasObjectId)
from apache_atlas.model.typedef import AtlasClassificationDef, AtlasTypesDef

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

types = AtlasTypesDef()
types.classificationDefs = [AtlasClassificationDef({"name": "PY_PROP", "attributeDefs": []})]
client.typedef.create_atlas_typedefs(types)

batch = AtlasEntitiesWithExtInfo()
db = entity("hive_db", "-1", "propdb@cl", "propdb", clusterName="cl")
src = entity("hive_table", "-2", "propdb.src@cl", "src")
dst = entity("hive_table", "-3", "propdb.dst@cl", "dst")
for t in (src, dst):
    t.relationshipAttributes = {"db": AtlasObjectId({"guid": "-1", "typeName": "hive_db"})}
p = entity("hive_process", "-4", "propdb.src_to_dst@cl", "src_to_dst", operationType="QUERY",
           queryText="insert into dst select * from src", queryPlan="Not Supported", queryId="q1",
           startTime=1767225600000, endTime=1767225600100, userName="hive")
p.relationshipAttributes = {"inputs": [AtlasObjectId({"guid": "-2", "typeName": "hive_table"})],
    "outputs": [AtlasObjectId({"guid": "-3", "typeName": "hive_table"})]}
batch.entities = [db, src, dst, p]
made = client.entity.create_entities(batch).guidAssignments
src_guid, dst_guid = made["-2"], made["-3"]

record("classify", lambda: client.entity.add_classifications_by_guid(src_guid,
    [AtlasClassification({"typeName": "PY_PROP", "propagate": True})]))
record("dst", lambda: client.entity.get_entity_by_guid(dst_guid))
record("dst_classifications", lambda: client.entity.get_classifications(dst_guid))
record("update_at_dst", lambda: client.entity.update_classifications(dst_guid,
    [AtlasClassification({"typeName": "PY_PROP", "entityGuid": src_guid, "propagate": True})]))
record("delete_at_dst", lambda: client.entity.delete_classification(dst_guid, "PY_PROP"))
record("unclassify", lambda: client.entity.delete_classification(src_guid, "PY_PROP"))
record("dst_after", lambda: client.entity.get_entity_by_guid(dst_guid))
out["guids"] = {"src": src_guid, "dst": dst_guid}
print(json.dumps(out))
`;

type Outcome = { ok?: unknown; error?: string };
type Json = Record<string, unknown>;

describe.each(["sqlite", "postgres"] as const)(
  "the Python client apache-atlas 0.0.16 and classification propagation (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let out: Record<string, Outcome> & { guids: Record<string, string> };

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "python-propagation", pg);
      out = (await runPythonClient(SCRIPT, server.url)) as typeof out;
    }, 600_000);
    afterAll(() => server?.stop());

    const ok = (name: string) => {
      expect(out[name]?.error).toBeUndefined();
      return out[name]!.ok as Json;
    };

    it("the downstream table shows the tag with the source's entityGuid", () => {
      const dst = ok("dst").entity as { classifications: Json[] };
      expect(dst.classifications).toEqual([
        expect.objectContaining({
          typeName: "PY_PROP",
          entityGuid: out.guids.src,
          entityStatus: "ACTIVE",
          propagate: true,
        }),
      ]);
      expect(ok("dst_classifications")).toMatchObject({
        list: [{ typeName: "PY_PROP", entityGuid: out.guids.src }],
      });
    });

    it("the downstream table cannot update or remove it: Atlas's 400s", () => {
      expect(out.update_at_dst?.error).toContain("ATLAS-400-00-06B");
      expect(out.delete_at_dst?.error).toContain("ATLAS-400-00-06D");
    });

    it("removed at the source, it is gone downstream", () => {
      expect(out.unclassify?.error).toBeUndefined();
      const dst = ok("dst_after").entity as { classifications?: Json[] };
      expect(dst.classifications ?? []).toEqual([]);
    });
  },
);
