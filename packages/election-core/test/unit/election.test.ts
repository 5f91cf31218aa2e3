import { describe, expect, it } from "vitest";
import { createElection, type Election, type ElectionOptions } from "../../src/index.js";
import { settle } from "../../src/testing/index.js";
import { setup } from "./setup.js";

async function startInOrder(elections: Election[]): Promise<void> {
  for (const e of elections) await e.start();
}

describe("election recipe (fake ZooKeeper)", () => {
  it("makes the lowest sequence the leader, with its node's czxid as epoch", async () => {
    const { elections, zk } = setup(3);
    await startInOrder(elections);
    expect(elections.map((e) => e.isLeader())).toEqual([true, false, false]);
    const [leader] = await elections[2]!.getParticipants();
    expect(leader!.id).toBe("p1");
    expect(elections[0]!.epoch).toBe(zk.nodes.get(leader!.node)!.czxid);
  });

  it("watches only its predecessor: when a middle participant leaves, the leader is untouched", async () => {
    const { elections, of } = setup(3);
    await startInOrder(elections);
    await elections[1]!.close();
    await settle();
    expect(elections[0]!.isLeader()).toBe(true);
    expect(of("p1", "leader")).toHaveLength(1);
    expect(elections[2]!.isLeader()).toBe(false);
    await elections[0]!.close();
    await settle();
    expect(elections[2]!.isLeader()).toBe(true);
  });

  it("a successor asks only for the line on a hand-over (its own node's stat is kept while its watch is silent): it leads one request after the leader's close", async () => {
    const { elections, session, zk } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    const ownNode = (await p2.getParticipants()).find((p) => p.isSelf)!.node;
    const s2 = session(p2);
    const sent: string[] = [];
    for (const name of ["getChildren", "exists", "getData"] as const) {
      const original = s2[name].bind(s2) as (path: string, watcher?: unknown) => Promise<unknown>;
      (s2 as unknown as Record<string, unknown>)[name] = (path: string, watcher?: unknown) => {
        sent.push(`${name} ${path}`);
        return original(path, watcher);
      };
    }
    await p1.close();
    await settle();
    // It leads on that one answer, with its node's czxid (read when it joined) as epoch.
    expect(p2.isLeader()).toBe(true);
    expect(sent).toEqual(["getChildren /apache_atlas/leader_elector_path"]);
    expect(p2.epoch).toBe(zk.nodes.get(ownNode)!.czxid);
    await p2.close();
  });

  it("does not lead with a node replaced at its path by another session while it waited (its own watch fired)", async () => {
    const { elections, zk, session } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    const ownNode = (await p2.getParticipants()).find((p) => p.isSelf)!.node;
    const original = zk.nodes.get(ownNode)!;
    // Deleted and created again at the same path by another session, the connection intact.
    zk.deleteNode(ownNode);
    zk.nodes.set(ownNode, { ...original, czxid: zk.nextZxid(), owner: "ffff" });
    await settle();
    await p1.close();
    await settle();
    expect(p2.isLeader()).toBe(true);
    const [leader] = await p2.getParticipants();
    expect(leader!.node).not.toBe(ownNode);
    expect(zk.nodes.get(leader!.node)!.owner).toBe(session(p2).id);
    expect(p2.epoch).toBe(zk.nodes.get(leader!.node)!.czxid);
  });

  it("close() tells the leadership work its term ended (the signal aborts) before the session close that deletes its node leaves", async () => {
    const { add, session } = setup();
    let signal: AbortSignal | null = null;
    const order: string[] = [];
    const p1 = add("p1", {
      onLeadership: async (term) => {
        signal = term.signal;
        term.signal.addEventListener("abort", () => order.push("aborted"));
      },
    });
    await p1.start();
    await settle();
    const s1 = session(p1);
    const close = s1.close.bind(s1);
    s1.close = () => {
      order.push("session closed");
      close();
    };
    await p1.close();
    expect(signal!.aborted).toBe(true);
    expect(order).toEqual(["aborted", "session closed"]);
  });

  it("without leadership work, a term has no abort signal to build or abort on the way to close()'s delete", async () => {
    const { add } = setup();
    const Original = globalThis.AbortController;
    let created = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        created++;
      }
    };
    try {
      const p1 = add("p1");
      await p1.start();
      expect(p1.isLeader()).toBe(true);
      await p1.close();
    } finally {
      globalThis.AbortController = Original;
    }
    expect(created).toBe(0);
  });

  it("close() sends nothing before the session close, which deletes its node (a delete first would be a second write the next participant's read could queue behind)", async () => {
    const { elections, session, zk } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    const s1 = session(p1);
    const seen: string[] = [];
    for (const name of [
      "remove",
      "exists",
      "getChildren",
      "getData",
      "setData",
      "sync",
      "close",
    ] as const) {
      const original = s1[name].bind(s1) as (...args: unknown[]) => unknown;
      (s1 as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        seen.push(name === "close" ? "close" : `${name} ${String(args[0])}`);
        return original(...args);
      };
    }
    const node = (await p1.getParticipants())[0]!.node;
    seen.length = 0;
    await p1.close();
    expect(seen).toEqual(["close"]);
    expect(zk.nodes.has(node)).toBe(false);
    await settle();
    expect(p2.isLeader()).toBe(true);
  });

  it("steps down at once on SUSPENDED and resumes with the same epoch when the same session reconnects", async () => {
    const { elections, session, of } = setup(2);
    await startInOrder(elections);
    const leader = elections[0]!;
    const epoch = leader.epoch;
    session(leader).disconnect();
    expect(leader.isLeader()).toBe(false);
    expect(of("p1", "suspended")[0]!.payload).toMatchObject({
      wasLeader: true,
      reason: "disconnected",
      epoch,
    });
    session(leader).connectNow();
    await settle();
    expect(leader.isLeader()).toBe(true);
    expect(leader.epoch).toBe(epoch);
    expect(of("p1", "leader").at(-1)!.payload).toMatchObject({ resumed: true, epoch });
    expect(elections[1]!.isLeader()).toBe(false);
    expect(of("p2", "leader")).toHaveLength(0);
  });

  it("declares LOST after a whole session timeout disconnected, and rejoins at the back", async () => {
    const { elections, session, of, clock, zk } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    const firstEpoch = p1.epoch!;
    const oldSession = session(p1);
    oldSession.disconnect();
    await clock.advance(2999);
    expect(of("p1", "lost")).toHaveLength(0);
    await clock.advance(1);
    expect(of("p1", "lost")[0]!.payload).toMatchObject({ reason: "timeout", wasLeader: false });
    // Meanwhile the server expires the old session: p2 leads with a higher epoch.
    zk.expire(oldSession.id);
    await settle();
    expect(p2.isLeader()).toBe(true);
    expect(p2.epoch!).toBeGreaterThan(firstEpoch);
    const participants = await p2.getParticipants();
    expect(participants.map((p) => p.id)).toEqual(["p2", "p1"]);
    expect(p1.isLeader()).toBe(false);
  });

  it("on session expiry drops everything, opens a new session and rejoins at the back", async () => {
    const { elections, session, of, zk, clock } = setup(2);
    await startInOrder(elections);
    const [p1, p2] = elections as [Election, Election];
    const oldId = session(p1).id;
    zk.expire(oldId);
    await clock.advance(0); // the new session opens on a later turn than the old one closed
    expect(of("p1", "lost")[0]!.payload).toMatchObject({ reason: "expired", wasLeader: true });
    expect(p1.zk.sessionId).not.toBe(oldId);
    expect(p2.isLeader()).toBe(true);
    expect((await p2.getParticipants()).map((p) => p.id)).toEqual(["p2", "p1"]);
  });

  it("stops trusting its leadership when nothing is confirmed for the lease, and resumes when answers come back", async () => {
    const { elections, session, of, clock } = setup(1);
    await startInOrder(elections);
    const leader = elections[0]!;
    session(leader).hung = true; // requests vanish: a stalled link the client has not noticed
    await clock.advance(1999);
    expect(leader.isLeader()).toBe(true);
    await clock.advance(2);
    expect(leader.isLeader()).toBe(false);
    expect(of("p1", "suspended")[0]!.payload).toMatchObject({ reason: "lease", wasLeader: true });
    session(leader).hung = false;
    await clock.advance(700); // the next heartbeat is answered
    expect(leader.isLeader()).toBe(true);
    expect(of("p1", "leader").at(-1)!.payload).toMatchObject({ resumed: true });
  });

  it("gives up after failed leadership work and retries with exponential, jittered, capped back-off", async () => {
    let attempts = 0;
    const e = setup(0);
    const broken = e.add("broken", {
      retryBaseMs: 100,
      retryMaxMs: 800,
      onLeadership: async () => {
        attempts++;
        throw new Error("cannot activate");
      },
    });
    await broken.start();
    await settle();
    expect(attempts).toBe(1);
    // random() is 0.5: delays are 75, 150, 300, 600, 600, … ms (3/4 of 100·2^(n-1), capped at 800).
    await e.clock.advance(74);
    expect(attempts).toBe(1);
    await e.clock.advance(1);
    expect(attempts).toBe(2);
    await e.clock.advance(150);
    expect(attempts).toBe(3);
    await e.clock.advance(300);
    expect(attempts).toBe(4);
    await e.clock.advance(10_000);
    // Capped: 600 ms apart from then on, so ~16 more in 10 s, not thousands.
    expect(attempts).toBeGreaterThan(15);
    expect(attempts).toBeLessThan(25);
    const errors = e
      .of("broken", "error")
      .map((x) => x.payload.error as { code: string; attempt: number; retryInMs: number });
    expect(errors.slice(0, 5).map((x) => x.retryInMs)).toEqual([75, 150, 300, 600, 600]);
    expect(errors.every((x) => x.code === "ELECTION_LEADERSHIP_FAILED")).toBe(true);
  });

  it("resets the failure count once leadership work succeeds", async () => {
    let calls = 0;
    const e = setup(0);
    const p = e.add("flaky", {
      retryBaseMs: 100,
      onLeadership: async () => {
        calls++;
        if (calls <= 2) throw new Error("not yet");
      },
    });
    await p.start();
    await e.clock.advance(1000);
    expect(calls).toBe(3);
    expect(p.isLeader()).toBe(true);
  });

  it("relinquish() gives up the term and rejoins behind the next participant after the back-off", async () => {
    const e = setup(2, { retryBaseMs: 100 });
    await startInOrder(e.elections);
    const [p1, p2] = e.elections as [Election, Election];
    await p1.relinquish(new Error("fenced by the store"));
    await settle();
    expect(p1.isLeader()).toBe(false);
    expect(p2.isLeader()).toBe(true);
    expect(e.of("p1", "error")[0]!.payload.error).toMatchObject({
      code: "ELECTION_LEADERSHIP_FAILED",
      attempt: 1,
    });
    await e.clock.advance(100);
    expect((await p2.getParticipants()).map((p) => p.id)).toEqual(["p2", "p1"]);
  });

  it("replaces a new session that never connects (a stalled native handle), and joins on the next", async () => {
    const e = setup(0);
    e.zk.deadHandles = 2;
    const p = e.add("p1");
    const started = p.start();
    await settle();
    expect(p.connectionState).toBe("CONNECTING");
    await e.clock.advance(3000); // one session timeout: replaced once, still dead
    expect(e.zk.handlesCreated).toBe(2);
    await e.clock.advance(5999); // the next wait is twice as long
    expect(e.zk.handlesCreated).toBe(2);
    await e.clock.advance(1); // replaced again: this one connects
    await started;
    expect(e.zk.handlesCreated).toBe(3);
    expect(p.isLeader()).toBe(true);
  });

  it("does not lead with a first node that another session owns", async () => {
    const e = setup(1);
    const p = e.elections[0]!;
    await p.start();
    const [me] = await p.getParticipants();
    // Simulate a node at our path owned by someone else (e.g. recreated by another session).
    e.zk.nodes.get(me!.node)!.owner = "ffff";
    e.session(p).disconnect();
    e.session(p).connectNow();
    await settle();
    const participants = await p.getParticipants();
    expect(participants).toHaveLength(1);
    expect(participants[0]!.node).not.toBe(me!.node);
    expect(e.zk.nodes.get(participants[0]!.node)!.owner).toBe(p.zk.sessionId);
    expect(p.isLeader()).toBe(true);
  });

  it("adopts the node of a create whose answer was lost, instead of leaving a twin ahead of itself", async () => {
    const e = setup(0);
    const p = e.add("p1");
    const started = p.start();
    await Promise.resolve();
    await Promise.resolve();
    const s = [...e.zk.sessions.values()][0]!;
    s.loseNextCreateAnswer = true;
    await settle();
    s.connectNow();
    await started;
    const participants = await p.getParticipants();
    expect(participants).toHaveLength(1);
    expect(participants[0]!.isSelf).toBe(true);
    expect(p.isLeader()).toBe(true);
  });

  it("close() deletes the node at once so the next participant leads", async () => {
    const e = setup(2);
    await startInOrder(e.elections);
    await e.elections[0]!.close();
    await settle();
    expect(e.elections[1]!.isLeader()).toBe(true);
    expect(e.elections[0]!.isLeader()).toBe(false);
    await expect(e.elections[0]!.start()).rejects.toMatchObject({ code: "ELECTION_CLOSED" });
  });
});

