import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type AtlasInstance, waitFor } from "@atlas-ha/testkit";
import { startLocalCluster } from "../src/index.js";
import { useLocalCluster } from "../src/vitest.js";

/** `instance`'s health document once it reports an open ZooKeeper session (30 s deadline). */
function connected(instance: AtlasInstance, what: string) {
  return waitFor(
    async () => {
      const health = await instance.health();
      return health?.zookeeper === "CONNECTED" ? health : undefined;
    },
    { timeoutMs: 30_000, what },
  );
}

// Real servers: a standalone ZooKeeper, Kafka and two atlas-server instances, each instance
// talking to ZooKeeper through TcpProxies of its own, on free ports in a temp folder, guarded.
describe("a local cluster whose instances reach ZooKeeper through proxies (zkProxy: true)", () => {
  const cluster = useLocalCluster({
    instances: 2,
    zk: 1,
    sessionTimeoutMs: 3000,
    zkProxy: true,
    // An environment override of a configuration key (docs/contracts/config.md) shows that `env` reaches the process.
    env: { ATLAS_NOTIFICATION_CONSUMER_DISABLED: "true" },
  });

  it("configures each instance with its own proxies and passes the environment to every instance", async () => {
    const c = cluster();
    const [one, two] = [c.zkProxy("atlas-1"), c.zkProxy("atlas-2")];
    expect(one.proxies).toHaveLength(1);
    expect(one.proxies[0]!.targetPort).toBe(c.zookeeper.nodes[0]!.clientPort);
    expect(one.connectString).not.toBe(two.connectString);
    for (const name of ["atlas-1", "atlas-2"]) {
      const config = readFileSync(c.instance(name).configFile, "utf8");
      expect(config).toContain(
        `atlas.server.ha.zookeeper.connect=${c.zkProxy(name).connectString}\n`,
      );
      // The cluster is up once one instance is ACTIVE and every one answers: the other may
      // still be opening its session (its status answers before that, as PASSIVE).
      const health = await connected(
        c.instance(name),
        `${name}'s ZooKeeper session through its proxy`,
      );
      expect(health).toMatchObject({ zookeeper: "CONNECTED", hookConsumer: { state: "disabled" } });
      expect(c.zkProxy(name).proxies[0]!.connections).toBeGreaterThan(0);
    }
  });

  it("a cut longer than the session timeout partitions the active alone: the other takes over, and the healed one comes back PASSIVE", async () => {
    const c = cluster();
    const first = await c.waitForActive();
    await c.zkProxy(first.name).cut({ mode: "blackhole" });
    expect(c.zkProxy(first.name).isCut).toBe(true);
    const next = await c.waitForActive({ not: first.name, timeoutMs: 30_000 });
    expect(next.name).not.toBe(first.name);
    // Still answering over HTTP, and stepped down: passive, or on its way there (removing its
    // address from ZooKeeper waits for the link). Not ACTIVE, and not unreachable either.
    expect(["BECOMING_PASSIVE", "PASSIVE"]).toContain(await first.status());
    await c.zkProxy(first.name).restore();
    // A new session once the link works again (the old one expired meanwhile), as a PASSIVE.
    await connected(first, `${first.name} to reconnect`);
    expect(await first.status()).toBe("PASSIVE");
    expect((await c.waitForActive()).name).toBe(next.name);
  });

  it("asking for the proxies of an unknown instance is an UnknownMemberError", () => {
    expect(() => cluster().zkProxy("atlas-9")).toThrow(
      expect.objectContaining({ name: "UnknownMemberError" }),
    );
  });
});

describe("zkProxy options", () => {
  it("refuses zkProxy with detached (the proxies live in the launcher's process)", async () => {
    await expect(
      startLocalCluster({ instances: 1, zk: 1, zkProxy: true, detached: true }),
    ).rejects.toMatchObject({
      name: "ClusterOptionsError",
      code: "CLUSTER_BAD_OPTION",
      option: "zkProxy",
    });
  });
});
