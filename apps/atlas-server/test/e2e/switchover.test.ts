/**
 * Planned switchover (POST admin/ha/switchover, `atlas-server switchover`) and the preferred
 * instance, on real servers: a standalone ZooKeeper and groups of atlas-server processes
 * (dist/main.js) sharing one SQLite file (test/support/group.ts).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { hashPassword, httpRequest, waitFor, type AtlasInstance } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import { atlasServerBin } from "../support/server-bin.js";

const run = promisify(execFile);
const ADMIN = `Basic ${Buffer.from("admin:admin").toString("base64")}`;
const STEWARD = `Basic ${Buffer.from("steward:steward").toString("base64")}`;
const SWITCHOVER = "/api/atlas/admin/ha/switchover";

const post = (instance: AtlasInstance, body: unknown, authorization = ADMIN) =>
  httpRequest(`${instance.url}${SWITCHOVER}`, {
    method: "POST",
    body,
    headers: { authorization },
    timeoutMs: 20_000,
  });

const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

const events = (instance: AtlasInstance, event: string) =>
  readFileSync(instance.logFile, "utf8")
    .split("\n")
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function write(instance: AtlasInstance, name: string) {
  return httpRequest(`${instance.url}/api/atlas/v2/entity`, {
    method: "POST",
    body: {
      entity: {
        typeName: "hive_db",
        attributes: { qualifiedName: `${name}@test`, name, clusterName: "test" },
      },
    },
    headers: { authorization: ADMIN },
    timeoutMs: 10_000,
  });
}

describe("planned switchover (3 real instances, real ZooKeeper)", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Group;
  let byId: (id: string) => AtlasInstance;

  beforeAll(async () => {
    const stewardHash = await hashPassword("steward", atlasServerBin());
    group = await startGroup({
      zkConnect: zk().connectString,
      instances: 3,
      users: `steward=DATA_STEWARD::${stewardHash}\n`,
      properties: { "atlas.server.ha.switchover.window.ms": 3000 },
    });
    byId = (id) => group.instances[Number(id.slice(2)) - 1]!;
  }, 120_000);

  afterAll(() => group?.stop());

  it("is refused with Atlas-style errors, changing nothing: no login, not an admin, unknown target, the active itself, a target that does not answer PASSIVE", async () => {
    const { active } = await group.roles();
    expect(active).toBe(byId("id1"));
    expect((await post(active, {}, "")).status).toBe(401);
    const forbidden = await post(active, {}, STEWARD);
    expect(forbidden.status).toBe(403);
    const unknown = await post(active, { to: "id9" });
    expect(unknown.status).toBe(404);
    expect(json(unknown.body)).toMatchObject({ errorCode: "ATLAS-404-00-A02" });
    expect(unknown.body).not.toMatch(/at .*\.js/); // no stack trace
    const self = await post(active, { to: "id1" });
    expect(self.status).toBe(400);
    expect(json(self.body).errorCode).toBe("ATLAS-400-00-002");
    const paused = byId("id3");
    paused.pause();
    try {
      const unhealthy = await post(active, { to: "id3" });
      expect(unhealthy.status).toBe(409);
      expect(json(unhealthy.body)).toMatchObject({ errorCode: "ATLAS-409-00-A04" });
      expect(String(json(unhealthy.body).errorMessage)).toContain("id3");
    } finally {
      paused.resume();
    }
    expect(await active.status()).toBe("ACTIVE");
    // A line reaches the log file at the end of its turn, through pino's asynchronous
    // destination: after the answer, not before it (CI read two of three once).
    await waitFor(() => events(active, "switchover_refused").length >= 3, {
      timeoutMs: 10_000,
      what: "three switchover_refused lines in the active's log",
    });
  });

  it("hands over to a target further back in line: the target becomes ACTIVE, the one ahead of it never does, writes go on there, and the old active rejoins as passive", async () => {
    const { active } = await group.roles();
    const before = (await active.health())!.epoch as number;
    const answer = await post(active, { to: "id3" });
    expect(answer.status).toBe(200);
    expect(json(answer.body)).toMatchObject({
      outcome: "completed",
      from: "id1",
      to: "id3",
      requested: "id3",
      by: "admin",
    });
    const roles = await group.roles();
    expect(roles.active).toBe(byId("id3"));
    expect(events(byId("id2"), "became_active")).toHaveLength(0);
    expect(((await roles.active.health())!.epoch as number) > before).toBe(true);
    expect((await write(roles.active, "after_switchover")).status).toBe(200);
    // The old active is back in the election once its window has passed.
    await waitFor(
      async () => {
        const { body } = await httpRequest(`${byId("id1").url}/api/atlas/admin/health`);
        return (json(body).zookeeper as string) === "CONNECTED" &&
          events(byId("id1"), "election_joined").length >= 2
          ? true
          : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: "id1 back in the election" },
    );
    const metrics = await httpRequest(`${byId("id1").url}/api/atlas/admin/metrics/prometheus`, {
      headers: { authorization: ADMIN },
    });
    expect(metrics.body).toMatch(/atlas_ha_switchovers_total\{[^}]*outcome="completed"[^}]*\} 1/);
    expect(events(byId("id1"), "switchover_completed")).toHaveLength(1); // answered after it
  });

  it("`atlas-server switchover --url <a passive>` follows the redirect to the active with its credentials and hands over to the next ready instance", async () => {
    const { active, passives } = await group.roles();
    const { stdout } = await run(
      process.execPath,
      [atlasServerBin(), "switchover", "--url", passives[0]!.url, "--json"],
      { env: { ...process.env, ATLAS_PASSWORD: "admin" } },
    );
    const answer = json(stdout);
    expect(answer).toMatchObject({ status: 200, outcome: "completed", requested: null });
    expect(answer.from).toBe((await active.health())!.serverId);
    const roles = await group.roles();
    expect((await roles.active.health())!.serverId).toBe(answer.to);
    expect(roles.active).not.toBe(active);
  });
});

describe("preferred instance (2 real instances, real ZooKeeper)", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Group;

  beforeAll(async () => {
    group = await startGroup({
      zkConnect: zk().connectString,
      instances: 2,
      properties: {
        "atlas.server.ha.preferred.id": "id2",
        "atlas.server.ha.preferred.delay.ms": 500,
        "atlas.server.ha.switchover.window.ms": 2000,
      },
    });
  }, 120_000);

  afterAll(() => group?.stop());

  it("becomes active by itself once it has been healthy and passive for the delay, and takes the writes", async () => {
    const [first, preferred] = group.instances as [AtlasInstance, AtlasInstance];
    // startGroup made id1 active first; the preferred one takes over without being asked.
    await waitFor(async () => ((await preferred.status()) === "ACTIVE" ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: "the preferred instance ACTIVE",
    });
    // The old active logs it once it has seen the target's address published (its own watch).
    const completed = await waitFor(() => events(first, "switchover_completed")[0], {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: "switchover_completed in id1's log",
    });
    expect(completed).toMatchObject({ from: "id1", to: "id2", by: "preferred" });
    const roles = await group.roles();
    expect(roles.active).toBe(preferred);
    expect((await write(preferred, "preferred_write")).status).toBe(200);
  });
});
