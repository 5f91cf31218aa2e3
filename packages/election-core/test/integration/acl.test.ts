import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { PERM, zkDigest, type ZkSession } from "../../src/index.js";
import { Participants, rawSession as foreignSession } from "./helpers.js";

// Real server: a standalone ZooKeeper, and a second, unauthenticated client of the raw C client.
describe("an election protected by a digest ACL", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Participants;
  let foreign: ZkSession | undefined;
  afterEach(async () => {
    foreign?.close();
    await group?.closeAll();
  });

  it("creates every node with the ACL, and a client without the credentials can neither join, delete nor change them", async () => {
    group = new Participants();
    const acl = `digest:${zkDigest("atlas", "s3cret")}`;
    const leader = group.add({
      connect: zk().connectString,
      id: "secure-1",
      zkRoot: "/secured",
      sessionTimeoutMs: 4000,
      acl,
      auth: "digest:atlas:s3cret",
    });
    await leader.start();
    await group.oneLeader(5000);
    const [me] = await leader.getParticipants();
    for (const path of ["/secured", "/secured/leader_elector_path", me!.node]) {
      const { acl: actual } = await leader.zk.getAcl(path);
      expect(actual).toEqual([
        { perms: PERM.ALL, scheme: "digest", id: zkDigest("atlas", "s3cret") },
      ]);
    }

    foreign = await foreignSession(zk().connectString);
    const reject = (p: Promise<unknown>) =>
      expect(p).rejects.toMatchObject({ name: "ZooKeeperError", code: "ZK_NOAUTH" });
    // Taking over needs a node ahead in the queue: creating any child is refused.
    await reject(
      foreign.create(
        "/secured/leader_elector_path/_c_x-latch-",
        Buffer.from("intruder"),
        "ephemeral_sequential",
      ),
    );
    await reject(foreign.remove(me!.node, -1));
    await reject(foreign.setData(me!.node, Buffer.from("intruder"), -1));
    await reject(foreign.getData(me!.node));
    await reject(foreign.remove("/secured/leader_elector_path", -1));
    expect(leader.isLeader()).toBe(true);
    expect((await leader.getLeader())?.id).toBe("secure-1");

    // A participant with the wrong password cannot join either.
    const wrong = group.add({
      connect: zk().connectString,
      id: "wrong",
      zkRoot: "/secured",
      sessionTimeoutMs: 4000,
      acl,
      auth: "digest:atlas:guess",
      retryBaseMs: 5000,
    });
    void wrong.start().catch(() => undefined);
    const { waitFor } = await import("@atlas-ha/testkit");
    await waitFor(() => group.events.some((e) => e.id === "wrong" && e.type === "error"), {
      timeoutMs: 10_000,
      what: "the wrong password to fail",
    });
    expect((await leader.getParticipants()).map((p) => p.id)).toEqual(["secure-1"]);
  });

  it("a participant whose credentials the ACL refuses stops with ELECTION_NOT_AUTHORIZED instead of retrying for ever, and the leader leads on", async () => {
    group = new Participants();
    const acl = `digest:${zkDigest("atlas", "s3cret")}`;
    const base = { connect: zk().connectString, zkRoot: "/refusing", sessionTimeoutMs: 4000 };
    const leader = group.add({ ...base, id: "secure-1", acl, auth: "digest:atlas:s3cret" });
    await leader.start();
    await group.oneLeader(5000);
    // Other credentials (the path's getAcl is refused), and none at all (the create is): each
    // used to fail the same step again every retry (10 ms here), start() never settling.
    for (const [id, options] of [
      [
        "other-password",
        { acl: `digest:${zkDigest("atlas", "other")}`, auth: "digest:atlas:other" },
      ],
      ["no-acl", {}],
    ] as const) {
      const refused = group.add({ ...base, id, retryBaseMs: 10, retryMaxMs: 20, ...options });
      const outcome = await Promise.race([
        refused.start().then(
          () => "started",
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve("still retrying after 15 s"), 15_000)),
      ]);
      expect(outcome, id).toMatchObject({
        name: "ElectionNotAuthorizedError",
        code: "ELECTION_NOT_AUTHORIZED",
        operation: expect.stringContaining("/refusing"),
      });
      expect(refused.isLeader()).toBe(false);
      // Out for good, its session ended: leaving the line (what a stopping server asks)
      // answers at once instead of waiting on a step that will never run.
      await expect(refused.stepAside()).rejects.toMatchObject({ code: "ELECTION_CLOSED" });
      const failed = group.logs.filter(
        (l) => l.includes(` ${id} `) && l.includes("election_step_failed"),
      );
      expect(failed, id).toEqual([]);
    }
    expect(leader.isLeader()).toBe(true);
    expect((await leader.getParticipants()).map((p) => p.id)).toEqual(["secure-1"]);
  });

  it("what a client without the credentials put in the root before the group secured it: a live session's node stops the start (AclConflictError), persistent leftovers are removed", async () => {
    // The squatter acts first, while /squatted and its election path do not exist yet: a
    // participant node that sorts before any real one (and names a real id), and an
    // active_server_info of its own, the way a passive would find it.
    foreign = await foreignSession(zk().connectString);
    await foreign.create("/squatted", Buffer.alloc(0), "persistent");
    await foreign.create("/squatted/leader_elector_path", Buffer.alloc(0), "persistent");
    const squatter = await foreign.create(
      "/squatted/leader_elector_path/_c_00000000-0000-0000-0000-000000000000-latch-",
      Buffer.from("secure-1"),
      "ephemeral_sequential",
    );
    await foreign.create(
      "/squatted/leader_elector_path/_c_11111111-0000-0000-0000-000000000000-latch-",
      Buffer.from("secure-1"),
      "persistent",
    );
    await foreign.create(
      "/squatted/active_server_info",
      Buffer.from("http://evil.example.com:80"),
      "persistent",
    );
    await foreign.create("/squatted/other", Buffer.alloc(0), "persistent");
    await foreign.create("/squatted/other/deeper", Buffer.alloc(0), "persistent");

    group = new Participants();
    const acl = `digest:${zkDigest("atlas", "s3cret")}`;
    const options = {
      connect: zk().connectString,
      id: "secure-1",
      zkRoot: "/squatted",
      sessionTimeoutMs: 4000,
      acl,
      auth: "digest:atlas:s3cret",
    };
    // A node of a live session is never deleted (it could be an instance running without
    // ACLs, which would then be deposed behind its back): the participant refuses to start.
    const refused = group.add(options);
    await expect(refused.start()).rejects.toMatchObject({
      name: "AclConflictError",
      code: "ELECTION_ACL_CONFLICT",
      path: squatter,
    });
    expect(refused.isLeader()).toBe(false);
    expect(await foreign.exists(squatter)).not.toBeNull();

    // Once that session is gone, the next start removes what is left and leads.
    foreign.close();
    foreign = undefined;
    const leader = group.add(options);
    await leader.start();
    await group.oneLeader(10_000, [leader]);
    const participants = await leader.getParticipants();
    expect(participants.map((p) => [p.id, p.isSelf])).toEqual([["secure-1", true]]);
    expect(participants[0]!.node).not.toBe(squatter);
    expect((await leader.zk.getChildren("/squatted")).sort()).toEqual(["leader_elector_path"]);
    // And nobody without the credentials can come back.
    foreign = await foreignSession(zk().connectString);
    await expect(
      foreign.create(
        "/squatted/active_server_info",
        Buffer.from("http://evil.example.com:80"),
        "persistent",
      ),
    ).rejects.toMatchObject({ code: "ZK_NOAUTH" });
    await expect(
      foreign.create(
        "/squatted/leader_elector_path/_c_x-latch-",
        Buffer.from("secure-1"),
        "ephemeral_sequential",
      ),
    ).rejects.toMatchObject({ code: "ZK_NOAUTH" });
  });

  it("a rolling restart that turns ACLs on (passive first) never deletes the active's node: the restarted participant refuses, the old leader keeps leading alone", async () => {
    group = new Participants();
    const base = { connect: zk().connectString, zkRoot: "/rolling-acl", sessionTimeoutMs: 4000 };
    const active = group.add({ ...base, id: "open-1" });
    await active.start();
    await group.oneLeader(10_000, [active]);
    // The passive, restarted with ACLs on.
    const secured = group.add({
      ...base,
      id: "secured-2",
      acl: `digest:${zkDigest("atlas", "s3cret")}`,
      auth: "digest:atlas:s3cret",
    });
    await expect(secured.start()).rejects.toMatchObject({
      name: "AclConflictError",
      code: "ELECTION_ACL_CONFLICT",
    });
    // Before the fix, the purge deleted open-1's node and secured-2 led beside it.
    expect(secured.isLeader()).toBe(false);
    expect(active.isLeader()).toBe(true);
    expect(await active.confirmLeadership()).toBe(true);
    expect((await active.getParticipants()).map((p) => p.id)).toEqual(["open-1"]);
  });

  it("refuses malformed ACL and auth options with an error naming the option", async () => {
    const { createElection } = await import("../../src/index.js");
    const base = { connect: "127.0.0.1:2181", id: "x" };
    expect(() => createElection({ ...base, acl: "digest:atlas" })).toThrow(
      expect.objectContaining({ code: "ELECTION_BAD_OPTION", option: "acl" }),
    );
    expect(() => createElection({ ...base, acl: "sasl:atlas" })).toThrow(/SASL/);
    expect(() =>
      createElection({ ...base, acl: `digest:${zkDigest("a", "b")}`, auth: "atlas" }),
    ).toThrow(expect.objectContaining({ option: "auth" }));
    expect(() => createElection({ ...base, auth: "digest:a:b" })).toThrow(
      expect.objectContaining({ option: "auth" }),
    );
  });
});
