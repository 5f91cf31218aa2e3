import { describe, expect, it } from "vitest";
import { createElection } from "../../src/index.js";
import { setup as setupGroup } from "./setup.js";

// The fake ZooKeeper, for the recipe's answers to the round-2 safety review; each case has a
// twin on real servers in test/integration/safety.test.ts.
// Quicker back-off than the default, so rejoins happen within a few manual-clock steps.
const setup = () => setupGroup(0, { retryBaseMs: 100 });

describe("election safety, round 2 (fake ZooKeeper)", () => {
  it("a delete lost with the connection is retried once the session is back: the given-up node never stays first", async () => {
    let fail = true;
    const { clock, add, session, zk, children } = setup();
    const a = add("a", {
      onLeadership: async () => {
        if (!fail) return;
        fail = false;
        throw new Error("store refused");
      },
    });
    const started = a.start();
    [...zk.sessions.values()][0]!.dropNextDelete = true; // the give-up's delete dies with the link
    await started;
    const stale = children()[0]!;
    const b = add("b");
    await b.start();
    await clock.advance(1);
    expect(a.isLeader()).toBe(false);
    session(a).connectNow(); // same session: RECONNECTED
    await clock.advance(1000); // past the back-off: rejoin
    expect(children()).not.toContain(stale);
    expect([a, b].filter((e) => e.isLeader())).toHaveLength(1);
  });

  it("deletes an older node of its own session found ahead of its current one", async () => {
    const { clock, add, session, zk, children } = setup();
    const first = add("first"); // takes sequence 0, then leaves
    await first.start();
    await first.close();
    const a = add("a");
    await a.start();
    const current = children()[0]!;
    // A twin of this session's, ahead in line (sequence 0): what a lost delete leaves behind.
    const node = zk.nodes.get(current)!;
    const stale = "/apache_atlas/leader_elector_path/_c_old-latch-0000000000";
    zk.nodes.set(stale, { ...node, czxid: node.czxid - 1 });
    session(a).disconnect();
    session(a).connectNow(); // RECONNECTED: the participant looks again
    await clock.advance(10);
    expect(children()).toEqual([current]);
    expect(a.isLeader()).toBe(true);
  });

  it("a leader refused by ZooKeeper (NOAUTH) steps down, leaves the line and stops; the next participant leads", async () => {
    const { clock, add, session, of, children, zk } = setup();
    const a = add("a");
    await a.start();
    const b = add("b");
    await b.start();
    expect(a.isLeader()).toBe(true);
    // Say another instance secured the election path with other credentials meanwhile.
    session(a).refuse = (operation) => operation.startsWith("children ");
    // Its own node's watch fires (its data changed): the leader looks at the line again,
    // still leading, and is refused.
    const own = children()[0]!;
    zk.fire("data", own, { type: "changed", path: own });
    await clock.advance(10);
    expect(a.isLeader()).toBe(false);
    expect(of("a", "follower").at(-1)?.payload).toMatchObject({ reason: "refused" });
    expect(of("a", "error").map((e) => (e.payload.error as { code?: string }).code)).toContain(
      "ELECTION_NOT_AUTHORIZED",
    );
    // Its session ended, its node with it: nobody waits behind a participant that stopped.
    expect(session(a).closed).toBe(true);
    expect(children()).toHaveLength(1);
    await clock.advance(10);
    expect(b.isLeader()).toBe(true);
  });

  it("renews the lease only with round trips that reach the quorum: reads a cut-off server answers do not count", async () => {
    const { clock, add, session } = setup();
    const a = add("a");
    await a.start();
    expect(a.isLeader()).toBe(true);
    session(a).cutFromQuorum = true; // reads still answered, syncs and writes never
    await clock.advance(1999); // lease = 2/3 of 3000 ms
    expect(a.isLeader()).toBe(true);
    await clock.advance(2);
    expect(a.isLeader()).toBe(false);
    await a.getParticipants(); // a read, answered: still no lease
    expect(a.isLeader()).toBe(false);
  });

  it("counts a host suspend (the wall clock moved, the monotonic one did not) against the lease", async () => {
    const { clock, add } = setup();
    const a = add("a");
    await a.start();
    clock.suspend(2500);
    expect(a.isLeader()).toBe(false);
  });

  it("checks an explicit lease against the session timeout the server granted, not the one asked for", async () => {
    const { clock, add, zk, session } = setup();
    const factory = zk.factory;
    // The server grants 3000 ms where 10 000 were asked (its maxSessionTimeout).
    zk.factory = (options) => factory({ ...options, sessionTimeoutMs: 3000 });
    const a = add("a", { sessionTimeoutMs: 10_000, leaseMs: 8000, sessionFactory: zk.factory });
    await a.start();
    expect(a.sessionTimeoutMs).toBe(3000);
    session(a).cutFromQuorum = true; // no heartbeat answered from now on
    await clock.advance(1900);
    expect(a.isLeader()).toBe(true);
    await clock.advance(200);
    expect(a.isLeader()).toBe(false); // the lease was 2000 (2/3 of 3000), not 8000
  });

  it("recreates the election path and rejoins when the path is deleted, instead of retrying NONODE forever", async () => {
    const { clock, add, zk, children } = setup();
    const a = add("a");
    const b = add("b");
    await a.start();
    await b.start();
    for (const path of children()) zk.deleteNode(path);
    zk.deleteNode("/apache_atlas/leader_elector_path");
    await clock.advance(5000);
    expect(children()).toHaveLength(2);
    expect([a, b].filter((e) => e.isLeader())).toHaveLength(1);
  });

  it("a join that finds the election path deleted between ensuring it and creating its node ensures it again, without a failed step", async () => {
    const { clock, add, zk, events, children } = setup();
    const a = add("a");
    const starting = a.start();
    const session = [...zk.sessions.values()][0]!;
    // Deleted right after the participant ensured it, just before its node is created.
    let deletions = 0;
    session.beforeCreate = (path) => {
      if (path.includes("-latch-") && deletions++ === 0)
        zk.deleteNode("/apache_atlas/leader_elector_path");
    };
    await starting;
    await clock.advance(10);
    expect(children()).toHaveLength(1);
    expect(a.isLeader()).toBe(true);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("a leader watches its own node and steps down when it is deleted", async () => {
    const { clock, add, zk, children } = setup();
    const a = add("a");
    const b = add("b");
    await a.start();
    await b.start();
    zk.deleteNode(children()[0]!);
    await clock.advance(10);
    expect(a.isLeader()).toBe(false);
    expect(b.isLeader()).toBe(true);
    expect(children()).toHaveLength(2); // a rejoined at the back
  });

  it("a leader whose node is deleted steps down on the deletion itself, not one round trip later: never beside the next leader", async () => {
    const { clock, add, session, zk, children } = setup();
    const a = add("a");
    const b = add("b");
    await a.start();
    await b.start();
    // a's link answers nothing more: its look at the line after the event never returns, while
    // b's watch on a's node fires with a's own and b leads after its round trip.
    session(a).hung = true;
    zk.deleteNode(children()[0]!);
    await clock.advance(10); // far inside a's lease
    expect(b.isLeader()).toBe(true);
    expect(a.isLeader()).toBe(false);
  });

  it("refuses a root ZooKeeper would refuse (a relative segment, a control character), naming the option", () => {
    for (const zkRoot of ["/apache_atlas/.", "/apache_atlas/../x", "/a\u0001b", "/a//b", "/a/"]) {
      expect(() => createElection({ connect: "zk:2181", id: "a", zkRoot })).toThrow(
        expect.objectContaining({
          name: "ElectionOptionsError",
          code: "ELECTION_BAD_OPTION",
          option: "zkRoot",
        }),
      );
    }
  });
});
