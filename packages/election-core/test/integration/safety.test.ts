/**
 * The round-2 safety review, on real servers: each test here failed on the code before its
 * fix (see the package README, "Guarantees"). Real servers: a standalone ZooKeeper (tickTime
 * 200 ms), a second one granting at most 2 s sessions, and a 3-node ensemble whose third node
 * can be cut off from the other two while its clients still reach it; TCP proxies between
 * participants and ZooKeeper.
 */
import { startTcpProxy, waitFor, type TcpProxy } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import type { ZkSession } from "../../src/index.js";
import { Participants, rawSession } from "./helpers.js";

async function removeTree(session: ZkSession, path: string): Promise<void> {
  for (const child of await session.getChildren(path)) {
    await removeTree(session, `${path}/${child}`).catch((error: { code?: string }) => {
      if (error.code !== "ZK_NONODE") throw error;
    });
  }
  await session.remove(path, -1);
}

/**
 * Samples every few milliseconds until `until` holds; fails if two participants ever led in
 * the same sample. Returns the number of samples taken.
 */
async function neverTwoLeaders(
  group: Participants,
  until: () => boolean,
  timeoutMs: number,
): Promise<number> {
  let samples = 0;
  const overlaps: string[] = [];
  await waitFor(
    () => {
      const leaders = group.leaders();
      samples++;
      if (leaders.length > 1) overlaps.push(leaders.map((l) => l.id).join("+"));
      return until() || undefined;
    },
    { timeoutMs, intervalMs: 5, what: "the condition" },
  );
  expect(overlaps, "samples in which two participants led").toEqual([]);
  return samples;
}

