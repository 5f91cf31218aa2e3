import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { PERM, nativeSessionFactory, zkDigest, type ZkSession } from "@atlas-ha/election-core";
import { afterEach, describe, expect, it } from "vitest";
import type { Transition } from "../../src/index.js";
import { Group, recorder } from "./helpers.js";

function rawSession(connect: string): Promise<ZkSession> {
  const session = nativeSessionFactory({ connectString: connect, sessionTimeoutMs: 4000 });
  return new Promise((resolve) => session.onEvent((e) => e === "connected" && resolve(session)));
}

async function readNode(session: ZkSession, path: string): Promise<string | null> {
  try {
    return (await session.getData(path)).data.toString("utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ZK_NONODE") return null;
    throw error;
  }
}

// Real server: a 3-node ZooKeeper ensemble (tickTime 200 ms).
describe("ha-state over a real ZooKeeper ensemble", () => {
  const zk = useZooKeeper({ nodes: 3, tickTime: 200 });
  let group: Group;
  const sessions: ZkSession[] = [];

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    for (const s of sessions.splice(0)) s.close();
    await group?.stopAll();
  });

  it("makes exactly one instance ACTIVE, runs its handlers in ascending order, and publishes its address", async () => {
    group = new Group();
    const log: string[] = [];
    const zkRoot = "/ha-one";
    for (const id of ["id1", "id2", "id3"]) {
      const r = recorder(id, log);
      group.add({
        serverId: id,
        selfAddress: `http://127.0.0.1:2100${id.slice(2)}`,
        zookeeper: { connect: zk().connectString, zkRoot, sessionTimeoutMs: 4000 },
        handlers: [r.handler("consumer", 2), r.handler("store", 1), r.handler("cache", 3)],
      });
    }
    for (const ha of group.instances) await ha.start();
    const active = await group.oneActive(10_000);
    const id = active.serverId;
    expect(log).toEqual([
      `${id}:store:activate`,
      `${id}:consumer:activate`,
      `${id}:cache:activate`,
    ]);
    const raw = await rawSession(zk().connectString);
    sessions.push(raw);
    expect(await readNode(raw, `${zkRoot}/active_server_info`)).toBe(
      `http://127.0.0.1:2100${id.slice(2)}`,
    );
    // Passives watch and cache it: snapshot() answers synchronously, no ZooKeeper read per call.
    for (const ha of group.instances.filter((i) => i !== active)) {
      await waitFor(() => ha.snapshot().activeAddress === `http://127.0.0.1:2100${id.slice(2)}`, {
        timeoutMs: 5000,
        what: "passives to see the address",
      });
      const snap = ha.snapshot();
      expect(snap.state).toBe("PASSIVE");
      expect(snap.leaderId).toBe(id);
      expect(snap.zookeeper).toBe("CONNECTED");
    }
    const snap = active.snapshot();
    expect(snap).toMatchObject({
      serverId: id,
      state: "ACTIVE",
      leaderId: id,
      haEnabled: true,
      zookeeper: "CONNECTED",
    });
    expect(snap.epoch).toBeGreaterThan(0);
  });

  it("hands over on stop(): passivation in descending order, then a new ACTIVE with a higher epoch and its address", async () => {
    group = new Group();
    const log: string[] = [];
    const zkRoot = "/ha-stop";
    const transitions: (Transition & { id: string })[] = [];
    const sessionTimeoutMs = 4000;
    for (const id of ["id1", "id2"]) {
      const r = recorder(id, log);
      const ha = group.add({
        serverId: id,
        selfAddress: `http://127.0.0.1:2200${id.slice(2)}`,
        zookeeper: { connect: zk().connectString, zkRoot, sessionTimeoutMs },
        handlers: [r.handler("a", 1), r.handler("b", 2)],
      });
      ha.on("transition", (t) => transitions.push({ ...t, id }));
    }
    await group.instances[0]!.start();
    await group.instances[1]!.start();
    const first = await group.oneActive(10_000);
    const firstEpoch = first.snapshot().epoch!;
    const other = group.instances.find((i) => i !== first)!;
    log.length = 0;
    const stoppedAt = Date.now();
    await first.stop();
    expect(log.slice(0, 2)).toEqual([
      `${first.serverId}:b:passivate`,
      `${first.serverId}:a:passivate`,
    ]);
    const second = await group.oneActive(sessionTimeoutMs * 2, [other]);
    expect(second.snapshot().epoch!).toBeGreaterThan(firstEpoch);
    // stop() deletes the election node: the other takes over at once, not after the session
    // timeout. Measured from its own transition event (stamped as it happened).
    const takeover = transitions.find(
      (t) => t.id === second.serverId && t.to === "BECOMING_ACTIVE",
    )!;
    expect(takeover.at - stoppedAt).toBeLessThan(sessionTimeoutMs / 2);
    await waitFor(
      () => second.snapshot().activeAddress === `http://127.0.0.1:2200${second.serverId.slice(2)}`,
      { timeoutMs: 5000, what: "the new address" },
    );
    const raw = await rawSession(zk().connectString);
    sessions.push(raw);
    expect(await readNode(raw, `${zkRoot}/active_server_info`)).toBe(
      `http://127.0.0.1:2200${second.serverId.slice(2)}`,
    );
    // Every transition is an event with a timestamp, in the order of docs/contracts/states.md.
    const firstPath = transitions
      .filter((t) => t.id === first.serverId)
      .map((t) => `${t.from}>${t.to}`);
    expect(firstPath).toEqual([
      "PASSIVE>BECOMING_ACTIVE",
      "BECOMING_ACTIVE>ACTIVE",
      "ACTIVE>BECOMING_PASSIVE",
      "BECOMING_PASSIVE>PASSIVE",
    ]);
    expect(transitions.every((t) => typeof t.at === "number" && t.at > 0)).toBe(true);
  });

  it("passivates what it activated when a handler fails, lets another become active, and does not retry in a tight loop", async () => {
    group = new Group();
    const log: string[] = [];
    const zkRoot = "/ha-failing";
    let attempts = 0;
    const r1 = recorder("bad", log);
    const bad = group.add({
      serverId: "bad",
      selfAddress: "http://127.0.0.1:23001",
      zookeeper: {
        connect: zk().connectString,
        zkRoot,
        sessionTimeoutMs: 4000,
        retryBaseMs: 200,
        retryMaxMs: 1600,
      },
      handlers: [
        r1.handler("store", 1),
        r1.handler("consumer", 2, {
          instanceIsActive: () => {
            attempts++;
            throw new Error("broker unreachable");
          },
        }),
        r1.handler("never", 3),
      ],
    });
    const errors: { code?: string }[] = [];
    bad.on("error", ({ error }) => errors.push(error as { code?: string }));
    await bad.start();
    await waitFor(() => attempts >= 2, { timeoutMs: 10_000, what: "two failed activations" });
    expect(log.slice(0, 4)).toEqual([
      "bad:store:activate",
      "bad:consumer:activate",
      "bad:consumer:passivate",
      "bad:store:passivate",
    ]);
    expect(log).not.toContain("bad:never:activate");
    expect(errors.some((e) => e.code === "HA_HANDLER_FAILED")).toBe(true);
    expect(bad.snapshot().state).not.toBe("ACTIVE");

    const good = group.add({
      serverId: "good",
      selfAddress: "http://127.0.0.1:23002",
      zookeeper: { connect: zk().connectString, zkRoot, sessionTimeoutMs: 4000 },
    });
    await good.start();
    expect((await group.oneActive(10_000)).serverId).toBe("good");
    const attemptsThen = attempts;
    await waitFor(async () => (await good.election!.getParticipants()).length === 2, {
      timeoutMs: 10_000,
      what: "bad to rejoin behind",
    });
    expect(attempts).toBe(attemptsThen);
    expect(attempts).toBeLessThan(8);
  });

  it("treats a handler that does not finish in time as a failure", async () => {
    group = new Group();
    const log: string[] = [];
    const r = recorder("slow", log);
    let aborted = false;
    const slow = group.add({
      serverId: "slow",
      selfAddress: "http://127.0.0.1:23101",
      zookeeper: {
        connect: zk().connectString,
        zkRoot: "/ha-timeout",
        sessionTimeoutMs: 4000,
        retryBaseMs: 5000,
      },
      handlers: [
        r.handler("hangs", 1, {
          timeoutMs: 200,
          instanceIsActive: ({ signal }) =>
            new Promise<void>((resolve) =>
              signal.addEventListener("abort", () => {
                aborted = true;
                resolve();
              }),
            ),
        }),
      ],
    });
    const errors: { code?: string; handler?: string }[] = [];
    slow.on("error", ({ error }) => errors.push(error as never));
    await slow.start();
    await waitFor(() => errors.some((e) => e.code === "HA_HANDLER_TIMEOUT"), {
      timeoutMs: 5000,
      what: "a handler timeout",
    });
    expect(errors.find((e) => e.code === "HA_HANDLER_TIMEOUT")).toMatchObject({ handler: "hangs" });
    await waitFor(() => slow.snapshot().state === "PASSIVE", {
      timeoutMs: 5000,
      what: "PASSIVE after the timeout",
    });
    expect(aborted).toBe(true); // its signal told it to stop
    expect(log).toEqual(["slow:hangs:activate", "slow:hangs:passivate"]);
  });

  it("reports BECOMING_PASSIVE the instant its lease lapses (as after a pause), then resumes the same term", async () => {
    group = new Group();
    let skew = 0;
    const clock = {
      now: () => performance.now() + skew,
      wallTime: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    const log: string[] = [];
    const r = recorder("p", log);
    const ha = group.add({
      serverId: "paused",
      selfAddress: "http://127.0.0.1:23401",
      zookeeper: {
        connect: zk().connectString,
        zkRoot: "/ha-lease",
        sessionTimeoutMs: 4000,
        election: { clock },
      },
      handlers: [r.handler("work", 1)],
    });
    await ha.start();
    await group.oneActive(10_000);
    const epoch = ha.snapshot().epoch;
    // Time jumps as it does for a process woken from SIGSTOP: no event has run yet.
    skew += 10_000;
    expect(ha.snapshot().state).toBe("BECOMING_PASSIVE");
    expect(ha.isActive()).toBe(false);
    // Its session is in fact alive (no one else can have led meanwhile): the next answered
    // heartbeat renews the lease and the same term goes on, with the same epoch.
    await waitFor(() => ha.isActive(), { timeoutMs: 10_000, what: "the term to resume" });
    expect(ha.snapshot().epoch).toBe(epoch);
    expect(log[0]).toBe("p:work:activate");
  });

  it("replaces an active_server_info left by another session", async () => {
    group = new Group();
    const zkRoot = "/ha-stale";
    const raw = await rawSession(zk().connectString);
    sessions.push(raw);
    await raw.create(zkRoot, Buffer.alloc(0), "persistent");
    await raw.create(
      `${zkRoot}/active_server_info`,
      Buffer.from("http://10.9.9.9:21000"),
      "ephemeral",
    );
    const ha = group.add({
      serverId: "fresh",
      selfAddress: "http://127.0.0.1:23201",
      zookeeper: { connect: zk().connectString, zkRoot, sessionTimeoutMs: 4000 },
    });
    await ha.start();
    await group.oneActive(10_000);
    expect(await readNode(raw, `${zkRoot}/active_server_info`)).toBe("http://127.0.0.1:23201");
    const { stat } = await raw.getData(`${zkRoot}/active_server_info`);
    expect(stat.ephemeralOwner).toBe(ha.election!.zk.sessionId);
  });

  it("with a digest ACL, active_server_info is readable by everyone (world READ, as Atlas sets it) but only the group can delete or rewrite it; participant nodes stay closed", async () => {
    group = new Group();
    const zkRoot = "/ha-acl";
    const digest = zkDigest("atlas", "pw");
    const options = (serverId: string, port: number) => ({
      serverId,
      selfAddress: `http://127.0.0.1:${port}`,
      zookeeper: {
        connect: zk().connectString,
        zkRoot,
        sessionTimeoutMs: 4000,
        acl: `digest:${digest}`,
        auth: "digest:atlas:pw",
      },
    });
    const ha = group.add(options("secure", 23301));
    await ha.start();
    await group.oneActive(10_000);
    const raw = await rawSession(zk().connectString);
    sessions.push(raw);
    const path = `${zkRoot}/active_server_info`;
    // Atlas's ActiveInstanceState: the configured ACL, then world:anyone with READ.
    expect((await ha.election!.zk.getAcl(path)).acl).toEqual([
      { perms: PERM.ALL, scheme: "digest", id: digest },
      { perms: PERM.READ, scheme: "world", id: "anyone" },
    ]);
    expect((await raw.getData(path)).data.toString()).toBe("http://127.0.0.1:23301");
    await expect(raw.remove(path, -1)).rejects.toMatchObject({ code: "ZK_NOAUTH" });
    await expect(raw.setData(path, Buffer.from("http://evil:1"), -1)).rejects.toMatchObject({
      code: "ZK_NOAUTH",
    });
    await expect(
      raw.setAcl(path, [{ perms: PERM.ALL, scheme: "world", id: "anyone" }], -1),
    ).rejects.toMatchObject({ code: "ZK_NOAUTH" });
    await expect(
      raw.create(`${zkRoot}/active_server_info_x`, Buffer.from("x"), "ephemeral"),
    ).rejects.toMatchObject({ code: "ZK_NOAUTH" });
    const [me] = await ha.election!.getParticipants();
    expect((await ha.election!.zk.getAcl(me!.node)).acl).toEqual([
      { perms: PERM.ALL, scheme: "digest", id: digest },
    ]);
    await expect(raw.getData(me!.node)).rejects.toMatchObject({ code: "ZK_NOAUTH" });
    expect((await ha.election!.zk.getData(path)).data.toString()).toBe("http://127.0.0.1:23301");

    // A second instance takes the node's ACL for the group's own (no ELECTION_ACL_CONFLICT),
    // joins as passive and reads the address — also when it finds the root with another ACL
    // (opened by an operator) and so checks every live node under it before securing it.
    const operator = await rawSession(zk().connectString);
    sessions.push(operator);
    await operator.addAuth("digest", "atlas:pw");
    await operator.setAcl(
      zkRoot,
      [
        { perms: PERM.ALL, scheme: "digest", id: digest },
        { perms: PERM.READ, scheme: "digest", id: zkDigest("operator", "x") },
      ],
      -1,
    );
    const passive = group.add(options("secure-2", 23302));
    await passive.start();
    await waitFor(() => passive.snapshot().activeAddress === "http://127.0.0.1:23301", {
      timeoutMs: 10_000,
      what: "the passive to read active_server_info",
    });
    expect(passive.snapshot().state).toBe("PASSIVE");
    expect((await operator.getAcl(zkRoot)).acl).toEqual([
      { perms: PERM.ALL, scheme: "digest", id: digest },
    ]);
    expect((await raw.getData(path)).data.toString()).toBe("http://127.0.0.1:23301");
  });

  it("an active_server_info left by an earlier version (the group's ACL without world READ) is replaced on publish with the world-readable one", async () => {
    group = new Group();
    const zkRoot = "/ha-acl-upgrade";
    const digest = zkDigest("atlas", "pw");
    const raw = await rawSession(zk().connectString);
    sessions.push(raw);
    await raw.addAuth("digest", "atlas:pw");
    const closed = [{ perms: PERM.ALL, scheme: "digest", id: digest }];
    await raw.create(zkRoot, Buffer.alloc(0), "persistent");
    await raw.setAcl(zkRoot, closed, -1);
    await raw.create(`${zkRoot}/active_server_info`, Buffer.from("http://10.9.9.9:1"), "ephemeral");
    await raw.setAcl(`${zkRoot}/active_server_info`, closed, -1);
    const ha = group.add({
      serverId: "upgraded",
      selfAddress: "http://127.0.0.1:23311",
      zookeeper: {
        connect: zk().connectString,
        zkRoot,
        sessionTimeoutMs: 4000,
        acl: `digest:${digest}`,
        auth: "digest:atlas:pw",
      },
    });
    await ha.start();
    await group.oneActive(10_000);
    const path = `${zkRoot}/active_server_info`;
    await waitFor(async () => (await readNode(raw, path)) === "http://127.0.0.1:23311", {
      timeoutMs: 10_000,
      what: "the new active to publish its address",
    });
    expect((await raw.getAcl(path)).acl).toEqual([
      ...closed,
      { perms: PERM.READ, scheme: "world", id: "anyone" },
    ]);
  });
});

