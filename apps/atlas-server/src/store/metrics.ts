/**
 * The counts of Atlas's GET admin/metrics (MetricsService), from two aggregate queries:
 * entities by type, status and shell flag, and ACTIVE entities by classification. Types that
 * extend `__internal` are left out, as Atlas leaves them out.
 */
import type { SqlRunner } from "./sql.js";
import type { TypeRegistry } from "./typesystem.js";

export interface StoreMetrics {
  general: { entityCount: number; typeCount: number; tagCount: number; typeUnusedCount: number };
  entity: {
    entityActive: Record<string, number>;
    entityDeleted: Record<string, number>;
    entityShell: Record<string, number>;
    "entityActive-typeAndSubTypes": Record<string, number>;
    "entityDeleted-typeAndSubTypes": Record<string, number>;
    "entityShell-typeAndSubTypes": Record<string, number>;
  };
  tag: { tagEntities: Record<string, number> };
}

const BY_TYPE = `SELECT type_name, status, is_incomplete, count(*) AS n FROM atlas_entities
  GROUP BY type_name, status, is_incomplete`;

/** Classification names of ACTIVE entities, counted once per entity (each backend's JSON functions). */
const BY_TAG = {
  sqlite: `SELECT json_extract(j.value, '$.typeName') AS tag, count(DISTINCT e.guid) AS n
    FROM atlas_entities e, json_each(e.classifications) j
    WHERE e.status = 'ACTIVE' AND e.classifications <> '[]' GROUP BY tag`,
  postgres: `SELECT j->>'typeName' AS tag, count(DISTINCT e.guid) AS n
    FROM atlas_entities e, json_array_elements(e.classifications) j
    WHERE e.status = 'ACTIVE' GROUP BY tag`,
};

export async function storeMetrics(
  db: SqlRunner,
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
): Promise<StoreMetrics> {
  const entityTypes = types
    .all()
    .filter(
      (e) => e.category === "ENTITY" && !types.entityType(e.def.name).superTypes.has("__internal"),
    )
    .map((e) => e.def.name);
  const active: Record<string, number> = {};
  const deleted: Record<string, number> = {};
  const shell: Record<string, number> = {};
  const add = (to: Record<string, number>, type: string, n: number) => {
    to[type] = (to[type] ?? 0) + n;
  };
  const listed = new Set(entityTypes);
  for (const row of await db.all(BY_TYPE)) {
    const type = String(row.type_name);
    if (!listed.has(type)) continue;
    const n = Number(row.n);
    // Shells are ACTIVE entities too (Atlas counts them in both).
    if (row.status === "DELETED") add(deleted, type, n);
    else add(active, type, n);
    if (Number(row.is_incomplete) === 1) add(shell, type, n);
  }
  const withSubtypes = (counts: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const type of entityTypes) {
      const total = types.withSubtypes(type).reduce((sum, t) => sum + (counts[t] ?? 0), 0);
      if (total > 0) out[type] = total;
    }
    return out;
  };
  const tagEntities: Record<string, number> = {};
  for (const row of await db.all(BY_TAG[kind])) {
    const tag = row.tag;
    if (typeof tag === "string" && types.get(tag)?.category === "CLASSIFICATION")
      tagEntities[tag] = Number(row.n);
  }
  const used = (type: string) => (active[type] ?? 0) + (deleted[type] ?? 0) > 0;
  return {
    general: {
      entityCount: Object.values(active)
        .concat(Object.values(deleted))
        .reduce((a, b) => a + b, 0),
      typeCount: types.all().length,
      tagCount: types.all().filter((e) => e.category === "CLASSIFICATION").length,
      typeUnusedCount: entityTypes.filter((t) => !used(t)).length,
    },
    entity: {
      entityActive: active,
      entityDeleted: deleted,
      entityShell: shell,
      "entityActive-typeAndSubTypes": withSubtypes(active),
      "entityDeleted-typeAndSubTypes": withSubtypes(deleted),
      "entityShell-typeAndSubTypes": withSubtypes(shell),
    },
    tag: { tagEntities },
  };
}
