/**
 * Group commit of hook messages (docs/contracts/hooks.md via hook-consumer's beforeCommit): applies with
 * `durable: false` and one `sync()` before the offsets are committed. Both backends: a temp
 * SQLite file and a real PostgreSQL from the testkit.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { StoreChange } from "../../src/store/types.js";
import { hiveDb, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const create = (name: string): StoreChange[] => [
  { kind: "createOrUpdate", entities: { entities: [hiveDb(name)], referredEntities: {} } },
];

describe.each<BackendName>(["sqlite", "postgres"])(
  "the %s store, hook messages applied as a group",
  (backend) => {
    const stores = storeFactory(backend, pg);

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
