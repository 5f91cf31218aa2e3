/**
 * The write path run once, off the shared store, so that a passive is ready to write when it
 * is elected. A passive never writes: the first write of a new active used to pay for
 * compiling the mutation, validation, audit and hook-apply code (~5–10 ms of CPU, more on a
 * loaded host), all of it while clients wait on the way out of a failover. Here a private
 * in-memory SQLite store with the same built-in models takes a small lineage through the same
 * code — REST's createOrUpdate, a hook message's applyNotifications, the reads after them —
 * and is thrown away. Nothing touches the shared store, ZooKeeper or Kafka.
 */
import type { HookNotification } from "@atlas-ha/hook-consumer";
import { applyNotifications } from "./hooks/apply.js";
import { createStore } from "./store/index.js";

const EPOCH = 1;

/** Lets timers and I/O run between the steps: a passive answers status probes meanwhile. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

const ref = (guid: string, typeName: string) => ({ guid, typeName });

/** What the run did: entities written through REST's path, and whether the hook message applied. */
export interface WarmUpResult {
  created: number;
  hookApplied: boolean;
}

/** Resolves once the code has run; rejects with what failed (the caller logs it). */
export async function warmWritePath(): Promise<WarmUpResult> {
  const store = createStore({ backend: "sqlite", path: ":memory:" });
  try {
    await store.migrate();
    await breathe();
    await store.fence(EPOCH);
    const made = await store.createOrUpdate(
      EPOCH,
      {
        entities: [
          {
            typeName: "hive_db",
            guid: "-1",
            attributes: { qualifiedName: "warm@cl", name: "warm", clusterName: "cl" },
          },
          {
            typeName: "hive_table",
            guid: "-2",
            attributes: { qualifiedName: "warm.t@cl", name: "t" },
            relationshipAttributes: { db: ref("-1", "hive_db") },
          },
        ],
        referredEntities: {},
      },
      "atlas",
    );
    const table = made.guidAssignments["-2"];
    await breathe();
    const notification: HookNotification = {
      type: "ENTITY_CREATE_V2",
      format: "V2",
      wireType: "ENTITY_CREATE_V2",
      user: "hive",
      entities: {
        entities: [
          {
            typeName: "hive_table",
            guid: "-3",
            attributes: { qualifiedName: "warm.u@cl", name: "u" },
            relationshipAttributes: {
              db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "warm@cl" } },
            },
          },
        ],
        referredEntities: {},
      },
    };
    const [hook] = await applyNotifications(
      store,
      [{ notification, topic: "ATLAS_HOOK", partition: 0, offset: "0" }],
      { epoch: EPOCH, durable: false },
    );
    await breathe();
    if (table) await store.getByGuid(table);
    const applied = await store.getByUniqueAttribute("hive_table", "warm.u@cl");
    return {
      created: Object.keys(made.guidAssignments).length,
      hookApplied: hook?.applied === true && applied !== null,
    };
  } finally {
    await store.close();
  }
}
