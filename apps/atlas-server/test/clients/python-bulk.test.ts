/**
 * The entity client's bulk calls of Apache Atlas's official Python client (`apache-atlas`
 * 0.0.16): `set_classifications` and `get_entity_headers` against a real server process (standalone, SQLite).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

const SCRIPT = String.raw`
import json, os
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.model.instance import (AtlasClassification, AtlasEntity, AtlasEntityHeader,
    AtlasEntityHeaders, AtlasEntityWithExtInfo)
from apache_atlas.model.typedef import AtlasClassificationDef, AtlasTypesDef

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
types = AtlasTypesDef()
types.classificationDefs = [AtlasClassificationDef({"name": n, "attributeDefs": []}) for n in ("PB_A", "PB_B")]
client.typedef.create_atlas_typedefs(types)

entity = AtlasEntity({"typeName": "fs_path", "guid": "-1",
                      "attributes": {"qualifiedName": "pb@cl", "name": "pb", "path": "/pb"}})
entity.classifications = [AtlasClassification({"typeName": "PB_A"})]
guid = client.entity.create_entity(AtlasEntityWithExtInfo({"entity": entity})).guidAssignments["-1"]

header = AtlasEntityHeader({"typeName": "fs_path", "attributes": {"qualifiedName": "pb@cl"}})
header.classifications = [AtlasClassification({"typeName": "PB_B"})]
summary = client.entity.set_classifications(AtlasEntityHeaders({"guidHeaderMap": {"x": header}}))
after = client.entity.get_entity_by_guid(guid).entity.classifications
headers = client.entity.get_entity_headers(0).guidHeaderMap
print(json.dumps({"guid": guid, "summary": json.loads(summary),
                  "after": sorted(c.typeName for c in after),
                  "headers": {g: sorted(h.classificationNames or []) for g, h in headers.items()}}))
`;

describe("Atlas's Python client: set_classifications and get_entity_headers", () => {
  let server: Standalone;
  beforeAll(async () => {
    server = await startStandalone("python-bulk");
  }, 120_000);
  afterAll(() => server?.stop());

  it("replaces the entity's own classifications with those of its header and reports what it did", async () => {
    const out = (await runPythonClient(SCRIPT, server.url)) as {
      guid: string;
      summary: string[];
      after: string[];
      headers: Record<string, string[]>;
    };
    expect(out.after).toEqual(["PB_B"]);
    // get_entity_headers(0): every entity whose classifications ever changed, as they are now.
    expect(out.headers).toEqual({ [out.guid]: ["PB_B"] });
    expect(out.summary).toEqual([
      `Delete:${out.guid}:fs_path:pb@cl -> PB_A:(Done)`,
      `Add:${out.guid}:fs_path:pb@cl -> PB_B:(Done)`,
    ]);
  }, 300_000);
});
