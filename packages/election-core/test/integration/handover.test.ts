import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import {
  nativeSessionFactory,
  type Election,
  type ElectionOptions,
  type ZkSession,
  type ZkSessionFactory,
} from "../../src/index.js";
import { ChildParticipant, Participants, rawSession } from "./helpers.js";

/** The native session, with every request it sends recorded as "<operation> <path>". */
function recording(sent: string[]): ZkSessionFactory {
  return (options) => {
    const session = nativeSessionFactory(options);
    return new Proxy(session, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== "function") return value;
        const f = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          if (key !== "onEvent" && key !== "close") sent.push(`${String(key)} ${String(args[0])}`);
          return f.apply(target, args);
        };
      },
    });
  };
}

// Real server: a standalone ZooKeeper (tickTime 200 ms, so 2–4 s session timeouts are granted).
describe("leader election among three participants", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Participants;
  const children: ChildParticipant[] = [];
  const raws: ZkSession[] = [];
  /** A participant of `group` under `zkRoot`, with a 4 s session. */
  const join = (id: string, zkRoot: string, more: Partial<ElectionOptions> = {}) =>
    group.add({ connect: zk().connectString, id, zkRoot, sessionTimeoutMs: 4000, ...more });

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    await group?.closeAll();
    await Promise.all(children.splice(0).map((c) => c.stop()));
    for (const raw of raws.splice(0)) raw.close();
  });

  it("a successor sends one request between the leader's close and leading (the line), and leads with its node's czxid", async () => {
    group = new Participants();
    const zkRoot = "/one-request";
    const sent: string[] = [];
    const a = join("a", zkRoot);
    await a.start();
    const b = join("b", zkRoot, { sessionFactory: recording(sent) });
    let sentBeforeLeading: string[] | null = null;
    b.on("leader", () => (sentBeforeLeading ??= [...sent]));
    await b.start(); // b waits behind a, its watch set
    const own = (await b.getParticipants()).find((p) => p.isSelf)!.node;
    sent.length = 0;
    await a.close();
    await group.oneLeader(5000, [b]);
    // (The heartbeat, a sync and a read of "/" every 800 ms, may fall in between.)
    const heartbeat = (request: string) => request.endsWith(" /");
    expect(sentBeforeLeading!.filter((r) => !heartbeat(r))).toEqual([
      `getChildren ${zkRoot}/leader_elector_path`,
    ]);
    const raw = await rawSession(zk().connectString);
    raws.push(raw);
    expect(b.epoch).toBe((await raw.exists(own))!.czxid);
  });

  it("close() sends no request before ending the session, whose close deletes the node: the successor leads", async () => {
    group = new Participants();
    const zkRoot = "/close-alone";
    const sent: string[] = [];
    const a = join("a", zkRoot, { sessionFactory: recording(sent) });
    await a.start();
    const b = join("b", zkRoot);
    await b.start();
    const node = (await b.getParticipants())[0]!.node;
    sent.length = 0;
    await a.close();
    expect(sent.filter((r) => !r.endsWith(" /"))).toEqual([]); // (the heartbeat reads "/")
    const raw = await rawSession(zk().connectString);
    raws.push(raw);
    expect(await raw.exists(node)).toBeNull();
    await group.oneLeader(5000, [b]);
  });

  it("does not lead with a node that another session deleted and created again at its path while it waited", async () => {
    group = new Participants();
    const zkRoot = "/replaced-node";
    const a = join("a", zkRoot);
    await a.start();
    const b = join("b", zkRoot);
    await b.start();
    const own = (await b.getParticipants()).find((p) => p.isSelf)!.node;
    const raw = await rawSession(zk().connectString);
    raws.push(raw);
    // Sent together: the create reaches the server before b's look at the line, which b
    // sends only once its own node's watch has fired with the delete.
    await Promise.all([
      raw.remove(own, -1),
      raw.create(own, Buffer.from("b"), "ephemeral").then(() => undefined),
    ]);
    const foreign = (await raw.exists(own))!;
    expect(foreign.ephemeralOwner).toBe(raw.sessionId);
    await a.close();
    await group.oneLeader(5000, [b]);
    const [leader] = await b.getParticipants();
    expect(leader!.node).not.toBe(own);
    const stat = (await raw.exists(leader!.node))!;
    expect(stat.ephemeralOwner).toBe(b.zk.sessionId);
    expect(b.epoch).toBe(stat.czxid);
    expect(b.epoch).not.toBe(foreign.czxid);
  });

  it("has exactly one leader, and everyone agrees who it is", async () => {
    group = new Participants();
    const zkRoot = "/one-leader";
    for (const id of ["a", "b", "c"]) join(id, zkRoot);
    await Promise.all(group.all.map((e) => e.start()));
    const leader = await group.oneLeader(5000);
    expect(group.leaders()).toEqual([leader]);
    const participants = await group.all[1]!.getParticipants();
    expect(participants.map((p) => p.id).sort()).toEqual(["a", "b", "c"]);
    expect(participants.filter((p) => p.isLeader).map((p) => p.id)).toEqual([leader.id]);
    expect((await group.all[2]!.getLeader())?.id).toBe(leader.id);
    expect((await group.all[2]!.getLeader())?.epoch).toBe(leader.epoch);
    // Sequence order is join order; nodes follow Curator's naming so a Java Atlas could share the election.
    for (const p of participants)
      expect(p.node).toMatch(/^\/one-leader\/leader_elector_path\/_c_[0-9a-f-]{36}-latch-\d{10}$/);
  });

  it("hands over on close() with a higher epoch, in far less than the session timeout", async () => {
    group = new Participants();
    const zkRoot = "/close-handover";
    for (const id of ["a", "b", "c"]) join(id, zkRoot);
    await Promise.all(group.all.map((e) => e.start()));
    const first = await group.oneLeader(5000);
    const firstEpoch = first.epoch!;
    const sessionTimeoutMs = first.sessionTimeoutMs; // as ZooKeeper granted it
    // When a participant took over, from its own "leader" event (stamped as it happened, not
    // when this test polled).
    const tookOverAt = (e: Election) => {
      const event = group.events.find(
        (x) =>
          x.id === e.id &&
          x.type === "leader" &&
          (x.payload as { epoch: number }).epoch === e.epoch,
      );
      return (event!.payload as { at: number }).at;
    };
    // The node is deleted at close: the next leader does not wait for the session timeout (it
    // takes over in well under half of it; waiting for the session would take all of it).
    let closedAt = Date.now();
    await first.close();
    const second = await group.oneLeader(
      sessionTimeoutMs * 2,
      group.all.filter((e) => e !== first),
    );
    expect(second.epoch!).toBeGreaterThan(firstEpoch);
    expect(tookOverAt(second) - closedAt).toBeLessThan(sessionTimeoutMs / 2);
    expect(first.isLeader()).toBe(false);
    closedAt = Date.now();
    await second.close();
    const third = await group.oneLeader(
      sessionTimeoutMs * 2,
      group.all.filter((e) => e !== first && e !== second),
    );
    expect(third.epoch!).toBeGreaterThan(second.epoch!);
    expect(tookOverAt(third) - closedAt).toBeLessThan(sessionTimeoutMs / 2);
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
      { timeoutMs: sessionTimeoutMs * 4, intervalMs: 20, what: "a new leader after SIGKILL" },
    );
    // When the successor took over, from its own "leader" event (not from this test's polling).
    const leaderEvent = next.p.lines.find((l) => l.type === "leader")!;
    const handover = leaderEvent.at! - killedAt;
    // Bounds from the session timeout T, nothing else: ZooKeeper expires the dead session no
    // sooner than T after it last heard from it, and the client pings once idle for T/3, so not
    // before 2T/3 after the kill (T/2 here: no successor may lead while the old session lives);
    // and by T after the kill plus a tick, after which the successor's predecessor watch fires
    // at once. T more covers a loaded machine; a hand-over that waited for anything else (a
    // second session, a client timeout) takes longer.
    expect(handover).toBeGreaterThanOrEqual(sessionTimeoutMs / 2);
    expect(handover).toBeLessThan(sessionTimeoutMs * 2);
    expect(next.s.epoch!).toBeGreaterThan(oldEpoch);
    const other = next.p === p2 ? p3 : p2;
    expect((await other.status()).isLeader).toBe(false);
  });
});
