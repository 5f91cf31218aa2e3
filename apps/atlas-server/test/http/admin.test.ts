/**
 * The admin endpoints, entity audit events and saved searches over raw HTTP, against a real
 * group (two atlas-server processes on one ZooKeeper and one SQLite file): what a passive
 * answers itself and what it sends to the active (as Atlas's ActiveServerFilter), Atlas's
 * bodies and codes, the admin role for purge, and saved searches per login.
 */
import http from "node:http";
import { atlasCall, hashPassword } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import { atlasServerBin } from "../support/server-bin.js";

const API = "/api/atlas";
const STEWARD = `Basic ${Buffer.from("steward:steward").toString("base64")}`;

describe("admin, audit and saved-search endpoints (an active and a passive on SQLite)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  let group: Group;
  let active: string;
  let passive: string;

  const call = (method: string, path: string, body?: unknown, auth?: string) =>
    atlasCall(active, method, `${API}${path}`, body, auth ? { authorization: auth } : {});
  const createDb = async (name: string) => {
    const r = await call("POST", "/v2/entity", {
      entity: {
        typeName: "hive_db",
        attributes: { qualifiedName: `${name}@cl1`, name, clusterName: "cl1" },
      },
    });
    expect(r.status).toBe(200);
    return (r.json as { mutatedEntities: { CREATE: { guid: string }[] } }).mutatedEntities
      .CREATE[0]!.guid;
  };

  beforeAll(async () => {
    const hash = await hashPassword("steward", atlasServerBin());
    group = await startGroup({
      zkConnect: zk().connectString,
      instances: 2,
      users: `steward=DATA_STEWARD::${hash}\n`,
    });
    const roles = await group.roles();
    active = roles.active.url;
    passive = roles.passives[0]!.url;
  }, 180_000);
  afterAll(() => group?.stop());

  it("a passive answers session, version and status itself and sends metrics, purge, audits and audit events to the active", async () => {
    for (const path of ["/admin/session", "/admin/version", "/admin/status"]) {
      const r = await atlasCall(passive, "GET", `${API}${path}`);
      expect(r.status, path).toBe(200);
    }
    const session = await atlasCall(passive, "GET", `${API}/admin/session`);
    expect(session.json).toMatchObject({ userName: "admin", groups: ["ADMIN"] });
    const redirected: [string, string, number][] = [
      ["GET", "/admin/metrics", 302],
      ["PUT", "/admin/purge", 307],
      ["PUT", "/admin/purge/", 307],
      ["POST", "/admin/audits", 307],
      ["GET", "/admin/audit/some-guid/details", 302],
      ["GET", "/v2/entity/some-guid/audit", 302],
      ["GET", "/v2/search/saved", 302],
    ];
    for (const [method, path, status] of redirected) {
      const r = await atlasCall(
        passive,
        method,
        `${API}${path}`,
        method === "GET" ? undefined : [],
      );
      expect(r.status, `${method} ${path}`).toBe(status);
      expect(r.headers.get("location"), path).toBe(`${active}${API}${path}`);
    }
    // Its own process metrics stay its own.
    expect((await atlasCall(passive, "GET", `${API}/admin/metrics/prometheus`)).status).toBe(200);
  });

  it("every answer carries X-Request-Id (a sane one sent is kept, else a UUID) and is counted in the request histogram by route class and status", async () => {
    const kept = await atlasCall(passive, "GET", `${API}/v2/entity/guid/x`, undefined, {
      "x-request-id": "lb-7f3a:42",
    });
    expect(kept.status).toBe(302);
    expect(kept.headers.get("x-request-id")).toBe("lb-7f3a:42");
    const replaced = await atlasCall(active, "GET", `${API}/admin/status`, undefined, {
      "x-request-id": "no spaces allowed",
    });
    expect(replaced.headers.get("x-request-id")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const missing = await call("GET", "/v2/entity/guid/no-such-guid");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const scrape = async (url: string) =>
      (await atlasCall(url, "GET", `${API}/admin/metrics/prometheus`)).text;
    const count = (text: string, route: string, status: number) =>
      Number(
        new RegExp(
          `^atlas_http_request_duration_seconds_count\\{server_id="[^"]+",route="${route}",status="${status}"\\} (\\d+)$`,
          "m",
        ).exec(text)?.[1] ?? 0,
      );
    const before = count(await scrape(active), "/api/atlas/v2/entity", 404);
    await call("GET", "/v2/entity/guid/no-such-guid");
    const after = await scrape(active);
    expect(count(after, "/api/atlas/v2/entity", 404)).toBe(before + 1);
    expect(after).toMatch(
      /^atlas_http_request_duration_seconds_bucket\{le="\+Inf",server_id="[^"]+",route="\/api\/atlas\/admin\/status",status="200"\} \d+$/m,
    );
    expect(count(await scrape(passive), "/api/atlas/v2/entity", 302)).toBeGreaterThan(0);
  });

  it("a passive redirects every request of a keep-alive connection the same way, counts each, and refuses wrong credentials on it with 401", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ADMIN = `Basic ${Buffer.from("admin:admin").toString("base64")}`;
    const get = (path: string, authorization: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
        (resolve, reject) => {
          const req = http.get(`${passive}${API}${path}`, { agent, headers: { authorization } });
          req.on("response", (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (body += chunk));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
            );
          });
          req.on("error", reject);
        },
      );
    const scrape = async () =>
      (await atlasCall(passive, "GET", `${API}/admin/metrics/prometheus`)).text;
    const counted = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    const HISTOGRAM =
      /^atlas_http_request_duration_seconds_count\{server_id="[^"]+",route="\/api\/atlas\/v2\/entity",status="302"\} (\d+)$/m;
    const REDIRECTS = /^atlas_http_redirects_total\{(?=[^}]*status="302")[^}]*\} (\d+)$/m;
    const before = await scrape();
    try {
      // The first request's credentials are checked asynchronously, the next ones are known
      // for the connection and redirected within the request layer's call: the same answer.
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await get(`/v2/entity/guid/g1?i=${i}`, ADMIN));
      answers.forEach((a, i) => {
        expect(a.status, `request ${i}`).toBe(302);
        expect(a.headers.location).toBe(`${active}${API}/v2/entity/guid/g1?i=${i}`);
        expect(a.headers["cache-control"]).toBe("no-store");
        expect(a.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
        expect(a.body).toBe("");
      });
      const after = await scrape();
      expect(counted(after, HISTOGRAM)).toBeGreaterThanOrEqual(counted(before, HISTOGRAM) + 4);
      expect(counted(after, REDIRECTS)).toBeGreaterThanOrEqual(counted(before, REDIRECTS) + 4);
      const wrong = await get(
        "/v2/entity/guid/g1",
        `Basic ${Buffer.from("admin:nope").toString("base64")}`,
      );
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.body)).toMatchObject({ errorCode: "ATLAS-401-00-001" });
    } finally {
      agent.destroy();
    }
  });

  it("answers the status probe the same for every spelling and HEAD, with a request id, counted once each; other methods get 405", async () => {
    const statusCount = async (url: string) =>
      Number(
        /^atlas_http_request_duration_seconds_count\{server_id="[^"]+",route="\/api\/atlas\/admin\/status",status="200"\} (\d+)$/m.exec(
          (await atlasCall(url, "GET", `${API}/admin/metrics/prometheus`)).text,
        )?.[1] ?? 0,
      );
    for (const [url, state] of [
      [active, "ACTIVE"],
      [passive, "PASSIVE"],
    ] as const) {
      const before = await statusCount(url);
      // The plain spelling is answered by the request layer, the others by the route: same bytes.
      for (const path of ["/admin/status", "/admin/status/", "/admin/status?probe=1"]) {
        const r = await atlasCall(url, "GET", `${API}${path}`, undefined, { authorization: "" });
        expect(r.status, path).toBe(200);
        expect(r.text, path).toBe(`{"Status":"${state}"}`);
        expect(r.headers.get("content-type"), path).toBe("application/json; charset=utf-8");
        expect(r.headers.get("content-length"), path).toBe(String(r.text.length));
        expect(r.headers.get("cache-control"), path).toBe("no-store");
        expect(r.headers.get("x-request-id"), path).toMatch(/^[0-9a-f-]{36}$/);
      }
      const head = await atlasCall(url, "HEAD", `${API}/admin/status`);
      expect(head.status).toBe(200);
      expect(head.text).toBe("");
      expect(head.headers.get("content-length")).toBe(String(`{"Status":"${state}"}`.length));
      expect(await statusCount(url)).toBeGreaterThanOrEqual(before + 4);
      const post = await atlasCall(url, "POST", `${API}/admin/status`, {});
      expect(post.status).toBe(405);
      expect(post.json).toMatchObject({ errorCode: expect.stringMatching(/^ATLAS-405-/) });
    }
  });

  it("admin/metrics counts what the store holds, in Atlas's AtlasMetrics shape", async () => {
    const before = (await call("GET", "/admin/metrics")).json as {
      data: { general: { entityCount: number } };
    };
    await createDb("metrics_a");
    const r = await call("GET", "/admin/metrics", undefined, STEWARD);
    expect(r.status).toBe(200);
    const data = (r.json as { data: Record<string, Record<string, unknown>> }).data;
    expect(data.general).toMatchObject({
      entityCount: before.data.general.entityCount + 1,
      typeCount: expect.any(Number),
      tagCount: expect.any(Number),
      typeUnusedCount: expect.any(Number),
      collectionTime: expect.any(Number),
      stats: expect.objectContaining({ "Server:statusBackendStore": "connected" }),
    });
    expect((data.entity!.entityActive as Record<string, number>).hive_db).toBeGreaterThan(0);
    expect(data.entity).toHaveProperty("entityActive-typeAndSubTypes");
    expect(data).toHaveProperty("tag.tagEntities");
    const lean = (await call("GET", "/admin/metrics?excludeTypeAndSubTypeEntity=true")).json as {
      data: { entity: Record<string, unknown> };
    };
    expect(Object.keys(lean.data.entity).sort()).toEqual([
      "entityActive",
      "entityDeleted",
      "entityShell",
    ]);
  });

  it("admin/session says who is logged in and what the role may do", async () => {
    const r = await call("GET", "/admin/session", undefined, STEWARD);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      userName: "steward",
      groups: ["DATA_STEWARD"],
      "atlas.entity.create.allowed": true,
      "atlas.entity.update.allowed": true,
      "atlas.rest-csrf.enabled": false,
      timezones: expect.arrayContaining(["Europe/Paris"]),
    });
  });

  it("lists an entity's audit events newest first and refuses parameters it cannot honour", async () => {
    const guid = await createDb("audited");
    expect((await call("POST", `/v2/entity/guid/${guid}/labels`, ["gold"])).status).toBeLessThan(
      300,
    );
    const r = await call("GET", `/v2/entity/${guid}/audit`);
    expect(r.status).toBe(200);
    const events = r.json as { action: string; user: string; details: string }[];
    expect(events.map((e) => [e.action, e.user])).toEqual([
      ["LABEL_ADD", "admin"],
      ["ENTITY_CREATE", "admin"],
    ]);
    expect(events[0]!.details).toBe("Added labels: gold");
    const filtered = await call(
      "GET",
      `/v2/entity/${guid}/audit?auditAction=ENTITY_CREATE&count=5`,
    );
    expect((filtered.json as unknown[]).length).toBe(1);
    for (const query of [
      "auditAction=BOGUS",
      "count=0",
      "count=40000",
      "count=ten",
      "sortBy=size",
      "sortOrder=up",
      "offset=-2",
      "startKey=not-a-key",
    ]) {
      const bad = await call("GET", `/v2/entity/${guid}/audit?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.json, query).toMatchObject({ errorCode: "ATLAS-400-00-002" });
    }
    const unknown = await call("GET", `/v2/entity/no-such-guid/audit`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ errorCode: "ATLAS-404-00-005" });
  });

  it("purges DELETED entities only, for an admin only, and keeps their audit", async () => {
    const gone = await createDb("purge_me");
    const kept = await createDb("purge_keep");
    expect((await call("DELETE", `/v2/entity/guid/${gone}`)).status).toBe(200);

    const refused = await call("PUT", "/admin/purge", [gone], STEWARD);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ errorCode: "ATLAS-403-00-001" });
    expect((await call("GET", `/v2/entity/guid/${gone}`)).status).toBe(200);

    const r = await call("PUT", "/admin/purge/", [gone, kept, "unknown-guid"]);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      mutatedEntities: { PURGE: [{ guid: gone, typeName: "hive_db", status: "DELETED" }] },
    });
    expect(
      (r.json as { mutatedEntities: { PURGE: unknown[] } }).mutatedEntities.PURGE,
    ).toHaveLength(1);
    expect((await call("GET", `/v2/entity/guid/${gone}`)).status).toBe(404);
    expect((await call("GET", `/v2/entity/guid/${kept}`)).status).toBe(200);
    const audit = (await call("GET", `/v2/entity/${gone}/audit`)).json as { action: string }[];
    expect(audit.map((e) => e.action)).toEqual(["ENTITY_PURGE", "ENTITY_DELETE", "ENTITY_CREATE"]);
    expect((await call("PUT", "/admin/purge", [kept])).json).toEqual({ mutatedEntities: {} });

    // Atlas's audit of admin operations: the purge, with what it removed as its details.
    const byOperation = {
      auditFilters: { attributeName: "operation", operator: "eq", attributeValue: "PURGE" },
      limit: 10,
    };
    const audits = await call("POST", "/admin/audits", byOperation);
    expect(audits.status).toBe(200);
    const purges = audits.json as { guid: string; result: string; resultCount: number }[];
    // Newest first: the purge that found nothing, then the one that removed `gone`.
    expect(purges.map((p) => [p.result, p.resultCount])).toEqual([
      ["", 0],
      [gone, 1],
    ]);
    expect(purges[1]).toMatchObject({ userName: "admin", operation: "PURGE", params: `[${gone}]` });
    const details = await call("GET", `/admin/audit/${purges[1]!.guid}/details`);
    expect(details.json).toEqual([
      expect.objectContaining({
        guid: gone,
        typeName: "hive_db",
        status: "DELETED",
        displayText: "purge_me",
      }),
    ]);
    const activations = await call("POST", "/admin/audits", {
      auditFilters: {
        condition: "AND",
        criterion: [
          { attributeName: "operation", operator: "=", attributeValue: "SERVER_STATE_ACTIVE" },
          { attributeName: "startTime", operator: ">", attributeValue: "0" },
        ],
      },
    });
    expect((activations.json as unknown[]).length).toBeGreaterThan(0);
    expect((await call("POST", "/admin/audits", byOperation, STEWARD)).status).toBe(403);
    const badOperator = await call("POST", "/admin/audits", {
      auditFilters: { attributeName: "operation", operator: "TIME_RANGE", attributeValue: "x" },
    });
    expect(badOperator.status).toBe(400);
    expect((await call("GET", "/admin/audit/999999999/details")).status).toBe(404);
  });

  it("keeps saved searches per login: 409 on a taken name, another user's is invalid data, DELETE is 204", async () => {
    const search = {
      name: "dbs",
      searchType: "BASIC",
      searchParameters: { typeName: "hive_db", query: "audited", limit: 10 },
    };
    const added = await call("POST", "/v2/search/saved", search);
    expect(added.status).toBe(200);
    const saved = added.json as { guid: string; ownerName: string };
    expect(saved).toMatchObject({ ownerName: "admin", name: "dbs", uiParameters: null });

    const again = await call("POST", "/v2/search/saved", search);
    expect(again.status).toBe(409);
    expect(again.json).toEqual({
      errorCode: "ATLAS-409-00-006",
      errorMessage: "search named dbs already exists for user admin",
    });
    // The same name is free for another user, whose list and names are their own.
    expect((await call("POST", "/v2/search/saved", search, STEWARD)).status).toBe(200);
    expect(((await call("GET", "/v2/search/saved")).json as unknown[]).length).toBe(1);
    const other = await call("GET", "/v2/search/saved?user=steward");
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({
      errorCode: "ATLAS-400-00-029",
      errorMessage: "invalid data",
    });
    const notMine = await call(
      "GET",
      `/v2/search/saved/execute/guid/${saved.guid}`,
      undefined,
      STEWARD,
    );
    expect(notMine.status).toBe(400);
    const missing = await call("GET", "/v2/search/saved/nope");
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ errorCode: "ATLAS-404-00-009" });

    const run = await call("GET", "/v2/search/saved/execute/dbs");
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({
      queryType: "BASIC",
      entities: [expect.objectContaining({ typeName: "hive_db", displayText: "audited" })],
    });
    const byGuid = await call("GET", `/v2/search/saved/execute/guid/${saved.guid}`);
    expect(byGuid.json).toEqual(run.json);

    const dsl = await call("POST", "/v2/search/saved", {
      name: "dsl",
      searchType: "ADVANCED",
      searchParameters: { query: "hive_db" },
    });
    expect(dsl.status).toBe(200);
    // An ADVANCED search runs as the DSL query it saved.
    const dslRun = await call("GET", "/v2/search/saved/execute/dsl");
    expect(dslRun.status).toBe(200);
    expect(dslRun.json).toMatchObject({
      queryType: "DSL",
      entities: expect.arrayContaining([expect.objectContaining({ displayText: "audited" })]),
    });
    const filtered = await call("POST", "/v2/search/saved", {
      name: "tagged",
      searchParameters: { typeName: "hive_db", classification: "PII" },
    });
    expect(filtered.status).toBe(200);
    // Run by the basic search, whose answer for an unknown classification is Atlas's 400.
    const filteredRun = await call("GET", "/v2/search/saved/execute/tagged");
    expect(filteredRun.status).toBe(400);
    expect(filteredRun.json).toMatchObject({ errorCode: "ATLAS-400-00-046" });

    const deleted = await call("DELETE", `/v2/search/saved/${saved.guid}`);
    expect(deleted.status).toBe(204);
    expect((await call("GET", "/v2/search/saved/dbs")).status).toBe(404);
  });

  it("ages out audit events as Atlas's admin/audits/ageout: floors, runs as tasks, admin only", async () => {
    const path = "/admin/audits/ageout";
    expect((await call("POST", path, { auditAgingEnabled: true }, STEWARD)).status).toBe(403);
    // Aging not enabled (in the body, or by default in the configuration): Atlas's null, a 204.
    expect((await call("POST", path, { auditAgingEnabled: false })).status).toBe(204);
    expect((await call("POST", `${path}?useAuditConfig=true`)).status).toBe(204);
    const bad = await call("POST", path, { auditAgingEnabled: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errorMessage: expect.stringContaining("auditAgingEnabled") });
    const noAction = await call("POST", path, {
      auditAgingEnabled: true,
      auditSweepoutEnabled: true,
      sweepoutActionTypes: "NO_SUCH_ACTION",
    });
    expect(noAction.status).toBe(400);

    // Atlas's floors: a TTL of at least 7 days, a count of at least 50; a default TTL of 90.
    const plan = await call("POST", path, {
      auditAgingEnabled: true,
      defaultAgeoutEnabled: true,
      defaultAgeoutAuditCount: 3,
      customAgeoutTTLInDays: 1,
      customAgeoutEntityTypes: "hive_table",
    });
    expect(plan.status).toBe(200);
    expect(plan.json).toMatchObject([
      {
        type: "AUDIT_REDUCTION_ENTITY_RETRIEVAL",
        status: "COMPLETE",
        createdBy: "admin",
        parameters: {
          auditAgingType: "CUSTOM",
          ttl: 7,
          auditCount: 0,
          entityTypes: ["hive_table"],
        },
      },
      {
        status: "COMPLETE",
        parameters: {
          auditAgingType: "DEFAULT",
          ttl: 90,
          auditCount: 50,
          entityTypes: ["hive_table"],
          excludeEntityTypes: true,
        },
      },
    ]);

    // A sweep of the updates of hive_db entities: their create events stay.
    const guid = await createDb("ageout");
    for (const description of ["one", "two"]) {
      const r = await call("POST", "/v2/entity", {
        entity: {
          typeName: "hive_db",
          attributes: {
            qualifiedName: "ageout@cl1",
            name: "ageout",
            clusterName: "cl1",
            description,
          },
        },
      });
      expect(r.status).toBe(200);
    }
    const audit = async () =>
      ((await call("GET", `/v2/entity/${guid}/audit`)).json as { action: string }[]).map(
        (e) => e.action,
      );
    expect(await audit()).toEqual(["ENTITY_UPDATE", "ENTITY_UPDATE", "ENTITY_CREATE"]);
    const sweep = await call("POST", path, {
      auditAgingEnabled: true,
      auditSweepoutEnabled: true,
      sweepoutEntityTypes: "hive_db",
      sweepoutActionTypes: "ENTITY_UPD*",
    });
    expect(sweep.status).toBe(200);
    const [task] = sweep.json as { parameters: { removedAuditEvents: number } }[];
    expect(task!.parameters.removedAuditEvents).toBeGreaterThanOrEqual(2);
    expect(await audit()).toEqual(["ENTITY_CREATE"]);
  });
});
