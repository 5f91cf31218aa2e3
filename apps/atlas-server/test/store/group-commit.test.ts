/**
 * Group commit of entity writes (concurrent REST writes share one transaction and commit, each
 * answered on its own) and of hook messages (docs/contracts/hooks.md via hook-consumer's beforeCommit): applies with
 * `durable: false` and one `sync()` before the offsets are committed. Both backends: a temp
 * SQLite file and a real PostgreSQL from the testkit.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it, vi } from "vitest";
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import type { SqlBackend } from "../../src/store/sql.js";
import type { StoreChange, StoreLogger } from "../../src/store/types.js";
import { hiveDb, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const create = (name: string): StoreChange[] => [
  { kind: "createOrUpdate", entities: { entities: [hiveDb(name)], referredEntities: {} } },
];

describe.each<BackendName>(["sqlite", "postgres"])(
  "the %s store, hook messages applied as a group",
  (backend) => {
    const stores = storeFactory(backend, pg);

    it("concurrent entity writes are committed together, and one failing write fails alone while its neighbours succeed", async () => {
      const events: string[] = [];
      const record = (o: unknown) => void events.push(String((o as { event?: string }).event));
      const logger: StoreLogger = { debug: record, info: record, warn: record, error: record };
      const { store, config } = await stores.fresh({ logger });
      await store.fence(2);
      const entity = (i: number): AtlasEntity =>
        i === 7
          ? { typeName: "hive_dbx", attributes: { qualifiedName: "bad@cl1" } }
          : hiveDb(`w${i}`);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.createOrUpdate(2, { entities: [entity(i)], referredEntities: {} }, `user${i}`),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual(
        Array.from({ length: 20 }, (_, i) => (i === 7 ? "rejected" : "fulfilled")),
      );
      expect((outcomes[7] as PromiseRejectedResult).reason).toMatchObject({
        code: "STORE_UNKNOWN_TYPE",
      });
      // Each answer is its own write's: the entity it created.
      for (const [i, o] of outcomes.entries()) {
        if (o.status !== "fulfilled") continue;
        expect(o.value.mutatedEntities.CREATE?.map((h) => h.attributes?.qualifiedName)).toEqual([
          `w${i}@cl1`,
        ]);
      }
      // The failing write was in a group with others, which then ran one by one.
      expect(events).toContain("store_group_commit_split");
      const log = (await store.writeLog()).filter((w) => w.operation === "ENTITY_CREATE_OR_UPDATE");
      expect(log.map((w) => w.user).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `user${i}`)
          .filter((u) => u !== "user7")
          .sort(),
      );
      // Durable when answered: there after a reopen.
      await store.close();
      const again = stores.open(config);
      const found = await again.searchBasic({ typeName: "hive_db", limit: 100 });
      expect(found.entities).toHaveLength(19);
    });

    // Requests that arrive in one turn of the event loop (an HTTP server reads each from its
    // own socket) are ONE group, the first included: it does not go alone while the others
    // wait for the next transaction (one commit and fsync instead of two, measured ~2x CPU
    // per REST create). Seen here through the split: a group that fails runs again one by
    // one, and a first write that went alone would fail alone with no split at all.
    it("writes issued in the same turn form one group, the first one included", async () => {
      const splits: unknown[] = [];
      const record = (o: unknown) => {
        if ((o as { event?: string }).event === "store_group_commit_split") splits.push(o);
      };
      const logger: StoreLogger = { debug: record, info: record, warn: record, error: record };
      const { store } = await stores.fresh({ logger });
      const entity = (i: number): AtlasEntity =>
        i === 0
          ? { typeName: "hive_dbx", attributes: { qualifiedName: "bad@cl1" } }
          : hiveDb(`t${i}`);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.createOrUpdate(1, { entities: [entity(i)], referredEntities: {} }, "turn"),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual([
        "rejected",
        ...Array<string>(9).fill("fulfilled"),
      ]);
      expect(splits).toEqual([expect.objectContaining({ writes: 10 })]);
    });

    // A group's writes are answered once its fsync is done; the writes that arrive meanwhile
    // could not be answered before the next one anyway, so they wait and go as ONE group, not
    // each alone as it comes (one commit, whose pages the WAL takes, instead of one each).
    it("writes that arrive while a group's fsync runs wait for it and go together", async () => {
      const { store } = await stores.fresh();
      await store.fence(1);
      const backend = (store as unknown as { b: SqlBackend }).b;
      const transactions = vi.spyOn(backend, "write");
      let releaseSync!: () => void;
      const sync = vi
        .spyOn(backend, "sync")
        .mockImplementationOnce(() => new Promise<void>((resolve) => (releaseSync = resolve)));
      const write = (name: string) =>
        store.createOrUpdate(1, { entities: [hiveDb(name)], referredEntities: {} }, "u");
      const first = write("first");
      await vi.waitFor(() => expect(sync).toHaveBeenCalledTimes(1));
      // Five writes in five turns of the event loop while the first group's fsync is held.
      const later: Promise<unknown>[] = [];
      for (let i = 0; i < 5; i++) {
        later.push(write(`later${i}`));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      expect(transactions).toHaveBeenCalledTimes(1);
      releaseSync();
      await first;
      await Promise.all(later);
      expect(transactions).toHaveBeenCalledTimes(2);
      expect((await store.searchBasic({ typeName: "hive_db", limit: 10 })).entities).toHaveLength(
        6,
      );
    });

    it("close() in the same turn as a write waits for that write's group", async () => {
      const { store, config } = await stores.fresh();
      await store.fence(1);
      const write = store.createOrUpdate(
        1,
        { entities: [hiveDb("last")], referredEntities: {} },
        "u",
      );
      await store.close();
      expect((await write).mutatedEntities.CREATE).toHaveLength(1);
      const again = stores.open(config);
      expect(await again.getByUniqueAttribute("hive_db", "last@cl1")).toBeDefined();
    });

    // A group looks its writes' unique names up in one query (sql.ts prefetchUnique):
    // a name an earlier write of the group creates must be found by the later ones.
    it("concurrent writes of one qualifiedName in a group: the first creates, the others update that entity", async () => {
      const events: string[] = [];
      const record = (o: unknown) => void events.push(String((o as { event?: string }).event));
      const logger: StoreLogger = { debug: record, info: record, warn: record, error: record };
      const { store } = await stores.fresh({ logger });
      // Issued in one turn: all thirteen writes are one group (the first included).
      const alone = store.createOrUpdate(
        1,
        { entities: [hiveDb("other")], referredEntities: {} },
        "first",
      );
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.createOrUpdate(
            1,
            { entities: [hiveDb("same", "-1", { description: `v${i}` })], referredEntities: {} },
            `user${i}`,
          ),
        ),
      );
      const created = outcomes.flatMap((o) => o.mutatedEntities.CREATE ?? []);
      const updated = outcomes.flatMap((o) => o.mutatedEntities.UPDATE ?? []);
      expect(created).toHaveLength(1);
      expect(updated).toHaveLength(11);
      expect(new Set(updated.map((h) => h.guid))).toEqual(new Set([created[0]!.guid]));
      // Written in groups, none of which failed and ran again one by one.
      expect(events).not.toContain("store_group_commit_split");
      await alone;
      const found = await store.getByUniqueAttribute("hive_db", "same@cl1");
      expect(found!.entity.attributes.description).toBe("v11");
    });

    it("a group of writes of a fenced epoch is refused as a whole", async () => {
      const { store } = await stores.fresh();
      await store.fence(5);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          store.createOrUpdate(4, { entities: [hiveDb(`f${i}`)], referredEntities: {} }, "bob"),
        ),
      );
      expect(outcomes.map((o) => o.status === "rejected" && o.reason.code)).toEqual(
        Array(5).fill("STORE_FENCED"),
      );
      expect((await store.searchBasic({ typeName: "hive_db", limit: 10 })).entities).toEqual([]);
    });

    it("are visible at once, idempotent and fenced like durable ones, and still there after sync() and a reopen", async () => {
      const { store, config } = await stores.fresh();
      await store.sync(); // nothing pending: a no-op
      await store.fence(3);
      for (let i = 0; i < 20; i++) {
        const result = await store.applyHook(
          3,
          { topic: "ATLAS_HOOK", partition: 0, offset: String(i) },
          create(`db${i}`),
          "hive",
          { durable: false },
        );
        expect(result.applied).toBe(true);
      }
      expect((await store.getByUniqueAttribute("hive_db", "db7@cl1"))?.entity.status).toBe(
        "ACTIVE",
      );
      // A redelivered message is skipped, whether or not the first apply was synced yet.
      expect(
        await store.applyHook(
          3,
          { topic: "ATLAS_HOOK", partition: 0, offset: "7" },
          create("other"),
          "hive",
          { durable: false },
        ),
      ).toEqual({ applied: false });
      await expect(
        store.applyHook(
          2,
          { topic: "ATLAS_HOOK", partition: 0, offset: "99" },
          create("late"),
          "hive",
          { durable: false },
        ),
      ).rejects.toMatchObject({ code: "STORE_FENCED" });
      // Durable writes (REST) interleave with them.
      await store.createOrUpdate(3, { entities: [hiveDb("rest")], referredEntities: {} }, "alice");
      await store.applyHook(
        3,
        { topic: "ATLAS_HOOK", partition: 0, offset: "20" },
        create("db20"),
        "hive",
        { durable: false },
      );
      await store.sync();
      await store.close();

      const again = stores.open(config);
      await again.migrate();
      expect(await again.isHookApplied({ topic: "ATLAS_HOOK", partition: 0, offset: "20" })).toBe(
        true,
      );
      const found = await again.searchBasic({ typeName: "hive_db", limit: 100 });
      expect(found.entities.map((e) => e.attributes?.qualifiedName).sort()).toEqual(
        [...Array.from({ length: 21 }, (_, i) => `db${i}@cl1`), "rest@cl1"].sort(),
      );
    });
  },
);
