/**
 * A hook message whose write the store refuses for a stale epoch makes the instance give up
 * its term (README "Safety": when the store refuses it, it steps down), and the message is
 * applied under the next term. Found by the chaos run: the server read the consumer's
 * `fenced` event without its payload, threw in the listener and stayed ACTIVE with a stopped
 * consumer. Real servers: a standalone ZooKeeper, Kafka and one atlas-server process (SQLite),
 * started by the local-cluster launcher.
 */
import { join } from "node:path";
import { createStore } from "@atlas-ha/atlas-server";
import { encodeHookMessage } from "@atlas-ha/hook-consumer";
import { atlasCall as call, waitFor } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import { useLocalCluster } from "../../src/vitest.js";

function hookCreate(name: string): string {
  const body = {
    type: "ENTITY_CREATE_V2",
    user: "hook",
    entities: {
      entities: [
        {
          typeName: "hive_db",
          guid: "-1",
          attributes: { qualifiedName: `${name}@hooks`, name, clusterName: "hooks" },
        },
      ],
      referredEntities: {},
    },
  };
  return encodeHookMessage(body, { compression: "NONE" })[0]!;
}

describe("a hook write refused for a stale epoch (ZooKeeper, Kafka, one server process, SQLite)", () => {
  const cluster = useLocalCluster({ instances: 1, zk: 1, sessionTimeoutMs: 4000 });

  it("makes the active give up its term and apply the message under a new one", async () => {
    const c = cluster();
    const instance = c.instance("atlas-1");
    await instance.waitForState("ACTIVE", 30_000);
    const before = (await instance.health()) as { epoch: number; transitions: number };
    // As if another instance had been elected meanwhile: the store has seen a higher epoch.
    const store = createStore({ backend: "sqlite", path: join(c.stateDir, "store", "atlas.db") });
    try {
      await store.fence(before.epoch + 1);
    } finally {
      await store.close();
    }
    await c.produce([hookCreate("fenced-1")]);
    const after = await waitFor(
      async () => {
        const health = (await instance.health()) as
          { state: string; epoch: number; transitions: number } | undefined;
        return health?.state === "ACTIVE" && health.epoch > before.epoch + 1 ? health : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "atlas-1 ACTIVE again under a newer term" },
    );
    expect(after.transitions).toBeGreaterThanOrEqual(before.transitions + 4); // ACTIVE → … → PASSIVE → … → ACTIVE
    const applied = await waitFor(
      async () => {
        const read = await call(
          instance,
          "GET",
          "/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=fenced-1@hooks",
        );
        return read.status === 200 ? read : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: "the refused hook message applied under the new term",
      },
    );
    expect((applied.json as { entity: { version: number } }).entity.version).toBe(0);
  });
});
