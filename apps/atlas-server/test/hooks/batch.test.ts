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

  it("the same position twice in one batch applies once", async () => {
    const { store } = await stores.fresh();
    const results = await applyNotifications(store, [at(7, db("a")), at(7, db("other"))], {
      epoch: 1,
    });
    expect(results.map((r) => r.applied)).toEqual([true, false]);
    expect(await names(store)).toEqual(["a@cl1"]);
  });
});
