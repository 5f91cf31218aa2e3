/**
 * The round-2 safety review of ha-state, on a real standalone ZooKeeper (tickTime 200 ms):
 * each test failed on the code before its fix.
 */
import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import type { Transition } from "../../src/index.js";
import { Group, recorder } from "./helpers.js";

describe("ha-state safety round 2 (a standalone ZooKeeper)", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Group;
  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    await group?.stopAll();
  });

  it("a fencing error about an earlier term does not make the current term resign", async () => {
    group = new Group();
    const log: string[] = [];
    const ha = group.add({
      serverId: "id1",
      selfAddress: "http://127.0.0.1:21000",
      zookeeper: {
        connect: zk().connectString,
        zkRoot: "/relinquish-epoch",
        sessionTimeoutMs: 4000,
      },
      handlers: [recorder("id1", log).handler("store", 1)],
    });
    await ha.start();
    await group.oneActive(10_000);
    const epoch = ha.snapshot().epoch!;
    // A write of an earlier term (say, one that was slow and finished after a failover) refused.
    const stale = Object.assign(new Error("write with epoch refused"), {
      name: "StoreFencedError",
      code: "STORE_FENCED",
      epoch: epoch - 1,
    });
    await ha.relinquish(stale);
    expect(ha.snapshot()).toMatchObject({ state: "ACTIVE", epoch });
    expect(log).toEqual(["id1:store:activate"]);
    expect(group.logs.some((l) => l.includes("ha_relinquish_ignored"))).toBe(true);
    // One about the current term does.
    await ha.relinquish(
      Object.assign(new Error("refused"), {
        name: "StoreFencedError",
        code: "STORE_FENCED",
        epoch,
      }),
    );
    expect(ha.snapshot().state).not.toBe("ACTIVE");
    expect(log).toContain("id1:store:passivate");
  });

  it("stop() during an activation abandons it at once: never ACTIVE, the node deleted, the other instance takes over", async () => {
    group = new Group();
    const transitions: Transition[] = [];
    let entered: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const slow = group.add({
      serverId: "slow",
      selfAddress: "http://127.0.0.1:21000",
      zookeeper: {
        connect: zk().connectString,
        zkRoot: "/stop-activation",
        sessionTimeoutMs: 4000,
      },
      handlerTimeoutMs: 30_000,
      handlers: [
        {
          name: "stuck",
          order: 1,
          // Ignores its signal, as a handler blocked on I/O would.
          instanceIsActive: () => {
            entered();
            return new Promise<void>(() => undefined);
          },
          instanceIsPassive: () => undefined,
        },
      ],
    });
    slow.on("transition", (t) => transitions.push(t));
    const other = group.add({
      serverId: "other",
      selfAddress: "http://127.0.0.1:21001",
      zookeeper: {
        connect: zk().connectString,
        zkRoot: "/stop-activation",
        sessionTimeoutMs: 4000,
      },
    });
    await slow.start();
    await other.start();
    await inHandler;
    const started = performance.now();
    // Before the fix stop() waited behind the handler for its 30 s timeout (past the process's
    // hard exit in atlas-server, which could then kill it before the node was deleted).
    await slow.stop();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(transitions.map((t) => t.to)).not.toContain("ACTIVE");
    expect(slow.snapshot().state).toBe("PASSIVE");
    // The node went with the stop, so the other instance leads at once, not after a session timeout.
    await waitFor(() => other.snapshot().state === "ACTIVE", {
      timeoutMs: 3000,
      what: "the other instance ACTIVE",
    });
  });
});
