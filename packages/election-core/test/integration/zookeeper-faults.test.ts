import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { Participants, serverOfSession } from "./helpers.js";

// Real servers: a 3-node ZooKeeper ensemble (tickTime 200 ms); nodes are killed and restarted.
describe("leader election under ZooKeeper server faults", () => {
  const zk = useZooKeeper({ nodes: 3, tickTime: 200 });
  let group: Participants;

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    await group?.closeAll();
    // Bring every node back for the next test.
    for (const node of zk().nodes) if (!node.process.running) await node.start();
    await zk().waitServing(60_000);
  });

  it("keeps the leader when the ZooKeeper server it is connected to dies and its session survives", async () => {
    group = new Participants();
    const sessionTimeoutMs = 4000;
    for (const id of ["a", "b"]) group.add({ connect: zk().connectString, id, zkRoot: "/server-loss", sessionTimeoutMs });
    await Promise.all(group.all.map((e) => e.start()));
    const leader = await group.oneLeader(5000);
    const epoch = leader.epoch;
    const server = await waitFor(() => serverOfSession(zk(), leader.zk.sessionId), { timeoutMs: 5000, what: "the leader's server" });
    await server.kill();
    // The client reconnects to another server with the same session: RECONNECTED, same epoch.
    await waitFor(
      () => group.events.some((e) => e.id === leader.id && e.type === "connection" && (e.payload as { state: string }).state === "RECONNECTED"),
      { timeoutMs: 15_000, what: "the leader to reconnect" },
    );
    await waitFor(() => leader.isLeader(), { timeoutMs: 5000, what: "the leader to lead again" });
    expect(leader.epoch).toBe(epoch);
    expect(group.events.filter((e) => e.id === leader.id && e.type === "lost")).toEqual([]);
    const follower = group.all.find((e) => e !== leader)!;
    expect(follower.isLeader()).toBe(false);
    expect((await follower.getLeader())?.id).toBe(leader.id);
  });

  it("steps down within the session timeout when quorum is lost, and has exactly one leader once it returns", async () => {
    group = new Participants();
    const sessionTimeoutMs = 3000;
    for (const id of ["a", "b", "c"]) group.add({ connect: zk().connectString, id, zkRoot: "/quorum-loss", sessionTimeoutMs });
    await Promise.all(group.all.map((e) => e.start()));
    const leader = await group.oneLeader(5000);
    const epochBefore = leader.epoch!;
    const [one, two] = zk().nodes;
    await Promise.all([one!.kill(), two!.kill()]);
    const lostAt = Date.now();
    await waitFor(() => group.leaders().length === 0, {
      timeoutMs: sessionTimeoutMs + 1000,
      intervalMs: 10,
      what: "no participant to lead without quorum",
    });
    expect(Date.now() - lostAt).toBeLessThan(sessionTimeoutMs + 1000);
    const suspended = group.events.find((e) => e.id === leader.id && e.type === "suspended");
    expect(suspended).toBeDefined();

    await Promise.all([one!.start(), two!.start()]);
    await zk().waitServing(60_000);
    const after = await group.oneLeader(30_000);
    // Stable: still exactly one a moment later, seen from every participant.
    await waitFor(async () => (await after.getParticipants()).length === 3, { timeoutMs: 30_000, what: "all three to rejoin" });
    expect(group.leaders()).toEqual([after]);
    expect(after.epoch!).toBeGreaterThanOrEqual(epochBefore);
  });
});
