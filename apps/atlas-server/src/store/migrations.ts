/**
 * Schema migrations and the seeding of built-in types, for either backend. The whole run is
 * one exclusive transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so
 * instances that start together against one database take turns: the first applies, the
 * others find everything applied and change nothing.
 */
import { builtinTypedefs } from "../models/index.js";
import {
  CATEGORY_LISTS,
  emptyTypesDef,
  flattenTypesDef,
  type AnyTypeDef,
  type AtlasEnumDef,
  type AtlasStructDef,
  type AtlasTypesDef,
  type TypeCategory,
} from "../models/typedefs.js";
import { StoreSchemaError } from "./errors.js";
import { SqlTx, type SqlBackend, type StoredTypedef } from "./sql.js";
import { prepareTypedefs } from "./typedefs.js";
import { TypeRegistry } from "./typesystem.js";

export interface MigrationResult {
  /** Versions applied by this run (empty when the schema was current). */
  applied: number[];
  /** Built-in types that were missing and are now stored. */
  seeded: number;
  /** Stored types that a built-in type of a higher typeVersion replaced (see upgradeTypedef). */
  updated: number;
}

const SEED_USER = "atlas";

export async function runMigrations(
  backend: SqlBackend,
  stamp: { now: number; newGuid: () => string },
  builtins: AtlasTypesDef = builtinTypedefs(),
): Promise<MigrationResult> {
  return backend.exclusive(async (db) => {
    const tx = new SqlTx(backend.sql, db);
    await db.run(backend.sql.createMigrationsTable);
    const done = new Set(await tx.appliedMigrations());
    const known = new Set(backend.migrations.map((m) => m.version));
    const unknown = [...done].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new StoreSchemaError(
        `the ${backend.kind} database has schema version(s) ${unknown.join(", ")} that this server does not know; ` +
          "it was migrated by a newer atlas-server — run that version",
      );
    }
    const applied: number[] = [];
    for (const migration of [...backend.migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await db.run(statement);
      await tx.recordMigration(migration, stamp.now);
      applied.push(migration.version);
    }

    // Built-in types a newer server adds are seeded on its first start, and the built-in
    // types it ships in a newer typeVersion replace the stored ones — as Atlas's own
    // AtlasTypeDefStoreInitializer does with addons/models on every start. Other types (a
    // user's, or built-in ones already current) are left as they are.
    const stored = await tx.typedefs();
    const registry = new TypeRegistry(stored);
    const missing = emptyTypesDef();
    const upgrades: StoredTypedef[] = [];
    for (const { category, def } of flattenTypesDef(builtins)) {
      const current = registry.get(def.name);
      if (!current) (missing[CATEGORY_LISTS[category]] as AnyTypeDef[]).push(def);
      else {
        const upgrade = upgradeTypedef(current, category, def, stamp.now);
        if (upgrade) upgrades.push(upgrade);
      }
    }
    const prepared = prepareTypedefs(missing, registry, { user: SEED_USER, ...stamp });
    if (upgrades.length > 0) {
      // Throws (and so rolls the run back) if an upgraded type no longer fits the stored ones.
      const byName = new Map(upgrades.map((u) => [u.def.name, u]));
      new TypeRegistry([...stored.map((s) => byName.get(s.def.name) ?? s), ...prepared]);
    }
    for (const [ord, typedef] of prepared.entries()) await tx.insertTypedef(typedef, 0, 0, ord);
    for (const typedef of upgrades) await tx.updateTypedef(typedef);
    if (prepared.length > 0 || upgrades.length > 0) await tx.bumpTypedefsVersion();
    return { applied, seeded: prepared.length, updated: upgrades.length };
  });
}

/**
 * The stored typedef replaced by `builtin`, or undefined when `builtin` is not newer. As in
 * Atlas (getTypesToUpdate), a higher typeVersion wins and brings its attributes, supertypes,
 * ends and options, while the attributes (enum values) only the stored def has are kept: an
 * upgrade never drops what existing entities may hold. The guid, creator and creation time
 * stay; the version counts the change. Versions compare numerically per dotted part, so that
 * 1.10 is newer than 1.9 (Atlas compares them as strings).
 */
function upgradeTypedef(
  current: StoredTypedef,
  category: TypeCategory,
  builtin: AnyTypeDef,
  now: number,
): StoredTypedef | undefined {
  const old = current.def;
  if (current.category !== category) return undefined;
  if (compareVersions(builtin.typeVersion ?? "1.0", old.typeVersion ?? "1.0") <= 0)
    return undefined;
  const def = structuredClone(builtin);
  if (current.category === "ENUM") {
    const values = new Set((def as AtlasEnumDef).elementDefs.map((e) => e.value));
    for (const e of (old as AtlasEnumDef).elementDefs ?? [])
      if (!values.has(e.value)) (def as AtlasEnumDef).elementDefs.push(structuredClone(e));
  } else {
    const next = def as AtlasStructDef;
    next.attributeDefs = [...(next.attributeDefs ?? [])];
    const names = new Set(next.attributeDefs.map((a) => a.name));
    for (const a of (old as AtlasStructDef).attributeDefs ?? [])
      if (!names.has(a.name)) next.attributeDefs.push(structuredClone(a));
  }
  return {
    category: current.category,
    def: {
      ...def,
      category: current.category,
      guid: old.guid,
      createdBy: old.createdBy,
      updatedBy: SEED_USER,
      createTime: old.createTime,
      updateTime: now,
      version: (old.version ?? 1) + 1,
    },
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
