import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { PERM, zkDigest, type ZkSession } from "../../src/index.js";
import { rawSession } from "./helpers.js";

// Real server: a standalone ZooKeeper. The `zookeeper` binding crashed the whole process
// (SIGSEGV) when ZooKeeper refused a getACL: a node a squatter locked to its own credentials
// could take down every instance that looked at its ACL.
describe("a node this session may not read", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  const sessions: ZkSession[] = [];
  afterEach(() => {
    for (const s of sessions.splice(0)) s.close();
  });

  it("getAcl rejects with ZK_NOAUTH instead of crashing the process", async () => {
    const owner = await rawSession(zk().connectString);
    sessions.push(owner);
    await owner.addAuth("digest", "squatter:pw");
    await owner.create("/locked", Buffer.from("x"), "persistent");
    await owner.setAcl(
      "/locked",
      [{ perms: PERM.ALL, scheme: "digest", id: zkDigest("squatter", "pw") }],
      -1,
    );
    const other = await rawSession(zk().connectString);
    sessions.push(other);
    await expect(other.getAcl("/locked")).rejects.toMatchObject({
      name: "ZooKeeperError",
      code: "ZK_NOAUTH",
    });
    expect((await owner.getAcl("/locked")).acl).toHaveLength(1);
  });
});
