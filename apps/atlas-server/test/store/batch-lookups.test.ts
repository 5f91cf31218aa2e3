/**
 * Lookups by unique attribute inside one transaction of several writes (a batch of hook
 * messages, a group commit of REST writes). On PostgreSQL they are read for the whole
 * transaction in one query before its first write (SqlTx.prefetchUnique); each write must
 * still see what the writes before it in the same transaction did — a create, a shell, a
 * delete, a rename of the same name. Both backends, so the two answer the same.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import type { HookApplyResult, StoreChange, StoreLogger } from "../../src/store/types.js";
import { hiveDb, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const upsert = (...entities: AtlasEntity[]): StoreChange[] => [
  { kind: "createOrUpdate", entities: { entities, referredEntities: {} } },
];

function headers(result: HookApplyResult | undefined, operation: string) {
  if (!result?.applied) throw new Error("the message was not applied");
  const mutated = result.mutations.mutatedEntities as Record<
    string,
    { guid?: string; typeName?: string }[] | undefined
  >;
  return (mutated[operation] ?? []).map((h) => `${h.typeName}:${h.guid}`);
}

describe.each<BackendName>(["sqlite", "postgres"])(
  "the %s store, lookups by unique attribute within one transaction",
  (backend) => {
    const stores = storeFactory(backend, pg);

    it("each message of a batch sees what the messages before it did to the same qualifiedName", async () => {
      const { store } = await stores.fresh();
      await store.fence(1);
      const before = await store.createOrUpdate(
        1,
        { entities: [hiveDb("old")], referredEntities: {} },
        "admin",
      );
      const old = before.mutatedEntities.CREATE![0]!.guid;

      const changes: StoreChange[][] = [
        upsert(hiveDb("dup", "-1", { owner: "x" })),
        upsert(hiveDb("dup", "-1", { owner: "y" })),
        upsert({
          typeName: "hive_table",
          attributes: { qualifiedName: "shell.t@cl1", name: "t" },
          relationshipAttributes: {
            db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "shell@cl1" } },
          },
        }),
        upsert(hiveDb("shell", "-1", { owner: "s" })),
        [
          {
            kind: "delete",
            objectIds: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: "dup@cl1" } }],
            ifMissing: "ignore",
          },
        ],
        upsert(hiveDb("dup", "-1", { owner: "z" })),
        upsert({
          typeName: "hive_db",
          guid: old,
          attributes: { qualifiedName: "renamed@cl1", name: "renamed", clusterName: "cl1" },
        }),
        upsert(hiveDb("old", "-1", { owner: "new" })),
      ];
      const results = await store.applyHooks(
        1,
        changes.map((c, i) => ({
          position: { topic: "T", partition: 0, offset: String(i) },
          changes: c,
          user: "hive",
        })),
      );

      const [dup1] = headers(results[0], "CREATE");
      expect(dup1).toMatch(/^hive_db:/);
      // The second create of the same name updates the entity the first created.
      expect(headers(results[1], "UPDATE")).toEqual([dup1]);
      expect(headers(results[1], "CREATE")).toEqual([]);
      // A reference to a database nobody sent makes a shell; the next message fills it in.
      const shell = headers(results[2], "CREATE").find((h) => h.startsWith("hive_db:"));
      expect(shell).toBeDefined();
      expect(headers(results[3], "UPDATE")).toEqual([shell]);
      expect(headers(results[3], "CREATE")).toEqual([]);
      expect(headers(results[4], "DELETE")).toEqual([dup1]);
      // Deleted earlier in the batch: the name is free, a new entity takes it.
      const [dup2] = headers(results[5], "CREATE");
      expect(dup2).toMatch(/^hive_db:/);
      expect(dup2).not.toEqual(dup1);
      // Renamed earlier in the batch: the old name is free too.
      expect(headers(results[6], "UPDATE")).toEqual([`hive_db:${old}`]);
      const [old2] = headers(results[7], "CREATE");
      expect(old2).toMatch(/^hive_db:/);
      expect(old2).not.toEqual(`hive_db:${old}`);

      const byName = async (qn: string) =>
        (await store.getByUniqueAttribute("hive_db", qn))?.entity;
      expect(await byName("dup@cl1")).toMatchObject({
        guid: dup2!.slice("hive_db:".length),
        attributes: { owner: "z" },
      });
      expect(await byName("shell@cl1")).toMatchObject({
        guid: shell!.slice("hive_db:".length),
        isIncomplete: false,
        attributes: { owner: "s" },
      });
      expect(await byName("renamed@cl1")).toMatchObject({ guid: old });
      expect(await byName("old@cl1")).toMatchObject({
        guid: old2!.slice("hive_db:".length),
        attributes: { owner: "new" },
      });
      expect((await store.getByGuid(dup1!.slice("hive_db:".length)))?.entity.status).toBe(
        "DELETED",
      );
    });

    // A lookup by one type (hive_db has no subtypes) has a statement of its own
    // (selectActiveByUniqueOfType, selectLatestByUniqueOfType); one by a supertype lists them.
    it("a lookup by one type and one by a supertype's list agree, for active and for deleted entities", async () => {
      const { store } = await stores.fresh();
      await store.fence(1);
      const path = (qn: string): AtlasEntity => ({
        typeName: "hdfs_path",
        attributes: { qualifiedName: qn, name: qn, path: `/${qn}` },
      });
      const created = await store.createOrUpdate(
        1,
        { entities: [hiveDb("same"), path("same@cl1"), path("other@cl1")], referredEntities: {} },
        "admin",
      );
      const [dbGuid, pathGuid] = created.mutatedEntities.CREATE!.map((h) => h.guid);
      // One name, two types: each by its own type; by a supertype of both, the first created.
      expect((await store.getByUniqueAttribute("hive_db", "same@cl1"))?.entity.guid).toBe(dbGuid);
      expect((await store.getByUniqueAttribute("hdfs_path", "same@cl1"))?.entity.guid).toBe(
        pathGuid,
      );
      expect((await store.getByUniqueAttribute("Asset", "same@cl1"))?.entity.guid).toBe(dbGuid);
      expect(await store.getByUniqueAttribute("hive_db", "other@cl1")).toBeNull();

      // Deleted: not found as active; deleting it again by name is a no-op (applied, nothing
      // changed), by its own type and by a supertype's list alike; a name that never was is
      // not found.
      for (const [typeName, qualifiedName] of [
        ["hive_db", "same@cl1"],
        ["hdfs_path", "other@cl1"],
      ] as const) {
        await store.deleteByUniqueAttribute(
          1,
          { typeName, uniqueAttributes: { qualifiedName } },
          "admin",
        );
      }
      expect(await store.getByUniqueAttribute("hive_db", "same@cl1")).toBeNull();
      expect((await store.getByUniqueAttribute("Asset", "same@cl1"))?.entity.guid).toBe(pathGuid);
      const deleteAgain = async (typeName: string, qualifiedName: string, offset: number) => {
        const result = await store.applyHook(
          1,
          { topic: "ATLAS_HOOK", partition: 0, offset: String(offset) },
          [
            {
              kind: "delete",
              objectIds: [{ typeName, uniqueAttributes: { qualifiedName } }],
              ifMissing: "error",
            },
          ],
          "hive",
        );
        return result.applied ? Object.keys(result.mutations.mutatedEntities) : "skipped";
      };
      expect(await deleteAgain("hive_db", "same@cl1", 1)).toEqual([]);
      expect(await deleteAgain("DataSet", "other@cl1", 2)).toEqual([]);
      await expect(deleteAgain("hive_db", "never@cl1", 3)).rejects.toMatchObject({
        name: "StoreNotFoundError",
      });
      await expect(deleteAgain("DataSet", "never@cl1", 4)).rejects.toMatchObject({
        name: "StoreNotFoundError",
      });
      expect((await store.getByUniqueAttribute("hdfs_path", "same@cl1"))?.entity.guid).toBe(
        pathGuid,
      );
    });

    it("concurrent REST writes of one name: one entity, created once, and no group run again write by write", async () => {
      const events: string[] = [];
      const record = (o: unknown) => void events.push(String((o as { event?: string }).event));
      const logger: StoreLogger = { debug: record, info: record, warn: record, error: record };
      const { store } = await stores.fresh({ logger });
      await store.fence(1);
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.createOrUpdate(
            1,
            { entities: [hiveDb("same", "-1", { owner: `o${i}` })], referredEntities: {} },
            "u",
          ),
        ),
      );
      const created = answers.flatMap((a) => a.mutatedEntities.CREATE ?? []);
      const updated = answers.flatMap((a) => a.mutatedEntities.UPDATE ?? []);
      expect(created).toHaveLength(1);
      expect(updated).toHaveLength(7);
      expect(new Set(updated.map((h) => h.guid))).toEqual(new Set([created[0]!.guid]));
      expect((await store.getByUniqueAttribute("hive_db", "same@cl1"))?.entity).toMatchObject({
        guid: created[0]!.guid,
        attributes: { owner: "o7" },
      });
      // Not a failed group run again write by write (a second create of the name would be).
      expect(events).not.toContain("store_group_commit_split");
    });

    it("each message's guidAssignments names its own placeholder only, and serialises as before", async () => {
      const { store } = await stores.fresh();
      await store.fence(1);
      // Placeholders differ per message, as a hook's do.
      const placeholders = ["-1001", "-1002", "-__proto__"];
      const results = await store.applyHooks(
        1,
        placeholders.map((guid, i) => ({
          position: { topic: "G", partition: 0, offset: String(i) },
          changes: upsert(hiveDb(`ga${i}`, guid)),
          user: "hive",
        })),
      );
      const created = results.map((r) => headers(r, "CREATE")[0]!.split(":")[1]);
      expect(
        results.map((r) => (r.applied ? JSON.parse(JSON.stringify(r.mutations)) : undefined)),
      ).toEqual(
        placeholders.map((guid, i) => ({
          mutatedEntities: { CREATE: [expect.objectContaining({ guid: created[i] })] },
          guidAssignments: { [guid]: created[i] },
        })),
      );
      for (const r of results)
        expect(r.applied && Object.keys(r.mutations.guidAssignments)).toHaveLength(1);
    });
  },
);