describe("ha-state without HA", () => {
  it("is ACTIVE at once in standalone mode and touches no ZooKeeper", async () => {
    const log: string[] = [];
    const r = recorder("solo", log);
    const { createHaState } = await import("../../src/index.js");
    const ha = createHaState({
      serverId: "solo",
      selfAddress: "http://127.0.0.1:21000",
      handlers: [r.handler("b", 2), r.handler("a", 1)],
    });
    await ha.start();
    expect(ha.snapshot()).toMatchObject({
      state: "ACTIVE",
      zookeeper: "STANDALONE",
      haEnabled: false,
      epoch: 0,
      leaderId: "solo",
      activeAddress: "http://127.0.0.1:21000",
    });
    expect(ha.election).toBeNull();
    expect(log).toEqual(["solo:a:activate", "solo:b:activate"]);
    await ha.stop();
    expect(ha.snapshot().state).toBe("PASSIVE");
    expect(log.slice(2)).toEqual(["solo:b:passivate", "solo:a:passivate"]);
  });

  it("refuses bad options naming the option", async () => {
    const { createHaState } = await import("../../src/index.js");
    expect(() => createHaState({ serverId: "", selfAddress: "http://a:1" })).toThrow(
      expect.objectContaining({ code: "HA_BAD_OPTION", option: "serverId" }),
    );
    expect(() => createHaState({ serverId: "x", selfAddress: "a:1" })).toThrow(
      expect.objectContaining({ option: "selfAddress" }),
    );
    expect(() => createHaState({ serverId: "x", selfAddress: "http://a:1/path" })).toThrow(
      expect.objectContaining({ option: "selfAddress" }),
    );
    expect(() =>
      createHaState({ serverId: "x", selfAddress: "http://a:1", handlerTimeoutMs: 0 }),
    ).toThrow(expect.objectContaining({ option: "handlerTimeoutMs" }));
    expect(() =>
      createHaState({
        serverId: "x",
        selfAddress: "http://a:1",
        handlers: [{ name: "h" } as never],
      }),
    ).toThrow(expect.objectContaining({ option: "handlers[0]" }));
  });
});