describe("election safety round 2 (a standalone ZooKeeper)", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Participants;
  let proxy: TcpProxy | undefined;
  let raw: ZkSession | undefined;

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    raw?.close();
    raw = undefined;
    await group?.closeAll();
    await proxy?.close();
    proxy = undefined;
  });

  it("a give-up whose delete is lost with the connection (session kept) does not leave its old node first in line", async () => {
    group = new Participants();
    proxy = await startTcpProxy({ target: zk().nodes[0]!.clientPort, name: "a → zk" });
    const sessionTimeoutMs = 6000;
    let failures = 0;
    const a = group.add({
      connect: proxy.address,
      id: "a",
      zkRoot: "/lost-delete",
      sessionTimeoutMs,
      retryBaseMs: 200,
      onLeadership: async () => {
        if (failures++ > 0) return;
        // The store refuses this term; at that very moment the link to ZooKeeper goes silent,
        // so the give-up's delete is sent but never answered.
        await proxy!.cut({ mode: "blackhole", live: "stall" });
        throw new Error("fenced by the store");
      },
    });
    const b = group.add({
      connect: zk().connectString,
      id: "b",
      zkRoot: "/lost-delete",
      sessionTimeoutMs,
    });
    await a.start();
    const firstNode = (await b.start(), (await b.getParticipants())[0]!);
    expect(firstNode.id).toBe("a");
    // The delete request reached the proxy and was thrown away; now the link drops, so the
    // client fails it with a connection loss, and comes back at once on the same session.
    await waitFor(() => proxy!.discardedBytes > 0, {
      timeoutMs: 5000,
      what: "a's delete to be swallowed",
    });
    await proxy.cut({ mode: "refuse", live: "drop" });
    await waitFor(() => a.connectionState === "SUSPENDED", {
      timeoutMs: 5000,
      what: "a to notice the cut",
    });
    await proxy.restore();
    await waitFor(() => a.connectionState === "RECONNECTED", {
      timeoutMs: sessionTimeoutMs,
      what: "a back on the same session",
    });
    // Before the fix: a's old node stayed first, a queued behind it, and nobody led until a restart.
    const leader = await group.oneLeader(4 * sessionTimeoutMs);
    const line = await waitFor(
      async () => {
        const participants = await leader.getParticipants();
        return participants.length === 2 ? participants : undefined;
      },
      { timeoutMs: 10_000, what: "a back in line behind the leader" },
    );
    expect(line.map((p) => p.node)).not.toContain(firstNode.node);
    expect(line[0]!.id).toBe(leader.id);
    expect(group.leaders()).toEqual([leader]);
  });

  it("deleting the election path makes every participant recreate it and rejoin, with one leader", async () => {
    group = new Participants();
    for (const id of ["a", "b", "c"])
      group.add({
        connect: zk().connectString,
        id,
        zkRoot: "/path-deleted",
        sessionTimeoutMs: 4000,
      });
    await Promise.all(group.all.map((e) => e.start()));
    await group.oneLeader(5000);
    raw = await rawSession(zk().connectString);
    // Participants rejoin as soon as their nodes go, so the parent may not be empty yet:
    // delete again until the path itself is gone once.
    await waitFor(
      () =>
        removeTree(raw!, "/path-deleted/leader_elector_path").then(
          () => true,
          (error: Error & { code?: string }) =>
            error.code === "ZK_NOTEMPTY" ? undefined : Promise.reject(error),
        ),
      { timeoutMs: 10_000, intervalMs: 1, what: "the election path deleted" },
    );
    // Before the fix the followers retried NONODE forever and the leader never noticed.
    await waitFor(
      async () =>
        (await raw!.getChildren("/path-deleted/leader_elector_path").catch(() => [])).length === 3,
      {
        timeoutMs: 15_000,
        what: "all three participants back in line",
      },
    );
    const leader = await group.oneLeader(5000);
    const line = await leader.getParticipants();
    expect(line[0]!.id).toBe(leader.id);
    expect(await leader.confirmLeadership()).toBe(true);
  });

  it("a leader whose node is deleted steps down before the next one leads: never two leaders", async () => {
    group = new Participants();
    const a = group.add({
      connect: zk().connectString,
      id: "a",
      zkRoot: "/own-node",
      sessionTimeoutMs: 4000,
    });
    const b = group.add({
      connect: zk().connectString,
      id: "b",
      zkRoot: "/own-node",
      sessionTimeoutMs: 4000,
    });
    await a.start();
    await b.start();
    await group.oneLeader(5000, [a]);
    const [first] = await a.getParticipants();
    raw = await rawSession(zk().connectString);
    await raw.remove(first!.node, -1);
    // Before the fix a never watched its own node: it led on beside b.
    await neverTwoLeaders(
      group,
      () => b.isLeader() && group.events.some((e) => e.id === "a" && e.type === "follower"),
      10_000,
    );
    expect(a.isLeader()).toBe(false);
    // a rejoins at the back (its new node is created just after it stepped down).
    await waitFor(
      async () =>
        (await b.getParticipants()).map((p) => p.id).join(",") === "b,a" ? true : undefined,
      { timeoutMs: 5000, what: "a back in line behind b" },
    );
    expect(group.leaders()).toEqual([b]);
  });

  it("an operation ZooKeeper's client refuses synchronously (a malformed path) rejects instead of hanging", async () => {
    group = new Participants();
    const a = group.add({
      connect: zk().connectString,
      id: "a",
      zkRoot: "/sync-rc",
      sessionTimeoutMs: 4000,
    });
    await a.start();
    const outcome = await Promise.race([
      a.zk.create("/sync-rc/./x", "data", "persistent").then(
        () => "created",
        (error: { name?: string; code?: string }) => `${error.name}:${error.code}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve("hung"), 5000)),
    ]);
    expect(outcome).toBe("ZooKeeperError:ZK_BADARGUMENTS");
  });
});

describe("a lease asked for longer than the session the server grants (ZooKeeper with maxSessionTimeout 2000)", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 100, maxSessionTimeout: 2000 });
  let group: Participants;
  afterEach(async () => {
    await group?.closeAll();
  });

  it("is held against the granted timeout: a leader whose event loop stalls longer than 2/3 of it does not lead on waking", async () => {
    group = new Participants();
    const a = group.add({
      connect: zk().connectString,
      id: "a",
      zkRoot: "/granted",
      sessionTimeoutMs: 10_000,
      leaseMs: 8000,
    });
    await a.start();
    await group.oneLeader(5000);
    expect(a.sessionTimeoutMs).toBe(2000);
    // The stall itself is the fault: nothing runs, no heartbeat, for 1.5 s (> 2/3 of 2000).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    // Before the fix the 8 s lease was trusted: the session may already be gone, yet it led.
    expect(a.isLeader()).toBe(false);
    expect(group.logs.some((l) => l.includes("election_lease_clamped"))).toBe(true);
  });
});

describe("a leader on a ZooKeeper follower cut off from its quorum (3 nodes; syncLimit × tickTime = 6 s > session timeout 3 s)", () => {
  const zk = useZooKeeper({ nodes: 3, tickTime: 200, syncLimit: 30, isolatable: true });
  let group: Participants;
  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    await group?.closeAll();
    await zk().node(3).heal();
    await zk().waitServing(60_000);
  });

  it("stops leading before the quorum expires its session and another participant leads: never two leaders", async () => {
    const isolated = zk().node(3);
    expect(await isolated.mode()).toBe("follower");
    group = new Participants();
    const sessionTimeoutMs = 3000;
    const pinned = group.add({
      connect: isolated.connectString,
      id: "pinned",
      zkRoot: "/isolated",
      sessionTimeoutMs,
    });
    const other = group.add({
      connect: `${zk().node(1).connectString},${zk().node(2).connectString}`,
      id: "other",
      zkRoot: "/isolated",
      sessionTimeoutMs,
    });
    await pinned.start();
    await group.oneLeader(5000, [pinned]);
    await other.start();
    await isolated.isolate();
    // The isolated server keeps answering reads for syncLimit × tickTime (6 s); the quorum
    // expires pinned's session after 3 s and other leads. Before the fix, pinned's lease was
    // renewed by those local answers, so both led between about 3 s and 6 s.
    const samples = await neverTwoLeaders(group, () => other.isLeader(), 6 * sessionTimeoutMs);
    expect(samples).toBeGreaterThan(10);
    expect(pinned.isLeader()).toBe(false);
    // And still never two, until the cut-off server gives up and drops its clients.
    await neverTwoLeaders(
      group,
      () => pinned.connectionState !== "CONNECTED" && pinned.connectionState !== "RECONNECTED",
      15_000,
    );
  });
});
