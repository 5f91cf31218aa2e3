import { afterAll, describe, expect, it } from "vitest";
import { portHolder, startZooKeeper, waitFor, type ZooKeeperEnsemble } from "../src/index.js";
import { connectClient, createNode, readNode, type ZooKeeper } from "./zk-client.js";

// Real servers: a 3-node ZooKeeper ensemble (Java, jars from Maven Central), on free ports.
describe("a 3-node ZooKeeper ensemble", () => {
  let zk: ZooKeeperEnsemble;
  let client: ZooKeeper | undefined;

  afterAll(async () => {
    client?.close();
    await zk?.shutdown();
  });

  it("starts with one leader and two followers, all serving", async () => {
    zk = await startZooKeeper({ nodes: 3 });
    const modes = await Promise.all(zk.nodes.map((n) => n.mode()));
    expect(modes.filter((m) => m === "leader")).toHaveLength(1);
    expect(modes.filter((m) => m === "follower")).toHaveLength(2);
    for (const node of zk.nodes) {
      expect(await node.fourLetterWord("ruok")).toBe("imok");
    }
    client = await connectClient(zk.connectString);
    await createNode(client, "/before", "1", 5000);
  });

  it("survives the loss of its leader and keeps taking writes", async () => {
    const leader = await zk.leader();
    await leader.kill();
    expect(leader.process.running).toBe(false);
    const survivors = zk.nodes.filter((n) => n !== leader);
    // The two survivors elect a new leader among themselves.
    const newLeader = await zk.leader(30_000);
    expect(survivors).toContain(newLeader);
    await waitFor(() => createNode(client!, "/after-leader-loss", "2", 2000), {
      timeoutMs: 30_000,
      what: "a write to succeed with 2 of 3 nodes",
    });
    expect(await readNode(client!, "/before")).toBe("1");
  });

  it("stops serving writes without quorum, and serves again once quorum returns", async () => {
    const down = zk.nodes.find((n) => !n.process.running)!;
    const [lastStanding, second] = zk.nodes.filter((n) => n.process.running);
    await second!.kill();
    await lastStanding!.waitNotServing(30_000);
    expect(await lastStanding!.mode()).toBeNull();
    // The node left alone refuses the client's connections, so the client fails the write with
    // a connection loss (long before the 10 s of no answer that would be a TIMEOUT).
    await expect(createNode(client!, "/without-quorum", "3", 10_000)).rejects.toMatchObject({
      name: "ZooKeeperCallError",
      code: "ZCONNECTIONLOSS",
    });

    // Restart with the same data: the old node rejoins and quorum is back.
    await down.start();
    await lastStanding!.waitServing(60_000);
    await down.waitServing(60_000);
    await waitFor(() => createNode(client!, "/after-quorum", "4", 2000), {
      timeoutMs: 30_000,
      what: "a write after quorum returned",
    });
    // The write refused without quorum was not applied later either.
    await expect(readNode(client!, "/without-quorum")).rejects.toMatchObject({
      name: "ZooKeeperCallError",
      code: "ZNONODE",
    });
    // Data written before the outage is still there: restart kept each node's data dir.
    expect(await readNode(client!, "/after-leader-loss")).toBe("2");
    await second!.start();
    await second!.waitServing(60_000);
  });

  it("sees a paused (SIGSTOP) node as unreachable and serving again after resume", async () => {
    const node = zk.nodes[0]!;
    expect(await node.mode()).not.toBeNull();
    // The answers come from this node's own process (after the restarts above, another
    // test's server on the same port would answer for it and survive the pause).
    expect(portHolder(node.clientPort)?.pid).toBe(node.process.pid);
    node.pause();
    await expect(node.fourLetterWord("ruok", 500)).rejects.toThrow(/no answer/);
    expect(await node.mode(500)).toBeNull();
    node.resume();
    await node.waitServing(30_000);
    expect(await node.fourLetterWord("ruok")).toBe("imok");
  });
});

describe("a standalone ZooKeeper", () => {
  it("serves in standalone mode and restarts on the same data", async () => {
    const zk = await startZooKeeper({ nodes: 1 });
    try {
      expect(await zk.nodes[0]!.mode()).toBe("standalone");
      const client = await connectClient(zk.connectString);
      await createNode(client, "/kept", "yes", 5000);
      client.close();
      await zk.nodes[0]!.restart();
      await zk.nodes[0]!.waitServing();
      const again = await connectClient(zk.connectString);
      expect(await readNode(again, "/kept")).toBe("yes");
      again.close();
    } finally {
      await zk.shutdown();
    }
  });
});
