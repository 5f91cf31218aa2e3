/**
 * Attribute validation as Apache Atlas's official Python client (`apache-atlas` 0.0.16 from
 * PyPI) sees it, against a real server process (dist/main.js, standalone) on both stores: the
 * client's AtlasServiceException carries Atlas's status 404 and code ATLAS-404-00-007 with the
 * problems; a valid entity reads back with Atlas's normalised values (docs/contracts/model.md,
 * "Attribute validation").
 */
import { atlasCall } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";
import { VALIDATION_TYPES } from "../support/validation-types.js";

const SCRIPT = String.raw`
import json, os
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.exceptions import AtlasServiceException
from apache_atlas.model.instance import AtlasEntity, AtlasEntityWithExtInfo, AtlasEntitiesWithExtInfo

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
out = {}

def record(name, fn):
    try:
        value = fn()
        out[name] = {"ok": json.loads(json.dumps(value, default=lambda o: dict(o)))}
    except AtlasServiceException as e:
        out[name] = {"error": str(e)}

seq = [0]

def thing(name, **attrs):
    seq[0] += 1
    e = AtlasEntity({"typeName": "vt_thing", "guid": "-%d" % seq[0]})
    e.attributes = {"qualifiedName": name + "@py", "name": name, "origin": "py", **attrs}
    return e

record("missing", lambda: client.entity.create_entity(AtlasEntityWithExtInfo({"entity": AtlasEntity(
    {"typeName": "vt_thing", "attributes": {"qualifiedName": "bare@py", "name": "bare"}})})))
batch = AtlasEntitiesWithExtInfo()
batch.entities = [thing("fine"), thing("wrong", i="abc", flag="maybe")]
record("wrong_types", lambda: client.entity.create_entities(batch))
record("fine_after", lambda: client.entity.get_entity_by_attribute("vt_thing", {"qualifiedName": "fine@py"}))
record("valid", lambda: client.entity.create_entity(AtlasEntityWithExtInfo({"entity": thing(
    "norm", i="12", level="high", when="2026-01-02T03:04:05.678Z", nope=1)})))
record("read", lambda: client.entity.get_entity_by_attribute("vt_thing", {"qualifiedName": "norm@py"}))
print(json.dumps(out))
`;

type Outcome = { ok?: unknown; error?: string };

describe.each(["sqlite", "postgres"] as const)(
  "attribute validation seen by the Python client apache-atlas 0.0.16 (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let out: Record<string, Outcome>;

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "python-validation", pg);
      const types = await atlasCall(
        server.url,
        "POST",
        "/api/atlas/v2/types/typedefs",
        VALIDATION_TYPES,
      );
      expect(types.status).toBe(200);
      out = (await runPythonClient(SCRIPT, server.url)) as typeof out;
    }, 600_000);
    afterAll(() => server?.stop());

    it("a missing mandatory attribute raises AtlasServiceException with status 404 and ATLAS-404-00-007", () => {
      const error = out.missing?.error ?? "";
      expect(error).toContain("failed with status 404");
      expect(error).toContain("'errorCode': 'ATLAS-404-00-007'");
      expect(error).toContain("vt_thing.origin: mandatory attribute value missing in type vt_base");
    });

    it("values of the wrong type raise it with every problem, and nothing of the batch is stored", () => {
      const error = out.wrong_types?.error ?? "";
      expect(error).toContain("'errorCode': 'ATLAS-404-00-007'");
      expect(error).toContain("vt_thing.i=abc: invalid value for type int");
      expect(error).toContain("vt_thing.flag=maybe: invalid value for type boolean");
      expect(out.fine_after?.error).toContain("failed with status 404");
    });

    it("a valid entity reads back with Atlas's normalised values, without unknown attributes", () => {
      expect(out.valid?.error).toBeUndefined();
      const read = out.read?.ok as { entity: { attributes: Record<string, unknown> } };
      expect(read.entity.attributes).toMatchObject({
        i: 12,
        level: "HIGH",
        when: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      });
      expect(read.entity.attributes).not.toHaveProperty("nope");
    });
  },
);
