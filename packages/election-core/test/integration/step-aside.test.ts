import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { Participants } from "./helpers.js";

// Real server: a standalone ZooKeeper (tickTime 200 ms, so 4 s session timeouts are granted).
describe("stepAside() on a real ensemble", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Participants;

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    await group?.closeAll();
  });

  async function three(zkRoot: string) {
    group = new Participants();
    for (const id of ["a", "b", "c"])
      group.add({ connect: zk().connectString, id, zkRoot, sessionTimeoutMs: 4000 });
    // Join in order, so the line is a, b, c.
    for (const e of group.all) await e.start();
    const [a, b, c] = group.all as [
      (typeof group.all)[0],
      (typeof group.all)[0],
      (typeof group.all)[0],
    ];
    expect(await group.oneLeader(5000)).toBe(a);
    return { a, b, c };
  }

  it("hands over to a target at the back of the line: only the target leads, with a higher epoch; the intent is gone; the one that stepped aside rejoins at the back after its window", async () => {
    const { a, c } = await three("/step-aside-target");
    const epoch = a.epoch!;
    await a.stepAside({ forMs: 1500, target: "c" });
    expect(a.isLeader()).toBe(false);
    expect(await group.oneLeader(5000)).toBe(c);
    expect(c.epoch!).toBeGreaterThan(epoch);
    expect(group.events.filter((e) => e.id === "b" && e.type === "leader")).toHaveLength(0);
    // b moved to the back (a new node) to let c lead.
    await waitFor(
      async () =>
        (await c.getParticipants()).map((p) => p.id).join() === "c,b" ? true : undefined,
      { timeoutMs: 5000, intervalMs: 20, what: "the line c, b" },
    );
    await waitFor(async () => ((await c.getParticipants()).length === 3 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: "a back in line",
    });
    expect((await c.getParticipants()).map((p) => p.id)).toEqual(["c", "b", "a"]);
    const children = await c.zk.getChildren(c.electionPath);
    expect(children.filter((n) => n.endsWith(".intent"))).toEqual([]);
    expect(group.leaders()).toEqual([c]);
  });

  it("when the target is gone before it could lead, the next participant leads (never leaderless)", async () => {
    const { a, b, c } = await three("/step-aside-target-gone");
    await c.close();
    await a.stepAside({ forMs: 60_000, target: "c" });
    expect(await group.oneLeader(5000)).toBe(b);
  });
});
