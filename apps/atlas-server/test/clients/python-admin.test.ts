/**
 * Apache Atlas's official Python client (`apache-atlas` 0.0.16 from PyPI) on the admin side,
 * against a real server process (dist/main.js, standalone) on both stores: `admin.get_metrics`,
 * `entity.get_audit_events`, `entity.purge_entities_by_guids`, and every saved-search call of
 * `client.discovery` — as it calls them against Atlas.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const SCRIPT = String.raw`
import json, os
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.exceptions import AtlasServiceException
from apache_atlas.model.instance import AtlasEntity, AtlasEntityWithExtInfo
from apache_atlas.model.discovery import AtlasUserSavedSearch, SearchParameters

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
out = {}

def plain(value):
    return json.loads(json.dumps(value, default=lambda o: dict(o)))

def record(name, fn):
    try:
        value = fn()
        out[name] = {"ok": plain(value) if value is not None else None}
    except AtlasServiceException as e:
        out[name] = {"error": str(e)}

def create(name):
    e = AtlasEntity({"typeName": "hive_db"})
    e.attributes = {"qualifiedName": name + "@py", "name": name, "clusterName": "py"}
    r = client.entity.create_entity(AtlasEntityWithExtInfo({"entity": e}))
    return r.mutatedEntities["CREATE"][0].guid

kept = create("py_kept")
gone = create("py_gone")
client.entity.add_labels_by_guid(kept, ["gold"])
record("audit", lambda: client.entity.get_audit_events(kept, None, None, 10))
record("audit_created", lambda: client.entity.get_audit_events(kept, None, "ENTITY_CREATE", 10))
metrics = client.admin.get_metrics()
out["metrics"] = {"general": metrics.general, "entity": metrics.entity, "tag": metrics.tag}

client.entity.delete_entity_by_guid(gone)
record("purge", lambda: client.entity.purge_entities_by_guids([gone, kept]))
record("purged_audit", lambda: client.entity.get_audit_events(gone, None, None, 10))

sp = SearchParameters()
sp.typeName = "hive_db"
sp.query = "py_kept"
sp.limit = 5
search = AtlasUserSavedSearch({"name": "py_dbs", "searchType": "BASIC"})
search.searchParameters = sp
record("add", lambda: client.discovery.add_saved_search(search))
record("add_again", lambda: client.discovery.add_saved_search(search))
record("list", lambda: client.discovery.get_saved_searches("admin"))
record("list_other", lambda: client.discovery.get_saved_searches("someone"))
saved = client.discovery.get_saved_search("admin", "py_dbs")
record("get", lambda: saved)
record("run_by_name", lambda: client.discovery.execute_saved_search_with_user_name("admin", "py_dbs"))
record("run_by_guid", lambda: client.discovery.execute_saved_search_with_search_guid(saved.guid))
saved.name = "py_dbs_renamed"
saved.uiParameters = "{\"columns\":[\"name\"]}"
record("update", lambda: client.discovery.update_saved_search(saved))
record("delete", lambda: client.discovery.delete_saved_search(saved.guid))
record("after_delete", lambda: client.discovery.get_saved_search("admin", "py_dbs_renamed"))
print(json.dumps(out))
`;

type Outcome = { ok?: unknown; error?: string };
type Event = { action: string; user: string; details: string; entityId: string };

describe.each(["sqlite", "postgres"] as const)(
  "the Python client apache-atlas 0.0.16: admin, audit and saved searches (standalone, %s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let out: Record<string, Outcome> & { metrics?: Record<string, Record<string, unknown>> };

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "python-admin", pg);
      out = (await runPythonClient(SCRIPT, server.url)) as typeof out;
    }, 600_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("get_audit_events lists the entity's events newest first, filtered by action", () => {
      const events = out.audit!.ok as Event[];
      expect(events.map((e) => [e.action, e.user])).toEqual([
        ["LABEL_ADD", "admin"],
        ["ENTITY_CREATE", "admin"],
      ]);
      expect(events[1]!.details).toMatch(/^Created: \{.*"qualifiedName":"py_kept@py"/);
      expect((out.audit_created!.ok as Event[]).map((e) => e.action)).toEqual(["ENTITY_CREATE"]);
    });

    it("get_metrics reads AtlasMetrics: general counts, entities per type and status", () => {
      const m = out.metrics!;
      expect(m.general).toMatchObject({ entityCount: 2, tagCount: 0 });
      expect(m.entity!.entityActive).toEqual({ hive_db: 2 });
      expect(m.tag).toEqual({ tagEntities: {} });
    });

    it("purge_entities_by_guids purges the deleted entity only; its audit stays readable", () => {
      const purged = (out.purge!.ok as { mutatedEntities: Record<string, { guid: string }[]> })
        .mutatedEntities;
      expect(Object.keys(purged)).toEqual(["PURGE"]);
      expect(purged.PURGE).toHaveLength(1);
      expect((out.purged_audit!.ok as Event[]).map((e) => e.action)).toEqual([
        "ENTITY_PURGE",
        "ENTITY_DELETE",
        "ENTITY_CREATE",
      ]);
    });

    it("adds, lists, reads, runs, renames and deletes a saved search; the owner is the login", () => {
      expect(out.add!.ok).toMatchObject({
        ownerName: "admin",
        name: "py_dbs",
        searchType: "BASIC",
        guid: expect.any(String),
      });
      expect(out.add_again!.error).toMatch(/status 409.*ATLAS-409-00-006/);
      expect((out.list!.ok as { name: string }[]).map((s) => s.name)).toEqual(["py_dbs"]);
      expect(out.list_other!.error).toMatch(/status 400.*ATLAS-400-00-029/);
      expect(out.get!.ok).toMatchObject({
        name: "py_dbs",
        searchParameters: { typeName: "hive_db" },
      });
      const run = out.run_by_name!.ok as { entities: { displayText: string }[] };
      expect(run.entities.map((e) => e.displayText)).toEqual(["py_kept"]);
      expect(out.run_by_guid!.ok).toEqual(run);
      expect(out.update!.ok).toMatchObject({
        name: "py_dbs_renamed",
        uiParameters: '{"columns":["name"]}',
      });
      expect(out.delete).toEqual({ ok: null });
      expect(out.after_delete!.error).toMatch(/status 404.*ATLAS-404-00-009/);
    });
  },
);
