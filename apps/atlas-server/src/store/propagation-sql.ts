/**
 * The tables of classification propagation (migration 5) and their data access, for both
 * backends (docs/contracts/model.md, "Classification propagation"):
 *
 * - atlas_propagations: one row per (receiving entity, source entity, classification name) —
 *   the materialised result of the walks, so GET and search read it with one query.
 * - atlas_relationship_propagation: a relationship's own `propagateTags` (NULL: its
 *   relationshipDef's) and its `blockedPropagatedClassifications` ({typeName, entityGuid}
 *   list); a row exists only for a relationship whose settings were changed.
 */
import type { Dialect } from "./schema.js";
import type { Migration, SqlRunner } from "./sql.js";

export interface PropagationSql {
  insert: string;
  deleteOfSource: string;
  deleteOne: string;
  selectTo: string;
  selectOfSource: string;
  selectSettings: string;
  selectAllSettings: string;
  upsertSettings: string;
}

export function propagationMigration(d: Dialect): Migration {
  return {
    version: 5,
    name: "classification propagation",
    statements: [
      `CREATE TABLE atlas_propagations (
        entity_guid TEXT NOT NULL,
        source_guid TEXT NOT NULL,
        classification_name TEXT NOT NULL,
        write_seq ${d.bigint} NOT NULL,
        PRIMARY KEY (entity_guid, source_guid, classification_name)
      )`,
      `CREATE INDEX atlas_propagations_source ON atlas_propagations (source_guid, classification_name)`,
      `CREATE TABLE atlas_relationship_propagation (
        relationship_guid TEXT PRIMARY KEY,
        propagate_tags TEXT,
        blocked ${d.json} NOT NULL
      )`,
    ],
  };
}

export function propagationStatements(d: Dialect): PropagationSql {
  return {
    // Many rows in one statement: the guids of existing entities, from a JSON list.
    insert: `INSERT INTO atlas_propagations (entity_guid, source_guid, classification_name, write_seq)
      SELECT guid, ${d.param("source", "text")}, ${d.param("name", "text")}, ${d.param("seq", "bigint")}
      FROM atlas_entities WHERE ${d.inList("guid", "guids")} ON CONFLICT DO NOTHING`,
    deleteOfSource: `DELETE FROM atlas_propagations WHERE source_guid = @source AND classification_name = @name`,
    deleteOne: `DELETE FROM atlas_propagations
      WHERE entity_guid = @entity AND source_guid = @source AND classification_name = @name`,
    selectTo: `SELECT entity_guid, source_guid, classification_name FROM atlas_propagations
      WHERE ${d.inList("entity_guid", "guids")} ORDER BY write_seq, classification_name, source_guid`,
    selectOfSource: `SELECT entity_guid FROM atlas_propagations
      WHERE source_guid = @source AND classification_name = @name`,
    selectSettings: `SELECT relationship_guid, propagate_tags, blocked FROM atlas_relationship_propagation
      WHERE ${d.inList("relationship_guid", "guids")}`,
    selectAllSettings: `SELECT relationship_guid, propagate_tags, blocked FROM atlas_relationship_propagation`,
    upsertSettings: `INSERT INTO atlas_relationship_propagation (relationship_guid, propagate_tags, blocked)
      VALUES (@guid, @propagateTags, @blocked)
      ON CONFLICT (relationship_guid) DO UPDATE SET propagate_tags = @propagateTags, blocked = @blocked`,
  };
}

/** Rows per insert statement. */
const INSERT_CHUNK = 5000;

/** One propagated classification: `entityGuid` receives `name` from `sourceGuid`. */
export interface PropagationRow {
  entityGuid: string;
  sourceGuid: string;
  name: string;
}

/** A blocked classification on a relationship: the classification `typeName` of entity `entityGuid`. */
export interface BlockedClassification {
  typeName: string;
  entityGuid: string;
}

export interface RelationshipSettings {
  /** The relationship's own propagateTags; null: its relationshipDef's. */
  propagateTags: string | null;
  blocked: BlockedClassification[];
}

/** Data access of the propagation tables inside one transaction. */
export class PropagationTx {
  readonly #sql: PropagationSql;
  readonly #db: SqlRunner;

  constructor(sql: PropagationSql, db: SqlRunner) {
    this.#sql = sql;
    this.#db = db;
  }

  /** Makes `entityGuids` receive `name` from `sourceGuid`; returns how many rows were new. */
  async insert(p: { sourceGuid: string; name: string }, entityGuids: string[], seq: number) {
    let added = 0;
    for (let i = 0; i < entityGuids.length; i += INSERT_CHUNK)
      added += await this.#db.run(this.#sql.insert, {
        guids: JSON.stringify(entityGuids.slice(i, i + INSERT_CHUNK)),
        source: p.sourceGuid,
        name: p.name,
        seq,
      });
    return added;
  }

  async deleteOfSource(sourceGuid: string, name: string): Promise<number> {
    return this.#db.run(this.#sql.deleteOfSource, { source: sourceGuid, name });
  }

  async deleteOne(row: PropagationRow): Promise<number> {
    return this.#db.run(this.#sql.deleteOne, {
      entity: row.entityGuid,
      source: row.sourceGuid,
      name: row.name,
    });
  }

  /** The propagations `guids` receive, oldest first. */
  async to(guids: readonly string[]): Promise<PropagationRow[]> {
    if (guids.length === 0) return [];
    const rows = await this.#db.all(this.#sql.selectTo, { guids: JSON.stringify(guids) });
    return rows.map((r) => ({
      entityGuid: String(r.entity_guid),
      sourceGuid: String(r.source_guid),
      name: String(r.classification_name),
    }));
  }

  /** The entities that receive `name` from `sourceGuid`. */
  async ofSource(sourceGuid: string, name: string): Promise<Set<string>> {
    const rows = await this.#db.all(this.#sql.selectOfSource, { source: sourceGuid, name });
    return new Set(rows.map((r) => String(r.entity_guid)));
  }

  /** The settings of these relationships; without a list, of every relationship that has some. */
  async settings(
    relationshipGuids?: readonly string[],
  ): Promise<Map<string, RelationshipSettings>> {
    const out = new Map<string, RelationshipSettings>();
    if (relationshipGuids?.length === 0) return out;
    const rows =
      relationshipGuids === undefined
        ? await this.#db.all(this.#sql.selectAllSettings)
        : await this.#db.all(this.#sql.selectSettings, {
            guids: JSON.stringify(relationshipGuids),
          });
    for (const r of rows) {
      const blocked: unknown = typeof r.blocked === "string" ? JSON.parse(r.blocked) : r.blocked;
      out.set(String(r.relationship_guid), {
        propagateTags: typeof r.propagate_tags === "string" ? r.propagate_tags : null,
        blocked: Array.isArray(blocked) ? (blocked as BlockedClassification[]) : [],
      });
    }
    return out;
  }

  async setSettings(relationshipGuid: string, settings: RelationshipSettings): Promise<void> {
    await this.#db.run(this.#sql.upsertSettings, {
      guid: relationshipGuid,
      propagateTags: settings.propagateTags,
      blocked: JSON.stringify(settings.blocked),
    });
  }
}
