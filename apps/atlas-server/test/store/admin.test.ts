/**
 * The store's admin side on both backends: entity audit events written in the transaction of
 * the change (migration 3), purge of DELETED entities, the counts of admin/metrics, and
 * saved searches with Atlas's per-owner rules.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import { AUDIT_DETAILS_MAX_CHARS } from "../../src/store/audit.js";
import { runMigrations } from "../../src/store/migrations.js";
import { PostgresBackend } from "../../src/store/postgres.js";
import type { SqlBackend } from "../../src/store/sql.js";
import { SqliteBackend } from "../../src/store/sqlite.js";
import type { EntityEdit } from "../../src/store/extras.js";
import type { MetadataStore, StoreConfig } from "../../src/store/types.js";
import { hiveDb, hiveTableWithColumns, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const NOOP = { debug() {}, info() {}, warn() {}, error() {} };

/** A backend that knows only the migrations up to `version`: a server from before migration 3. */
function olderBackend(config: StoreConfig, version: number): SqlBackend {
  const backend: SqlBackend =
    config.backend === "sqlite"
      ? new SqliteBackend({ path: config.path })
      : new PostgresBackend({ url: config.url, logger: NOOP });
  return new Proxy(backend, {
    get(target, key) {
      if (key === "migrations") return target.migrations.filter((m) => m.version <= version);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}
const TAGS = {
  classificationDefs: [{ name: "PII", superTypes: [], attributeDefs: [] }],
};

describe.each<BackendName>(["sqlite", "postgres"])("the %s store's admin side", (backend) => {
  const stores = storeFactory(backend, pg);

  async function fresh(): Promise<MetadataStore> {
    const { store } = await stores.fresh();
    await store.createTypedefs(1, TAGS, "admin");
    return store;
  }
  const createDb = async (store: MetadataStore, name: string, user = "steward") => {
    const r = await store.createOrUpdate(
      1,
      { entities: [hiveDb(name)], referredEntities: {} },
      user,
    );
    return r.mutatedEntities.CREATE![0]!.guid;
  };

  it("migration 3 comes on its own to a database a server from before it migrated", async () => {
    const config = await stores.config();
    const run = async (version: number) => {
      const backend = olderBackend(config, version);
      try {
        return (await runMigrations(backend, { now: 1, newGuid: () => "g" })).applied;
      } finally {
        await backend.close();
      }
    };
    expect(await run(2)).toEqual([1, 2]);
    expect(await run(3)).toEqual([3]);
    expect(await run(3)).toEqual([]);
    const store = stores.open(config);
    await store.migrate();
    const guid = await createDb(store, "after");
    expect((await store.entityAuditEvents(guid))!.map((e) => e.action)).toEqual(["ENTITY_CREATE"]);
    expect(await store.savedSearches("nobody")).toEqual([]);
  });

  describe("entity audit events", () => {
    it("records each change with Atlas's action and details, newest first, from the write that made it", async () => {
      const store = await fresh();
      const guid = await createDb(store, "sales");
      await store.createOrUpdate(
        1,
        { entities: [hiveDb("sales", "-1", { description: "all sales" })], referredEntities: {} },
        "editor",
      );
      await store.editEntities(
        1,
        [{ guid, typeName: "hive_db" }],
        { op: "addClassifications", classifications: [{ typeName: "PII" }] },
        "tagger",
      );
      await store.editEntities(
        1,
        [{ guid, typeName: "hive_db" }],
        { op: "addLabels", labels: ["gold", "daily"] },
        "tagger",
      );
      await store.deleteByGuid(1, guid, "remover");

      const events = (await store.entityAuditEvents(guid))!;
      expect(events.map((e) => [e.action, e.user])).toEqual([
        ["ENTITY_DELETE", "remover"],
        ["LABEL_ADD", "tagger"],
        ["CLASSIFICATION_ADD", "tagger"],
        ["ENTITY_UPDATE", "editor"],
        ["ENTITY_CREATE", "steward"],
      ]);
      const [deleted, labels, tag, updated, created] = events;
      expect(created!.details).toMatch(/^Created: \{/);
      expect(JSON.parse(created!.details.slice("Created: ".length))).toMatchObject({
        typeName: "hive_db",
        guid,
        attributes: { qualifiedName: "sales@cl1" },
      });
      expect(JSON.parse(updated!.details.slice("Updated: ".length)).attributes).toMatchObject({
        description: "all sales",
      });
      expect(tag!.details).toMatch(/^Added classification: \{.*"typeName":"PII"/);
      expect(labels!.details).toBe("Added labels: gold daily");
      expect(deleted!.details).toBe("Deleted entity");
      for (const e of events) {
        expect(e).toMatchObject({ entityId: guid, type: "ENTITY_AUDIT_V2", entity: null });
        expect(e.eventKey).toBe(`${guid}:${e.timestamp}:${e.writeSeq}.0`);
      }
      // Each event carries the write-log seq and epoch of its write.
      const log = await store.writeLog();
      expect(log.find((w) => w.seq === created!.writeSeq)).toMatchObject({
        operation: "ENTITY_CREATE_OR_UPDATE",
        user: "steward",
        epoch: 1,
      });
      expect(log.find((w) => w.seq === deleted!.writeSeq)?.operation).toBe("ENTITY_DELETE");
    });

    it("leaves attribute values out of an event whose entity is larger than the limit, as Atlas does", async () => {
      const store = await fresh();
      const big = "x".repeat(AUDIT_DETAILS_MAX_CHARS);
      const r = await store.createOrUpdate(
        1,
        { entities: [hiveDb("big", "-1", { description: big })], referredEntities: {} },
        "steward",
      );
      const guid = r.mutatedEntities.CREATE![0]!.guid;
      const [created] = (await store.entityAuditEvents(guid))!;
      expect(created!.details.length).toBeLessThan(AUDIT_DETAILS_MAX_CHARS);
      expect(JSON.parse(created!.details.slice("Created: ".length))).toMatchObject({
        guid,
        typeName: "hive_db",
        attributes: null,
      });
      expect((await store.getByGuid(guid))!.entity.attributes.description).toBe(big);
    });

    // A create is compared with nothing (audit.ts takes a short cut there): what the entity
    // carries from the start is recorded, what it does not carry is not.
    it("records a created entity's custom attributes, and no custom-attribute event for one created without", async () => {
      const store = await fresh();
      const r = await store.createOrUpdate(
        1,
        {
          entities: [
            { ...hiveDb("tagged"), customAttributes: { team: "sales" } },
            { ...hiveDb("plain", "-2"), customAttributes: {} },
          ],
          referredEntities: {},
        },
        "steward",
      );
      const [tagged, plain] = r.mutatedEntities.CREATE!.map((h) => h.guid);
      const actions = async (guid: string) =>
        (await store.entityAuditEvents(guid))!.map((e) => e.action).reverse();
      expect(await actions(tagged!)).toEqual(["ENTITY_CREATE", "CUSTOM_ATTRIBUTE_UPDATE"]);
      expect(await actions(plain!)).toEqual(["ENTITY_CREATE"]);
      const [custom] = (await store.entityAuditEvents(tagged!))!; // newest first
      expect(custom!.details).toMatch(
        /^Updated custom attribute: \{.*"customAttributes":\{"team":"sales"\}/,
      );
    });

    it("writes no event for a write that changes nothing or is refused", async () => {
      const store = await fresh();
      const guid = await createDb(store, "sales");
      await store.createOrUpdate(1, { entities: [hiveDb("sales")], referredEntities: {} }, "x");
      await store.fence(5);
      await expect(
        store.createOrUpdate(
          4,
          { entities: [hiveDb("sales", "-1", { description: "late" })], referredEntities: {} },
          "stale",
        ),
      ).rejects.toMatchObject({ code: "STORE_FENCED" });
      await expect(
        store.editEntities(
          5,
          [{ guid, typeName: "hive_db" }],
          { op: "addLabels", labels: ["not ok"] },
          "x",
        ),
      ).rejects.toMatchObject({ code: "STORE_INVALID_ENTITY" });
      expect((await store.entityAuditEvents(guid))!.map((e) => e.action)).toEqual([
        "ENTITY_CREATE",
      ]);
    });

    it("records hook messages' changes in the message's transaction, once, and a redelivery adds none", async () => {
      const store = await fresh();
      const position = { topic: "ATLAS_HOOK", partition: 0, offset: "7" };
      const changes = [
        {
          kind: "createOrUpdate" as const,
          entities: { entities: [hiveDb("hooked")], referredEntities: {} },
        },
      ];
      const first = await store.applyHook(1, position, changes, "hive");
      expect(first.applied).toBe(true);
      expect(await store.applyHook(1, position, changes, "hive")).toEqual({ applied: false });
      const guid = first.applied ? first.mutations.mutatedEntities.CREATE![0]!.guid : "";
      const events = (await store.entityAuditEvents(guid))!;
      expect(events.map((e) => [e.action, e.user])).toEqual([["ENTITY_CREATE", "hive"]]);
      const log = await store.writeLog();
      expect(log.find((w) => w.seq === events[0]!.writeSeq)?.operation).toBe("HOOK");
      // A message whose partial update is refused writes no event for what it tried.
      await expect(
        store.applyHook(
          1,
          { ...position, offset: "8" },
          [
            {
              kind: "partialUpdate",
              objectId: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "nope@cl1" } },
              entity: {
                entity: { typeName: "hive_db", attributes: { owner: "x" } },
                referredEntities: {},
              },
            },
          ],
          "hive",
        ),
      ).rejects.toMatchObject({ code: "STORE_ENTITY_NOT_FOUND" });
      expect(await store.entityAuditEvents(guid)).toHaveLength(1);
    });

    it("filters by action, pages from a startKey, and sorts by user, action or timestamp", async () => {
      let now = 1_000;
      const { store } = await stores.fresh({ now: () => (now += 10) });
      const guid = await createDb(store, "sales", "carol");
      for (const [i, user] of ["alice", "Bob", "dave"].entries())
        await store.createOrUpdate(
          1,
          { entities: [hiveDb("sales", "-1", { description: `v${i}` })], referredEntities: {} },
          user,
        );
      const all = (await store.entityAuditEvents(guid))!;
      expect(all.map((e) => e.user)).toEqual(["dave", "Bob", "alice", "carol"]);
      const onlyUpdates = await store.entityAuditEvents(guid, { auditAction: "ENTITY_UPDATE" });
      expect(onlyUpdates!.map((e) => e.user)).toEqual(["dave", "Bob", "alice"]);
      const fromSecond = await store.entityAuditEvents(guid, {
        startKey: all[1]!.eventKey,
        count: 2,
      });
      expect(fromSecond!.map((e) => e.user)).toEqual(["Bob", "alice"]);
      const byUser = await store.entityAuditEvents(guid, { sortBy: "user", offset: 0 });
      expect(byUser!.map((e) => e.user)).toEqual(["alice", "Bob", "carol", "dave"]);
      const byUserDesc = await store.entityAuditEvents(guid, {
        sortBy: "user",
        sortOrder: "desc",
        offset: 1,
        count: 2,
      });
      expect(byUserDesc!.map((e) => e.user)).toEqual(["carol", "Bob"]);
      // Offset alone: Atlas's paged listing, oldest first.
      const paged = await store.entityAuditEvents(guid, { offset: 0, count: 2 });
      expect(paged!.map((e) => e.user)).toEqual(["carol", "alice"]);
      expect(await store.entityAuditEvents("no-such-guid")).toBeNull();
    });
  });

  describe("purge", () => {
    it("removes DELETED entities, what they own and their relationships, skips active and unknown ones, and keeps the audit", async () => {
      const store = await fresh();
      await createDb(store, "sales");
      const { entities, referredEntities } = hiveTableWithColumns("sales", "orders", ["id"]);
      const created = await store.createOrUpdate(1, { entities, referredEntities }, "hive");
      const table = created.mutatedEntities.CREATE!.find((h) => h.typeName === "hive_table")!;
      const column = created.mutatedEntities.CREATE!.find((h) => h.typeName === "hive_column")!;
      const keep = await createDb(store, "keep");
      await store.deleteByGuid(1, table.guid, "hive");

      const response = await store.purgeByGuids(
        1,
        [table.guid, keep, "unknown-guid", table.guid],
        "admin",
      );
      // The table and what it owns (its column and storage descriptor, deleted with it), as
      // Atlas's purge does.
      expect(response.mutatedEntities.PURGE!.map((h) => [h.typeName, h.status]).sort()).toEqual([
        ["hive_column", "DELETED"],
        ["hive_storagedesc", "DELETED"],
        ["hive_table", "DELETED"],
      ]);
      expect(response.mutatedEntities.PURGE![0]!.guid).toBe(table.guid);
      expect(await store.getByGuid(table.guid)).toBeNull();
      expect(await store.getByGuid(column.guid)).toBeNull();
      expect(await store.getByGuid(keep)).not.toBeNull();
      // The database the table belonged to stays, without the relationship to it.
      const db = (await store.getByUniqueAttribute("hive_db", "sales@cl1"))!;
      expect(db.entity.relationshipAttributes?.tables ?? []).toEqual([]);
      const audit = (await store.entityAuditEvents(table.guid))!;
      expect(audit[0]).toMatchObject({ action: "ENTITY_PURGE", user: "admin" });
      expect(audit[0]!.details).toMatch(/^Purged: \{.*"status":"DELETED"/);
      expect(audit.map((e) => e.action)).toContain("ENTITY_CREATE");
      const log = await store.writeLog();
      expect(log.at(-1)).toMatchObject({ operation: "ENTITY_PURGE", user: "admin", changed: 3 });

      expect(await store.purgeByGuids(1, [keep], "admin")).toEqual({ mutatedEntities: {} });
    });

    it("appears in the admin audit with the typedef changes, its details the purged entities' headers", async () => {
      const store = await fresh();
      const guid = await createDb(store, "audited");
      await store.deleteByGuid(1, guid, "x");
      await store.purgeByGuids(1, [guid], "root");
      const audits = await store.adminAudits();
      expect(audits.map((a) => [a.operation, a.userName, a.resultCount])).toEqual([
        ["TYPE_DEF_CREATE", "admin", 1],
        ["PURGE", "root", 1],
      ]);
      const purge = audits[1]!;
      expect(purge).toMatchObject({ result: guid, params: `[${guid}]` });
      expect(await store.adminAuditDetails(purge.guid, 10, 0)).toEqual([
        expect.objectContaining({ guid, typeName: "hive_db", displayText: "audited" }),
      ]);
      expect(await store.adminAuditDetails(purge.guid, 10, 1)).toEqual([]);
      expect(await store.adminAuditDetails(audits[0]!.guid, 10, 0)).toEqual([]);
      expect(await store.adminAuditDetails("999999", 10, 0)).toBeNull();
      expect(await store.adminAuditDetails("not-a-seq", 10, 0)).toBeNull();
    });

    it("refuses a stale epoch and purges nothing", async () => {
      const store = await fresh();
      const guid = await createDb(store, "sales");
      await store.deleteByGuid(1, guid, "x");
      await store.fence(3);
      await expect(store.purgeByGuids(2, [guid], "admin")).rejects.toMatchObject({
        code: "STORE_FENCED",
      });
      expect((await store.getByGuid(guid))?.entity.status).toBe("DELETED");
    });
  });

  it("counts entities by type and status, shells, subtypes and classified entities", async () => {
    const store = await fresh();
    const a = await createDb(store, "a");
    await createDb(store, "b");
    const c = await createDb(store, "c");
    await store.deleteByGuid(1, c, "x");
    await store.editEntities(
      1,
      [{ guid: a, typeName: "hive_db" }],
      { op: "addClassifications", classifications: [{ typeName: "PII" }] },
      "x",
    );
    // A table that names a database nobody sent: the database is a shell.
    await store.createOrUpdate(
      1,
      {
        entities: [
          {
            typeName: "hive_table",
            attributes: { qualifiedName: "z.t@cl1", name: "t" },
            relationshipAttributes: {
              db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "z@cl1" } },
            },
          },
        ],
        referredEntities: {},
      },
      "hook",
    );
    const m = await store.metrics();
    expect(m.entity.entityActive).toEqual({ hive_db: 3, hive_table: 1 });
    expect(m.entity.entityDeleted).toEqual({ hive_db: 1 });
    expect(m.entity.entityShell).toEqual({ hive_db: 1 });
    expect(m.entity["entityActive-typeAndSubTypes"]).toMatchObject({
      hive_db: 3,
      DataSet: 1,
      Referenceable: 4,
    });
    expect(m.tag.tagEntities).toEqual({ PII: 1 });
    expect(m.general.entityCount).toBe(5);
    expect(m.general.tagCount).toBe(1);
    expect(m.general.typeUnusedCount).toBeGreaterThan(10);
    expect(m.general.typeCount).toBeGreaterThan(m.general.typeUnusedCount);
  });

  describe("audit aging", () => {
    const DAY = 24 * 60 * 60 * 1000;
    const base = {
      ttlDays: 0,
      count: 0,
      entityTypes: [],
      actionTypes: [],
      createEventsAgeoutAllowed: false,
      subTypesIncluded: true,
    } as const;

    /** A store whose clock the test sets, and a hive_db with `updates` description changes. */
    async function aged(updates: number, clock = { now: 1_000 * DAY }) {
      const { store } = await stores.fresh({ now: () => clock.now });
      await store.createTypedefs(1, TAGS, "admin");
      const guid = await createDb(store, "aged");
      for (let i = 0; i < updates; i++) {
        clock.now += DAY;
        await store.createOrUpdate(
          1,
          { entities: [hiveDb("aged", "-1", { description: `v${i}` })], referredEntities: {} },
          "steward",
        );
      }
      return { store, guid, clock };
    }
    const actions = async (store: MetadataStore, guid: string) =>
      (await store.entityAuditEvents(guid, { count: 1000 }))!.map((e) => e.action);

    it("keeps an entity's newest events by count, and its create event unless allowed", async () => {
      const { store, guid } = await aged(5);
      const [outcome] = await store.ageoutAudits(
        1,
        [{ ...base, type: "DEFAULT", count: 2 }],
        "admin",
      );
      expect(outcome).toEqual({ removed: 3, skipped: false });
      expect(await actions(store, guid)).toEqual([
        "ENTITY_UPDATE",
        "ENTITY_UPDATE",
        "ENTITY_CREATE",
      ]);
      await store.ageoutAudits(
        1,
        [{ ...base, type: "DEFAULT", count: 1, createEventsAgeoutAllowed: true }],
        "admin",
      );
      expect(await actions(store, guid)).toEqual(["ENTITY_UPDATE"]);
    });

    it("removes events older than the TTL and keeps the recent ones", async () => {
      const { store, guid, clock } = await aged(4);
      // Events one day apart; the newest is at `clock.now`: a 2.5-day TTL from a day later keeps 1.
      clock.now += DAY;
      const [outcome] = await store.ageoutAudits(
        1,
        [{ ...base, type: "DEFAULT", ttlDays: 2.5 }],
        "admin",
      );
      expect(outcome!.removed).toBe(2);
      expect(await actions(store, guid)).toEqual([
        "ENTITY_UPDATE",
        "ENTITY_UPDATE",
        "ENTITY_CREATE",
      ]);
    });

    it("sweeps the named actions of the named types (with subtypes) and leaves other types alone", async () => {
      const { store, guid } = await aged(2);
      const table = await store.createOrUpdate(
        1,
        hiveTableWithColumns("aged", "t1", ["c1"]),
        "steward",
      );
      const tableGuid = table.mutatedEntities.CREATE!.find(
        (h) => h.typeName === "hive_table",
      )!.guid;
      const tag: EntityEdit = { op: "addClassifications", classifications: [{ typeName: "PII" }] };
      await store.editEntities(1, [{ guid: tableGuid, typeName: "hive_table" }], tag, "steward");
      await store.editEntities(1, [{ guid, typeName: "hive_db" }], tag, "steward");
      const [sweep] = await store.ageoutAudits(
        1,
        [{ ...base, type: "SWEEP", entityTypes: ["DataSet"], actionTypes: ["CLASSIFICATION_ADD"] }],
        "admin",
      );
      expect(sweep!.removed).toBe(1);
      expect(await actions(store, tableGuid)).toEqual(["ENTITY_CREATE"]);
      expect((await actions(store, guid))[0]).toBe("CLASSIFICATION_ADD");
    });

    it("skips a custom run that names only unknown types, and a default run leaves the named types out", async () => {
      const { store, guid } = await aged(3);
      const outcomes = await store.ageoutAudits(
        1,
        [
          { ...base, type: "CUSTOM", count: 1, entityTypes: ["no_such_type"] },
          { ...base, type: "DEFAULT", count: 1, entityTypes: ["hive_*"] },
        ],
        "admin",
      );
      expect(outcomes).toEqual([
        { removed: 0, skipped: true },
        { removed: 0, skipped: false },
      ]);
      expect(await actions(store, guid)).toHaveLength(4);
    });

    it("is a fenced write", async () => {
      const { store } = await aged(1);
      await store.fence(5);
      await expect(
        store.ageoutAudits(1, [{ ...base, type: "DEFAULT", count: 1 }], "admin"),
      ).rejects.toMatchObject({ code: "STORE_FENCED" });
    });
  });

  describe("saved searches", () => {
    const search = (name: string, owner = "alice") => ({
      ownerName: owner,
      name,
      searchType: "BASIC" as const,
      searchParameters: { typeName: "hive_db", query: "sales" },
      uiParameters: null,
    });

    it("keeps one name per owner, renames, refuses an owner change, deletes", async () => {
      const { store } = await stores.fresh();
      const first = await store.addSavedSearch(1, search("mine"));
      expect(first).toMatchObject({ guid: expect.any(String), ownerName: "alice", name: "mine" });
      await expect(store.addSavedSearch(1, search("mine"))).rejects.toMatchObject({
        code: "STORE_SAVED_SEARCH_EXISTS",
        httpStatus: 409,
        atlasErrorCode: "ATLAS-409-00-006",
        message: "search named mine already exists for user alice",
      });
      const bobs = await store.addSavedSearch(1, search("mine", "bob"));
      const second = await store.addSavedSearch(1, search("other"));
      expect((await store.savedSearches("alice")).map((s) => s.name)).toEqual(["mine", "other"]);
      expect(await store.savedSearches("bob")).toEqual([bobs]);

      await expect(
        store.updateSavedSearch(1, { ...search("mine"), guid: second.guid }),
      ).rejects.toMatchObject({ code: "STORE_SAVED_SEARCH_EXISTS" });
      await expect(
        store.updateSavedSearch(1, { ...search("x", "bob"), guid: second.guid }),
      ).rejects.toMatchObject({ httpStatus: 400, atlasErrorCode: "ATLAS-400-00-056" });
      await expect(store.updateSavedSearch(1, search("x"))).rejects.toMatchObject({
        atlasErrorCode: "ATLAS-400-00-021",
      });
      const renamed = await store.updateSavedSearch(1, {
        ...search("renamed"),
        guid: second.guid,
        uiParameters: "{}",
      });
      expect(await store.savedSearchByName("alice", "renamed")).toEqual(renamed);
      await expect(store.savedSearchByGuid("bob", second.guid)).rejects.toMatchObject({
        httpStatus: 400,
        atlasErrorCode: "ATLAS-400-00-029",
      });
      await expect(store.deleteSavedSearch(1, "bob", second.guid)).rejects.toMatchObject({
        atlasErrorCode: "ATLAS-400-00-029",
      });
      await store.deleteSavedSearch(1, "alice", second.guid);
      await expect(store.savedSearchByName("alice", "renamed")).rejects.toMatchObject({
        code: "STORE_SAVED_SEARCH_NOT_FOUND",
        httpStatus: 404,
        atlasErrorCode: "ATLAS-404-00-009",
      });
      await expect(store.savedSearchByGuid("alice", second.guid)).rejects.toMatchObject({
        atlasErrorCode: "ATLAS-404-00-005",
      });
      const ops = (await store.writeLog()).map((w) => w.operation);
      expect(ops.filter((o) => o.startsWith("SAVED_SEARCH_"))).toEqual([
        "SAVED_SEARCH_CREATE",
        "SAVED_SEARCH_CREATE",
        "SAVED_SEARCH_CREATE",
        "SAVED_SEARCH_UPDATE",
        "SAVED_SEARCH_DELETE",
      ]);
    });
  });
});
