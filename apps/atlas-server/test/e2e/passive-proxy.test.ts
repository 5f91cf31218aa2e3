/**
 * A passive in proxy mode (`atlas.server.ha.passive.mode=proxy`, docs/contracts/http.md
 * "Proxy mode") serves Apache Atlas's official Python client (`apache-atlas` 0.0.16), which
 * drops its credentials on a redirect to another host:port and so cannot use a passive in
 * redirect mode. Real servers: one ZooKeeper node, three atlas-server processes on one SQLite
 * file, started in order so that the second leads after the first.
 *
 * The client is pointed only at the third instance, which stays passive throughout. It runs a
 * scenario (typedef, then entity create / get by guid / get by unique attribute / update /
 * basic search in a loop); midway the active is killed (SIGKILL), the second instance takes
 * over after the ZooKeeper session timeout, and the passive forwards to it from then on.
 *
 * Retries: the Python client retries nothing, so the scenario does what Atlas's Java client
 * (AtlasBaseClient) does for a group: an answer that says "retry" — 503, and the proxy's
 * 502/504 while the active is unreachable — or a broken connection is tried again after a
 * pause. Entity creates are upserts by qualifiedName, so a retried create that had reached the
 * dead active is harmless. The test checks that the failover was felt (some calls retried)
 * and that nothing else failed: no redirect, no 401, every entity there with its last update.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { httpRequest, waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import { ensurePythonClient } from "../support/python-client.js";

const SCRIPT = String.raw`
import json, os, re, sys, time
import requests
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.exceptions import AtlasServiceException
from apache_atlas.model.instance import AtlasEntity, AtlasEntityWithExtInfo
from apache_atlas.model.typedef import AtlasAttributeDef, AtlasEntityDef, AtlasTypesDef

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
statuses, vias, retried = [], set(), []

def seen(r, *args, **kwargs):
    statuses.append(r.status_code)
    if r.headers.get("Via"):
        vias.add(r.headers["Via"])
client.session.hooks["response"].append(seen)

def call(what, fn):
    # As Atlas's Java client: retry what the server says to retry, and broken connections.
    deadline = time.monotonic() + 60
    while True:
        try:
            return fn()
        except AtlasServiceException as e:
            m = re.search(r"failed with status (\d+)", str(e))
            status = int(m.group(1)) if m else None
            if status not in (502, 503, 504) or time.monotonic() > deadline:
                raise
            retried.append({"what": what, "status": status})
        except requests.exceptions.RequestException as e:
            if time.monotonic() > deadline:
                raise
            retried.append({"what": what, "status": type(e).__name__})
        time.sleep(0.2)

types = AtlasTypesDef()
types.entityDefs = [AtlasEntityDef({"name": "proxy_item", "superTypes": ["DataSet"], "attributeDefs": [
    AtlasAttributeDef({"name": "size", "typeName": "int", "isOptional": True, "cardinality": "SINGLE",
        "isUnique": False, "isIndexable": True})]})]
call("typedef", lambda: client.typedef.create_atlas_typedefs(types))

def qn(i):
    return "item-%d@proxy" % i

def one(i):
    e = AtlasEntity({"typeName": "proxy_item", "guid": "-1"})
    e.attributes = {"qualifiedName": qn(i), "name": "item %d" % i, "size": i}
    made = call("create", lambda: client.entity.create_entity(AtlasEntityWithExtInfo({"entity": e})))
    guid = (made.guidAssignments or {}).get("-1") or made.mutatedEntities["UPDATE"][0].guid
    got = call("get", lambda: client.entity.get_entity_by_guid(guid))
    assert got.entity.attributes["qualifiedName"] == qn(i), got.entity.attributes
    e = AtlasEntity({"typeName": "proxy_item", "guid": guid})
    e.attributes = {"qualifiedName": qn(i), "name": "item %d" % i, "size": i * 10}
    call("update", lambda: client.entity.update_entity(AtlasEntityWithExtInfo({"entity": e})))
    by_attr = call("get_by_attribute", lambda: client.entity.get_entity_by_attribute("proxy_item", {"qualifiedName": qn(i)}))
    assert by_attr.entity.attributes["size"] == i * 10, by_attr.entity.attributes
    if i % 5 == 0:
        found = call("search", lambda: client.discovery.basic_search("proxy_item", None, None, True, limit=10000))
        names = {x.attributes["qualifiedName"] for x in (found.entities or [])}
        missing = [qn(k) for k in range(i + 1) if qn(k) not in names]
        assert not missing, missing

i = 0
while i < 8:
    one(i)
    i += 1
print(json.dumps({"ready": i}), flush=True)
after = None
while after is None or i < after + 8:
    if after is None and os.path.exists(os.environ["FAILOVER_DONE"]):
        after = i
    one(i)
    i += 1

final = {}
for k in range(i):
    got = call("check", lambda: client.entity.get_entity_by_attribute("proxy_item", {"qualifiedName": qn(k)}))
    final[qn(k)] = got.entity.attributes["size"]
found = call("search", lambda: client.discovery.basic_search("proxy_item", None, None, True, limit=10000))
print(json.dumps({"done": i, "after": after, "final": final, "searched": len(found.entities or []),
    "statuses": sorted(set(statuses)), "vias": sorted(vias), "retried": retried}), flush=True)
`;

interface Outcome {
  done: number;
  after: number;
  final: Record<string, number>;
  searched: number;
  statuses: number[];
  vias: string[];
  retried: { what: string; status: number | string }[];
}

describe("a passive in proxy mode serves the Python client through a failover (1 ZooKeeper node, 3 atlas-server processes on SQLite)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  let group: Group;

  beforeAll(async () => {
    group = await startGroup({
      zkConnect: zk().connectString,
      instances: 3,
      sequential: true,
      properties: {
        "atlas.server.ha.passive.mode": "proxy",
        "atlas.server.request.max.body.bytes": 65_536,
      },
    });
  }, 240_000);
  afterAll(async () => {
    await group?.stop();
  });

  it("forwards every call of the official client to the active, before, during and after the active dies", async () => {
    const [first, second, third] = group.instances as [
      (typeof group.instances)[0],
      (typeof group.instances)[0],
      (typeof group.instances)[0],
    ];
    expect(await first.status()).toBe("ACTIVE");
    const signal = join(group.dir, "failover-done");
    const python = await ensurePythonClient();
    const scriptFile = join(group.dir, "proxy-scenario.py");
    writeFileSync(scriptFile, SCRIPT);
    const child = spawn(python, [scriptFile], {
      env: { ...process.env, ATLAS_URL: third.url, FAILOVER_DONE: signal, PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not one of ours
      }
    });
    try {
      const first8 = await waitFor(
        () =>
          lines.some((l) => "ready" in l)
            ? "ready"
            : child.exitCode !== null
              ? "exited"
              : undefined,
        {
          timeoutMs: 180_000,
          intervalMs: 100,
          what: "the scenario's first part through the passive",
        },
      );
      expect({ first8, stderr: first8 === "ready" ? "" : stderr }).toEqual({
        first8: "ready",
        stderr: "",
      });

      // Mid-run: the active dies; the second instance leads after the session timeout.
      await first.kill();
      await second.waitForState("ACTIVE", 60_000);
      await waitFor(
        async () => ((await third.health())?.activeAddress === second.url ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 100, what: "the passive to know the new active" },
      );
      writeFileSync(signal, "");
      expect(existsSync(signal)).toBe(true);

      const code = await exited;
      expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }

    const out = lines.find((l) => "done" in l) as unknown as Outcome;
    // Every entity made (before, during and after the failover) is there with its update.
    expect(Object.keys(out.final)).toHaveLength(out.done);
    for (const [qualifiedName, size] of Object.entries(out.final)) {
      expect({ qualifiedName, size }).toEqual({
        qualifiedName,
        size: Number(/^item-(\d+)@proxy$/.exec(qualifiedName)![1]) * 10,
      });
    }
    expect(out.searched).toBe(out.done);
    expect(out.after).toBeGreaterThanOrEqual(8);
    // The failover was felt, and only as answers that say "retry".
    expect(out.retried.length).toBeGreaterThan(0);
    for (const r of out.retried) expect([502, 503, 504]).toContain(r.status);
    // Never redirected, never asked for credentials: every answer came through the proxy.
    expect(out.statuses.filter((s) => (s >= 300 && s < 400) || s === 401)).toEqual([]);
    expect(out.vias).toEqual(["1.1 id3"]);

    // The client's instance was a passive the whole time, and says what it forwarded.
    expect(await third.status()).toBe("PASSIVE");
    const metrics = await httpRequest(`${third.url}/api/atlas/admin/metrics/prometheus`, {
      headers: { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` },
    });
    const answered = /atlas_http_proxied_total\{outcome="answered"[^}]*\} (\d+)/.exec(metrics.body);
    expect(Number(answered?.[1])).toBeGreaterThan(out.done * 4);
    expect(metrics.body).toMatch(
      /atlas_http_proxied_total\{outcome="upstream_failed"[^}]*\} [1-9]/,
    );
  });

  it("relays the active's errors, refuses a body over the server's limit and a request another passive forwarded, and answers its own status", async () => {
    const alive = group.instances.slice(1);
    const states = await Promise.all(alive.map((i) => i.status()));
    const passive = alive[states.indexOf("PASSIVE")]!;
    const auth = { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` };

    const missing = await httpRequest(
      `${passive.url}/api/atlas/v2/entity/guid/00000000-0000-4000-8000-000000000000`,
      { headers: auth },
    );
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).errorCode).toBe("ATLAS-404-00-005");
    expect(missing.headers.via).toBe("1.1 id3");

    const large = await httpRequest(`${passive.url}/api/atlas/v2/entity`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ entity: { typeName: "proxy_item", pad: "x".repeat(70_000) } }),
    });
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body).errorCode).toBe("ATLAS-413-00-001");

    const looped = await httpRequest(`${passive.url}/api/atlas/v2/types/typedefs`, {
      headers: { ...auth, via: "1.1 id2" },
    });
    expect(looped.status).toBe(503);
    expect(JSON.parse(looped.body).errorCode).toBe("ATLAS-503-00-009");

    const status = await httpRequest(`${passive.url}/api/atlas/admin/status`);
    expect(JSON.parse(status.body)).toEqual({ Status: "PASSIVE" });
    expect(status.headers.via).toBeUndefined();
  });
});
