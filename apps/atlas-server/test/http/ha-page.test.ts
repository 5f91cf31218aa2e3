/**
 * The HA page and its data (docs/operations.md#the-ha-page) over raw HTTP, against a real group:
 * two atlas-server processes on one ZooKeeper and one SQLite file. A passive answers both
 * itself without a login; the view lists every member of atlas.server.ids with the verdict
 * of atlas-status, keeps a stopped member as UNREACHABLE, and health remembers failovers.
 */
import { atlasCall, waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";

const NO_LOGIN = { authorization: "" };

interface View {
  servedBy: { serverId: string; url: string; state: string };
  pollMs: number;
  group: { verdict: string; problem: string; active: string | null; summary: string };
  members: { id: string; url: string; state: string; detail?: string; health: unknown }[];
  failovers: { epoch: number; serverId: string; tookMs: number | null; previousActive: string }[];
}

describe("the HA page (an active and a passive on SQLite)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  let group: Group;

  beforeAll(async () => {
    group = await startGroup({ zkConnect: zk().connectString, instances: 2 });
  }, 180_000);
  afterAll(() => group?.stop());

  it("a passive serves the page itself, without a login, with a CSP that allows only its own script and origin", async () => {
    const { passives } = await group.roles();
    for (const path of ["/ha", "/ha/"]) {
      const page = await atlasCall(passives[0]!, "GET", path, undefined, NO_LOGIN);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.text).toContain('<div id="verdict"');
      const csp = page.headers.get("content-security-policy")!;
      expect(csp).toMatch(/default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'/);
      expect(csp).toContain("connect-src 'self'");
      // No external asset: nothing but the page itself is referenced.
      expect(page.text).not.toMatch(/\b(src|href)=/);
    }
    const post = await atlasCall(passives[0]!, "POST", "/ha", {}, NO_LOGIN);
    expect(post.status).toBe(405);
  });

  it("a passive answers the group's view itself: every member with its id, state and health, and atlas-status's verdict", async () => {
    const { active, passives } = await group.roles();
    const r = await atlasCall(passives[0]!, "GET", "/api/atlas/admin/ha", undefined, NO_LOGIN);
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const view = r.json as View;
    expect(view.servedBy).toEqual({ serverId: "id2", url: passives[0]!.url, state: "PASSIVE" });
    expect(view.group).toMatchObject({ verdict: "OK", problem: "NONE", active: active.url });
    expect(view.members.map((m) => [m.id, m.url, m.state])).toEqual([
      ["id1", active.url, "ACTIVE"],
      ["id2", passives[0]!.url, "PASSIVE"],
    ]);
    expect(view.members[0]!.health).toMatchObject({
      serverId: "id1",
      state: "ACTIVE",
      zookeeper: "CONNECTED",
    });
  });

  it("after the active stops, the view keeps it as UNREACHABLE, and the new active's health tells how long the failover took", async () => {
    const { active, passives } = await group.roles();
    const next = passives[0]!;
    await active.stop();
    await next.waitForState("ACTIVE", 30_000);
    const view = await waitFor(
      async () => {
        const r = await atlasCall(next, "GET", "/api/atlas/admin/ha", undefined, NO_LOGIN);
        const v = r.json as View;
        return v.group.active === next.url ? v : undefined;
      },
      { timeoutMs: 10_000, what: "the view to name the new active" },
    );
    expect(view.group).toMatchObject({ verdict: "WARNING", problem: "DEGRADED" });
    expect(view.members.map((m) => [m.id, m.state])).toEqual([
      ["id1", "UNREACHABLE"],
      ["id2", "ACTIVE"],
    ]);
    expect(view.members[0]!.detail).toContain("ECONNREFUSED");
    const health = (await atlasCall(next, "GET", "/api/atlas/admin/health", undefined, NO_LOGIN))
      .json as {
      epoch: number;
      failovers: View["failovers"];
      recentTransitions: { from: string; to: string; ms: number }[];
    };
    expect(health.failovers[0]).toMatchObject({
      serverId: "id2",
      epoch: health.epoch,
      previousActive: active.url,
    });
    expect(health.failovers[0]!.tookMs).toEqual(expect.any(Number));
    expect(health.failovers[0]!.tookMs).toBeGreaterThanOrEqual(0);
    expect(health.recentTransitions[0]).toMatchObject({ from: "BECOMING_ACTIVE", to: "ACTIVE" });
    expect(view.failovers[0]).toMatchObject({ epoch: health.epoch, serverId: "id2" });
    await active.start();
    await active.waitForState("PASSIVE", 30_000);
  });
});