describe("options", () => {
  const base = { connect: "127.0.0.1:2181", id: "a" };
  it.each([
    [{ ...base, connect: "" }, "connect"],
    [{ ...base, connect: "zk1:2181,zk2" }, "connect"],
    [{ ...base, connect: "zk:99999" }, "connect"],
    [{ ...base, connect: "zk:2181/chroot" }, "connect"],
    [{ ...base, id: "" }, "id"],
    [{ ...base, zkRoot: "apache_atlas" }, "zkRoot"],
    [{ ...base, zkRoot: "/" }, "zkRoot"],
    [{ ...base, sessionTimeoutMs: 0 }, "sessionTimeoutMs"],
    [{ ...base, sessionTimeoutMs: 1.5 }, "sessionTimeoutMs"],
    [{ ...base, retryBaseMs: -1 }, "retryBaseMs"],
    [{ ...base, retryBaseMs: 1000, retryMaxMs: 10 }, "retryMaxMs"],
    [{ ...base, leaseMs: 30_000 }, "leaseMs"],
    [{ ...base, onLeadership: "no" as never }, "onLeadership"],
  ])("rejects %o naming %s", (options, option) => {
    expect(() => createElection(options as ElectionOptions)).toThrow(
      expect.objectContaining({
        name: "ElectionOptionsError",
        code: "ELECTION_BAD_OPTION",
        option,
      }),
    );
  });
});
