import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { ChildParticipant, Participants } from "./helpers.js";

// Real server: a standalone ZooKeeper (tickTime 200 ms, so 2–4 s session timeouts are granted).
describe("leader election among three participants", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Participants;
  const children: ChildParticipant[] = [];

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    await group?.closeAll();
    await Promise.all(children.splice(0).map((c) => c.stop()));
  });

  it("has exactly one leader, and everyone agrees who it is", async () => {
    group = new Participants();
    const zkRoot = "/one-leader";
    for (const id of ["a", "b", "c"]) group.add({ connect: zk().connectString, id, zkRoot, sessionTimeoutMs: 4000 });
    await Promise.all(group.all.map((e) => e.start()));
    const leader = await group.oneLeader(5000);
    expect(group.leaders()).toEqual([leader]);
    const participants = await group.all[1]!.getParticipants();
    expect(participants.map((p) => p.id).sort()).toEqual(["a", "b", "c"]);
    expect(participants.filter((p) => p.isLeader).map((p) => p.id)).toEqual([leader.id]);
    expect((await group.all[2]!.getLeader())?.id).toBe(leader.id);
    expect((await group.all[2]!.getLeader())?.epoch).toBe(leader.epoch);
    // Sequence order is join order; nodes follow Curator's naming so a Java Atlas could share the election.
    for (const p of participants) expect(p.node).toMatch(/^\/one-leader\/leader_elector_path\/_c_[0-9a-f-]{36}-latch-\d{10}$/);
  });

  it("hands over on close() with a higher epoch, in far less than the session timeout", async () => {
    group = new Participants();
    const zkRoot = "/close-handover";
    for (const id of ["a", "b", "c"]) group.add({ connect: zk().connectString, id, zkRoot, sessionTimeoutMs: 4000 });
    await Promise.all(group.all.map((e) => e.start()));
    const first = await group.oneLeader(5000);
    const firstEpoch = first.epoch!;
    await first.close();
    // The node is deleted at close: the next leader does not wait for the 4 s session timeout.
    const second = await group.oneLeader(1500, group.all.filter((e) => e !== first));
    expect(second.epoch!).toBeGreaterThan(firstEpoch);
    expect(first.isLeader()).toBe(false);
    await second.close();
    const third = await group.oneLeader(1500, group.all.filter((e) => e !== first && e !== second));
    expect(third.epoch!).toBeGreaterThan(second.epoch!);
    expect((await third.getParticipants()).map((p) => p.id)).toEqual([third.id]);
  });

  it("hands over within the session timeout when the leader's process is SIGKILLed", async () => {
    const sessionTimeoutMs = 2000;
    for (const id of ["p1", "p2", "p3"]) {
      children.push(new ChildParticipant(zk().connectString, id, sessionTimeoutMs));
      // Join one after another so p1 leads.
      await children.at(-1)!.waitFor("started", 15_000);
    }
    const [p1, p2, p3] = children as [ChildParticipant, ChildParticipant, ChildParticipant];
    expect((await p1.status()).isLeader).toBe(true);
    const oldEpoch = (await p1.status()).epoch!;
    const killedAt = Date.now();
    p1.kill("SIGKILL");
    const next = await waitFor(
      async () => {
        const [s2, s3] = await Promise.all([p2.status(), p3.status()]);
        return s2.isLeader ? { p: p2, s: s2 } : s3.isLeader ? { p: p3, s: s3 } : undefined;
      },
      { timeoutMs: sessionTimeoutMs + 3000, intervalMs: 20, what: "a new leader after SIGKILL" },
    );
    const leaderEvent = next.p.lines.find((l) => l.type === "leader")!;
    // ZooKeeper expires the dead session after the session timeout (plus up to a tick);
    // the successor's predecessor watch fires at once.
    expect(leaderEvent.at! - killedAt).toBeLessThan(sessionTimeoutMs + 1500);
    expect(next.s.epoch!).toBeGreaterThan(oldEpoch);
    const other = next.p === p2 ? p3 : p2;
    expect((await other.status()).isLeader).toBe(false);
  });
});
