import { describe, expect, it } from "vitest";
import type { Election } from "../../src/index.js";
import { settle } from "../../src/testing/index.js";
import { setup } from "./setup.js";

async function startInOrder(elections: Election[]): Promise<void> {
  for (const e of elections) await e.start();
}

const leaders = (elections: Election[]) => elections.map((e) => e.isLeader());
const intents = (zk: { nodes: Map<string, unknown> }) =>
  [...zk.nodes.keys()].filter((p) => p.endsWith(".intent"));

describe("stepAside() (fake ZooKeeper)", () => {
  it("without a target: the leader leaves the line at once, the next one leads with a higher epoch, and it rejoins at the back when the window ends", async () => {
    const { elections, clock, children, of } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    const epoch = p1.epoch!;
    await p1.stepAside({ forMs: 5000 });
    expect(p1.isLeader()).toBe(false);
    expect(of("p1", "follower").at(-1)!.payload).toMatchObject({ reason: "stepped_aside" });
    await settle();
    expect(p2.isLeader()).toBe(true);
    expect(p2.epoch!).toBeGreaterThan(epoch);
    expect(children()).toHaveLength(1);
    await clock.advance(4999);
    expect(children()).toHaveLength(1);
    await clock.advance(1);
    await settle();
    expect(children()).toHaveLength(2);
    expect(leaders(elections)).toEqual([false, true]);
    expect((await p1.getParticipants()).map((p) => p.id)).toEqual(["p2", "p1"]);
  });

  it("without a window: stays out of line until close(), also across a new session", async () => {
    const { elections, clock, children, session } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    await p1.stepAside();
    await settle();
    expect(p2.isLeader()).toBe(true);
    session(p1).expireNow();
    await clock.advance(60_000);
    await settle();
    expect(children()).toHaveLength(1);
    expect(p1.isLeader()).toBe(false);
  });

  it("with a target further back: the participants ahead of it move back once, the target leads, and the intent is gone afterwards", async () => {
    const { elections, zk, clock, of } = setup(3);
    await startInOrder(elections);
    const [p1, p2, p3] = elections as [Election, Election, Election];
    await p1.stepAside({ forMs: 5000, target: "p3" });
    await settle();
    expect(leaders(elections)).toEqual([false, false, true]);
    expect(of("p2", "leader")).toHaveLength(0);
    expect((await p3.getParticipants()).map((p) => p.id)).toEqual(["p3", "p2"]);
    expect(intents(zk)).toEqual([]);
    await clock.advance(5000);
    await settle();
    expect((await p2.getParticipants()).map((p) => p.id)).toEqual(["p3", "p2", "p1"]);
    expect(leaders(elections)).toEqual([false, false, true]);
  });

  it("with a target that is not in line: the next participant leads, nobody moves back", async () => {
    const { elections } = setup(3);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    await p1.stepAside({ forMs: 5000, target: "p9" });
    await settle();
    expect(leaders(elections)).toEqual([false, true, false]);
    expect((await p2.getParticipants()).map((p) => p.id)).toEqual(["p2", "p3"]);
  });

  it("with a target that leaves before leading: the one that moved back leads (it moves back only once per intent)", async () => {
    const { elections, session, zk } = setup(3);
    await startInOrder(elections);
    const [p1, p2, p3] = elections as [Election, Election, Election];
    // The target cannot lead: its connection is suspended, so it stays first without leading.
    session(p3).disconnect();
    await p1.stepAside({ forMs: 5000, target: "p3" });
    await settle();
    expect(leaders(elections)).toEqual([false, false, false]);
    zk.expire(p3.zk.sessionId); // its node goes; p2 is first again and leads this time
    await settle();
    expect(p2.isLeader()).toBe(true);
  });

  it("a participant that is not leading can step aside too; the leader keeps leading", async () => {
    const { elections, children } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    await p2.stepAside({ forMs: 1000 });
    await settle();
    expect(leaders(elections)).toEqual([true, false]);
    expect(children()).toHaveLength(1);
    expect(p1.isLeader()).toBe(true);
  });

  it("refuses a window that is not a positive number, naming the option, and stays in line", async () => {
    const { elections } = setup(2);
    await startInOrder(elections);
    const [p1] = elections as [Election];
    await expect(p1.stepAside({ forMs: 0 })).rejects.toMatchObject({
      name: "ElectionOptionsError",
      code: "ELECTION_BAD_OPTION",
      option: "forMs",
    });
    expect(p1.isLeader()).toBe(true);
  });
});
