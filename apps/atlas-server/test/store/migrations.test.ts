/**
 * A database that an older atlas-server created, migrated by this one, on both backends
 * (SQLite in a temp dir; a real PostgreSQL server started by the testkit). The older server
 * is played by the same seeding with its built-in types: fixtures/builtin-typedefs-0.1.0.json
 * is what `builtinTypedefs()` returned in 0.1.0, before the store shipped Atlas's full models.
 */
import { readFileSync } from "node:fs";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import { builtinTypedefs, flattenTypesDef } from "../../src/models/index.js";
import type { AtlasStructDef, AtlasTypesDef } from "../../src/models/typedefs.js";
import { runMigrations } from "../../src/store/migrations.js";
import { PostgresBackend } from "../../src/store/postgres.js";
import type { SqlBackend } from "../../src/store/sql.js";
import { SqliteBackend } from "../../src/store/sqlite.js";
import type { MetadataStore, StoreConfig } from "../../src/store/types.js";
import { hiveDb, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const OLD_BUILTINS = JSON.parse(
  readFileSync(new URL("./fixtures/builtin-typedefs-0.1.0.json", import.meta.url), "utf8"),
) as AtlasTypesDef;

const NOOP = { debug() {}, info() {}, warn() {}, error() {} };

/** `fn` on a backend of its own on `config`'s database, closed after. */
async function withBackend<T>(config: StoreConfig, fn: (b: SqlBackend) => Promise<T>): Promise<T> {
  const backend: SqlBackend =
    config.backend === "sqlite"
      ? new SqliteBackend({ path: config.path })
      : new PostgresBackend({ url: config.url, logger: NOOP });
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

/** Runs the older server's migration (its schema and its built-in types) on `config`. */
async function migrateAsOldServer(config: StoreConfig): Promise<void> {
  let n = 0;
  await withBackend(config, (backend) =>
    runMigrations(backend, { now: 1_000, newGuid: () => `old-${++n}` }, OLD_BUILTINS),
  );
}

async function typedef(store: MetadataStore, name: string) {
  const def = await store.getTypedef(name);
  if (!def) throw new Error(`no typedef ${name}`);
  return def;
}

const attributeNames = (def: object) =>
  ((def as AtlasStructDef).attributeDefs ?? []).map((a) => a.name);

describe.each<BackendName>(["sqlite", "postgres"])(
  "migrating a %s store of an older server",
  (backend) => {
    const stores = storeFactory(backend, pg);

    it("seeds the new built-in types and upgrades the ones it had, keeping entities, guids and the user's types", async () => {
      const config = await stores.config();
      await migrateAsOldServer(config);
      const before = stores.open(config);
      await before.createOrUpdate(
        1,
        { entities: [hiveDb("sales")], referredEntities: {} },
        "alice",
      );
      // A user's type that happens to have a built-in name, at a typeVersion above the built-in's.
      await before.createTypedefs(
        1,
        {
          entityDefs: [
            { name: "my_dataset", superTypes: ["DataSet"], attributeDefs: [] },
            {
              name: "sqoop_process",
              superTypes: ["Process"],
              typeVersion: "9.0",
              attributeDefs: [],
            },
          ],
        },
        "alice",
      );
      const oldHiveDb = await typedef(before, "hive_db");
      const oldMine = await typedef(before, "my_dataset");
      const oldSqoop = await typedef(before, "sqoop_process");
      expect(await before.getTypedef("spark_process")).toBeNull();
      expect(attributeNames(await typedef(before, "Referenceable"))).toEqual(["qualifiedName"]);

      const store = stores.open(config);
      await store.migrate();

      // Every built-in type is there, at least at its built-in version, with all its attributes.
      for (const { def } of flattenTypesDef(builtinTypedefs())) {
        if (def.name === "sqoop_process") continue;
        const stored = await typedef(store, def.name);
        expect(stored.typeVersion, def.name).toBe(def.typeVersion);
        expect(attributeNames(stored), def.name).toEqual(
          expect.arrayContaining(attributeNames(def)),
        );
      }
      expect(await typedef(store, "spark_process")).toMatchObject({
        createdBy: "atlas",
        version: 1,
        superTypes: ["Process"],
      });
      // An upgraded type keeps its identity and counts the change.
      const hiveDbNow = await typedef(store, "hive_db");
      expect(hiveDbNow).toMatchObject({
        guid: oldHiveDb.guid,
        createTime: oldHiveDb.createTime,
        createdBy: "atlas",
        version: 2,
        typeVersion: "1.5",
      });
      expect(attributeNames(await typedef(store, "Referenceable"))).toEqual([
        "qualifiedName",
        "replicatedFrom",
        "replicatedTo",
      ]);
      expect(await typedef(store, "fs_path")).toMatchObject({ superTypes: ["DataSet", "Path"] });
      expect(await typedef(store, "hdfs_path")).toMatchObject({ serviceType: "file_system" });
      expect(await typedef(store, "dataset_process_inputs")).toMatchObject({
        propagateTags: "TWO_TO_ONE",
        endDef2: { type: "DataSet", name: "inputToProcesses", cardinality: "SET" },
      });
      // An attribute the older model had and Atlas's has not stays: entities may hold values.
      expect(attributeNames(await typedef(store, "kafka_topic"))).toEqual(
        expect.arrayContaining(["retentionBytes", "replicationFactorLocal"]),
      );
      // The user's types are untouched, also the one at a higher typeVersion than the built-in
      // (what reads compute from the other types — subtypes, relationship attributes — may grow).
      const stored = (def: Record<string, unknown>) => {
        const copy = { ...def };
        delete copy.subTypes;
        delete copy.relationshipAttributeDefs;
        return copy;
      };
      expect(stored(await typedef(store, "my_dataset"))).toEqual(stored(oldMine));
      expect(stored(await typedef(store, "sqoop_process"))).toEqual(stored(oldSqoop));
      // Entities written under the old types read as before.
      const sales = await store.getByUniqueAttribute("hive_db", "sales@cl1");
      expect(sales?.entity).toMatchObject({ typeName: "hive_db", attributes: { name: "sales" } });
      // An instance that had read the old types sees the new ones.
      expect(await typedef(before, "spark_process")).toMatchObject({ name: "spark_process" });

      // Migrating again changes nothing.
      const after = await store.getTypedefs();
      await stores.open(config).migrate();
      expect(await store.getTypedefs()).toEqual(after);
    });

    it("refuses a database a newer server migrated (a schema version it does not know), and leaves it as it is", async () => {
      const { store, config } = await stores.fresh();
      await store.fence(1);
      await store.createOrUpdate(1, { entities: [hiveDb("sales")], referredEntities: {} }, "alice");
      // The newer server's migration, recorded as its runner records one.
      const versions = (b: SqlBackend) =>
        b.read(async (db) =>
          (await db.all("SELECT version FROM atlas_schema_migrations ORDER BY version")).map(
            (row) => Number(row.version),
          ),
        );
      const known = await withBackend(config, async (b) => {
        await b.write((db) =>
          db.run(
            "INSERT INTO atlas_schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
            { version: 1000, name: "a newer server's", at: 1 },
          ),
        );
        return b.migrations.map((m) => m.version);
      });

      await expect(stores.open(config).migrate()).rejects.toMatchObject({
        name: "StoreSchemaError",
        code: "STORE_SCHEMA_TOO_NEW",
        message: expect.stringContaining("version(s) 1000"),
      });
      // Nothing was changed: the versions as they were, the entity as it was.
      expect(await withBackend(config, versions)).toEqual([...known, 1000]);
      const sales = await store.getByUniqueAttribute("hive_db", "sales@cl1");
      expect(sales?.entity.attributes).toMatchObject({ name: "sales" });
    });

    it("instances that upgrade the same database together upgrade each type once", async () => {
      const config = await stores.config();
      await migrateAsOldServer(config);
      const instances = [stores.open(config), stores.open(config), stores.open(config)];
      await Promise.all(instances.map((s) => s.migrate()));
      const defs = await instances[0]!.getTypedefs();
      const names = defs.entityDefs.map((d) => d.name);
      expect(new Set(names).size).toBe(names.length);
      expect(await typedef(instances[1]!, "hive_table")).toMatchObject({
        version: 2,
        typeVersion: "1.5",
      });
    });
  },
);
