/**
 * Hook messages applied as a batch (docs/contracts/hooks.md, "Batches"): one store transaction
 * for consecutive messages, each fenced and recorded with its Kafka position in it — all or
 * none. On both backends (a temp SQLite file, a real PostgreSQL from the testkit).
 */
import { decodeBody, type HookNotification } from "@atlas-ha/hook-consumer";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import {
  applyNotification,
  applyNotifications,
  type PositionedNotification,
} from "../../src/hooks/apply.js";
import type { MetadataStore } from "../../src/store/types.js";
import { hiveDb, storeFactory, type BackendName } from "../store/helpers.js";

const pg = usePostgres();
const TOPIC = "ATLAS_HOOK";

const create = (...entities: unknown[]): HookNotification =>
  decodeBody({ type: "ENTITY_CREATE_V2", user: "hive", entities: { entities } });
const at = (offset: number, notification: HookNotification): PositionedNotification => ({
  notification,
  topic: TOPIC,
  partition: 0,
  offset: String(offset),
});
const db = (name: string) => create(hiveDb(name));
const bad = () => create({ typeName: "hive_dbx", attributes: { qualifiedName: "x@cl1" } });

async function names(store: MetadataStore): Promise<string[]> {
  const found = await store.searchBasic({ typeName: "hive_db", limit: 100 });
  return found.entities.map((e) => String(e.attributes?.qualifiedName)).sort();
}

async function applied(store: MetadataStore, offsets: number[]): Promise<boolean[]> {
  return Promise.all(
    offsets.map((o) => store.isHookApplied({ topic: TOPIC, partition: 0, offset: String(o) })),
  );
}

