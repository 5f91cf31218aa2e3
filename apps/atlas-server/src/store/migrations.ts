/**
 * Schema migrations and the seeding of built-in types, for either backend. The whole run is
 * one exclusive transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so
 * instances that start together against one database take turns: the first applies, the
 * others find everything applied and change nothing.
 */
import { builtinTypedefs } from "../models/index.js";
import { StoreSchemaError } from "./errors.js";
import { SqlTx, type SqlBackend } from "./sql.js";
import { prepareTypedefs } from "./typedefs.js";
import { TypeRegistry } from "./typesystem.js";

export interface MigrationResult {
  /** Versions applied by this run (empty when the schema was current). */
  applied: number[];
  /** Built-in types that were missing and are now stored. */
  seeded: number;
}

export async function runMigrations(
  backend: SqlBackend,
  stamp: { now: number; newGuid: () => string },
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

    // Built-in types a newer server adds are seeded on its first start; types that exist
    // (built-in or created by users) are left as they are.
    const registry = new TypeRegistry(await tx.typedefs());
    const missing: Record<string, { name: string }[]> = {};
    for (const [list, defs] of Object.entries(builtinTypedefs())) {
      missing[list] = (defs as { name: string }[]).filter((d) => !registry.has(d.name));
    }
    const prepared = prepareTypedefs(missing, registry, { user: "atlas", ...stamp });
    for (const [ord, typedef] of prepared.entries()) await tx.insertTypedef(typedef, 0, 0, ord);
    if (prepared.length > 0) await tx.bumpTypedefsVersion();
    return { applied, seeded: prepared.length };
  });
}