describe.each<BackendName>(["sqlite", "postgres"])("hook batches on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);

  it("applies every message of a batch in one transaction, each a fenced write of its own with its position recorded", async () => {
    const { store } = await stores.fresh();
    await store.fence(2);
    const before = (await store.writeLog()).length;
    const results = await applyNotifications(
      store,
      [at(10, db("a")), at(11, db("b")), at(12, db("c"))],
      { epoch: 2, durable: false },
    );
    await store.sync();
    expect(results.map((r) => r.applied)).toEqual([true, true, true]);
    expect(await names(store)).toEqual(["a@cl1", "b@cl1", "c@cl1"]);
    expect(await applied(store, [10, 11, 12])).toEqual([true, true, true]);
    // One write-log row per message (its own seq), as when each had its own transaction.
    const log = (await store.writeLog()).slice(before);
    expect(log.map((w) => [w.operation, w.epoch, w.user, w.changed])).toEqual([
      ["HOOK", 2, "hive", 1],
      ["HOOK", 2, "hive", 1],
      ["HOOK", 2, "hive", 1],
    ]);
    expect(new Set(log.map((w) => w.seq)).size).toBe(3);
  });

  it("a batch with one bad message writes nothing; one by one, the others apply and exactly that one fails permanently", async () => {
    const { store } = await stores.fresh();
    const batch = [at(0, db("a")), at(1, bad()), at(2, db("c"))];
    await expect(applyNotifications(store, batch, { epoch: 1 })).rejects.toMatchObject({
      code: "STORE_UNKNOWN_TYPE",
    });
    expect(await names(store)).toEqual([]);
    expect(await applied(store, [0, 1, 2])).toEqual([false, false, false]);

    // What hook-consumer does next: each message through the single-message handler.
    const outcomes: string[] = [];
    for (const m of batch) {
      try {
        await applyNotification(store, m.notification, { ...m, epoch: 1 });
        outcomes.push("applied");
      } catch (error) {
        outcomes.push(`${(error as Error).name} ${(error as { code: string }).code}`);
      }
    }
    expect(outcomes).toEqual(["applied", "PermanentHookError STORE_UNKNOWN_TYPE", "applied"]);
    expect(await names(store)).toEqual(["a@cl1", "c@cl1"]);
    expect(await applied(store, [0, 1, 2])).toEqual([true, false, true]);
  });

  it("replay after a crash is exactly-once: a batch that never committed applies in full, one that did changes nothing", async () => {
    const { store, config } = await stores.fresh();
    // A crash inside the transaction (here: a failure in its last message) commits nothing.
    await expect(
      applyNotifications(store, [at(0, db("a")), at(1, db("b")), at(2, bad())], { epoch: 1 }),
    ).rejects.toMatchObject({ code: "STORE_UNKNOWN_TYPE" });
    // Redelivered from the last committed Kafka offset, with messages after it.
    const replay = [at(0, db("a")), at(1, db("b")), at(3, db("d"))];
    const first = await applyNotifications(store, replay, { epoch: 1, durable: false });
    expect(first.map((r) => r.applied)).toEqual([true, true, true]);
    await store.sync();
    await store.close();

    // The store committed, but the process died before committing the Kafka offsets: the
    // next instance gets the same messages again (and one more) — each applies once.
    const again = stores.open(config);
    await again.fence(2);
    const second = await applyNotifications(
      again,
      [...replay, at(4, create(hiveDb("a", "-1", { description: "changed" })))],
      { epoch: 2 },
    );
    expect(second.map((r) => r.applied)).toEqual([false, false, false, true]);
    const a = await again.getByUniqueAttribute("hive_db", "a@cl1");
    expect(a?.entity).toMatchObject({ version: 1, attributes: { description: "changed" } });
    expect(await names(again)).toEqual(["a@cl1", "b@cl1", "d@cl1"]);
    const audits = await again.entityAuditEvents(a!.entity.guid, {});
    expect(audits?.map((e) => e.action)).toEqual(["ENTITY_UPDATE", "ENTITY_CREATE"]);
  });

  it("a fenced batch is refused as a whole: STORE_FENCED, nothing written", async () => {
    const { store } = await stores.fresh();
    await store.fence(5);
    await expect(
      applyNotifications(store, [at(0, db("a")), at(1, db("b"))], { epoch: 4 }),
    ).rejects.toMatchObject({ code: "STORE_FENCED" });
    expect(await names(store)).toEqual([]);
    expect(await applied(store, [0, 1])).toEqual([false, false]);
  });

  // The batch looks its unique names up in one query (sql.ts prefetchUnique): a name a
  // message creates or takes must be found by the later messages of the same batch.
  it("a later message of the batch finds the entity an earlier one created, filled in or renamed", async () => {
    const { store } = await stores.fresh();
    await applyNotifications(store, [at(0, db("old"))], { epoch: 1 });
    const old = await store.getByUniqueAttribute("hive_db", "old@cl1");
    const table = {
      typeName: "hive_table",
      attributes: {
        qualifiedName: "shelled.t@cl1",
        name: "t",
        db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "shelled@cl1" } },
      },
    };
    const renamed = { ...hiveDb("renamed"), guid: old!.entity.guid };
    const results = await applyNotifications(
      store,
      [
        at(1, db("twice")),
        at(2, create(hiveDb("twice", "-1", { description: "second" }))),
        at(3, create(table)),
        at(4, db("shelled")),
        at(5, create(renamed)),
        at(6, create(hiveDb("renamed", "-1", { description: "after the rename" }))),
      ],
      { epoch: 1 },
    );
    expect(results.map((r) => r.applied)).toEqual([true, true, true, true, true, true]);
    const guidOf = (i: number, operation: "CREATE" | "UPDATE") =>
      results[i]!.applied
        ? results[i]!.mutations.mutatedEntities[operation]?.map((e) => e.guid)
        : [];
    expect(guidOf(1, "UPDATE")).toEqual(guidOf(0, "CREATE"));
    const twice = await store.getByUniqueAttribute("hive_db", "twice@cl1");
    expect(twice!.entity.attributes.description).toBe("second");
    const shelled = await store.getByUniqueAttribute("hive_db", "shelled@cl1");
    expect(shelled!.entity.isIncomplete).toBe(false);
    expect(guidOf(3, "UPDATE")).toEqual([shelled!.entity.guid]);
    const after = await store.getByUniqueAttribute("hive_db", "renamed@cl1");
    expect(after!.entity.guid).toBe(old!.entity.guid);
    expect(after!.entity.attributes.description).toBe("after the rename");
    expect(await names(store)).toEqual(["renamed@cl1", "shelled@cl1", "twice@cl1"]);
  });

  it("the same position twice in one batch applies once", async () => {
    const { store } = await stores.fresh();
    const results = await applyNotifications(store, [at(7, db("a")), at(7, db("other"))], {
      epoch: 1,
    });
    expect(results.map((r) => r.applied)).toEqual([true, false]);
    expect(await names(store)).toEqual(["a@cl1"]);
  });

  it("with mutations: false writes what the default writes, and answers only whether each message was applied", async () => {
    const batch = [
      at(0, db("a")),
      at(1, create(hiveDb("a", "-1", { description: "again" }))),
      at(2, db("b")),
      at(2, db("b-again-at-2")),
    ];
    const lean = (await stores.fresh()).store;
    const full = (await stores.fresh()).store;
    const leanResults = await applyNotifications(lean, batch, { epoch: 1, mutations: false });
    const fullResults = await applyNotifications(full, batch, { epoch: 1 });
    expect(leanResults).toEqual([
      { applied: true },
      { applied: true },
      { applied: true },
      { applied: false },
    ]);
    expect(fullResults.map((r) => r.applied && Object.keys(r.mutations.mutatedEntities))).toEqual([
      ["CREATE"],
      ["UPDATE"],
      ["CREATE"],
      false,
    ]);
    // The same rows, write log and audit events either way.
    const written = async (store: MetadataStore) => {
      const a = await store.getByUniqueAttribute("hive_db", "a@cl1");
      const audits = await store.entityAuditEvents(a!.entity.guid, {});
      return {
        names: await names(store),
        description: a!.entity.attributes.description,
        version: a!.entity.version,
        log: (await store.writeLog()).map((w) => [w.operation, w.changed]),
        audits: audits!.map((e) => e.action),
        positions: await applied(store, [0, 1, 2]),
      };
    };
    expect(await written(lean)).toEqual(await written(full));
    expect((await written(lean)).audits).toEqual(["ENTITY_UPDATE", "ENTITY_CREATE"]);
  });
});
