/**
 * The store's schema and every statement it runs, written once for both backends. What
 * differs between SQLite and PostgreSQL is said by a small Dialect (column types, how a JSON
 * list parameter becomes rows, casts), so the two can never drift apart.
 *
 * Tables:
 * - atlas_meta: ONE row — the highest epoch seen, the write-log seq, the typedefs version.
 *   Every write starts by updating it (the fence check); that serializes writers.
 * - atlas_writes: the write log — one row per fenced write (seq, epoch, operation, user).
 * - atlas_entities: one row per entity; JSON columns as given; write_epoch/write_seq of the
 *   last write that touched the row; unique (type, qualifiedName) among ACTIVE rows.
 * - atlas_hook_offsets: every applied hook message position, written in the same
 *   transaction as its changes.
 * - atlas_typedefs: one row per typedef, its JSON as stored.
 * - atlas_relationships: one row per relationship (own guid, type, status, the two end
 *   entities' guids, attributes); at most one ACTIVE row per type and pair of ends.
 * - atlas_entity_audit: entity audit events (migration 3; audit.ts).
 * - atlas_saved_searches: users' saved searches (migration 3; saved-searches.ts).
 * - atlas_propagations, atlas_relationship_propagation: classification propagation
 *   (propagation-sql.ts, migration 5).
 * - atlas_schema_migrations: applied migration versions.
 */
import { propagationMigration, propagationStatements } from "./propagation-sql.js";
import type { Migration, StoreSql } from "./sql.js";

/**
 * The logs a write only ever appends to: the write log, hook positions, audit events. No
 * write reads back the rows it appends there, so SQLite's backend inserts them together
 * (sqlite-appended.ts).
 */
export const APPEND_ONLY_TABLES = ["atlas_writes", "atlas_hook_offsets", "atlas_entity_audit"];

export interface Dialect {
  /** Column type of 64-bit integers (epochs, seqs, epoch ms, Kafka offsets). */
  bigint: string;
  /** Column type of JSON documents. */
  json: string;
  /** The larger of two values. */
  greatest: string;
  /** A parameter with a type, where the database cannot infer one. */
  param(name: string, type: "bigint" | "int" | "text" | "json"): string;
  /**
   * `column` is one of the strings of a JSON-array parameter. PostgreSQL's form is an array
   * (`= ANY`), not `IN (subquery)`: the planner then counts on a short list of index probes,
   * where a set-returning function counts as 100 rows and can tip it into reading the whole
   * table (pg-statistics.ts).
   */
  inList(column: string, name: string): string;
  /** The collation that orders text by code point ('' where that is the default). */
  bytewise: string;
}

const RELATIONSHIP_COLUMNS = `guid, type_name, status, end1_guid, end2_guid, attributes, version,
  created_by, updated_by, create_time, update_time, write_epoch, write_seq, create_seq, create_ord`;

/** The entities columns a record is read from (sql.ts toRecord). */
export const ENTITY_COLUMNS = `guid, type_name, qualified_name, name, status, version, is_incomplete, attributes,
  relationship_attributes, classifications, created_by, updated_by, create_time, update_time,
  write_epoch, write_seq, create_seq, labels, custom_attributes, business_attributes`;

export function migrations(d: Dialect): Migration[] {
  return [
    {
      version: 1,
      name: "entities, typedefs, hook offsets, fencing",
      statements: [
        `CREATE TABLE atlas_meta (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          highest_epoch ${d.bigint} NOT NULL,
          write_seq ${d.bigint} NOT NULL,
          typedefs_version ${d.bigint} NOT NULL
        )`,
        `INSERT INTO atlas_meta (id, highest_epoch, write_seq, typedefs_version) VALUES (1, 0, 0, 0)
          ON CONFLICT DO NOTHING`,
        `CREATE TABLE atlas_writes (
          seq ${d.bigint} PRIMARY KEY,
          epoch ${d.bigint} NOT NULL,
          operation TEXT NOT NULL,
          user_name TEXT NOT NULL,
          at ${d.bigint} NOT NULL,
          changed INTEGER NOT NULL
        )`,
        `CREATE TABLE atlas_entities (
          guid TEXT PRIMARY KEY,
          type_name TEXT NOT NULL,
          qualified_name TEXT,
          name TEXT,
          status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'DELETED')),
          version INTEGER NOT NULL,
          is_incomplete INTEGER NOT NULL,
          attributes ${d.json} NOT NULL,
          relationship_attributes ${d.json} NOT NULL,
          classifications ${d.json} NOT NULL,
          created_by TEXT NOT NULL,
          updated_by TEXT NOT NULL,
          create_time ${d.bigint} NOT NULL,
          update_time ${d.bigint} NOT NULL,
          write_epoch ${d.bigint} NOT NULL,
          write_seq ${d.bigint} NOT NULL,
          create_seq ${d.bigint} NOT NULL,
          create_ord INTEGER NOT NULL
        )`,
        // Unique among ACTIVE entities only: after a soft delete the name may be created again
        // (a new guid), as Atlas does when a Hive table is dropped and re-created.
        `CREATE UNIQUE INDEX atlas_entities_unique_active ON atlas_entities (type_name, qualified_name)
          WHERE status = 'ACTIVE' AND qualified_name IS NOT NULL`,
        `CREATE INDEX atlas_entities_qualified_name ON atlas_entities (qualified_name)`,
        `CREATE INDEX atlas_entities_created ON atlas_entities (create_seq, create_ord)`,
        `CREATE INDEX atlas_entities_type ON atlas_entities (type_name, status)`,
        `CREATE TABLE atlas_hook_offsets (
          topic TEXT NOT NULL,
          kafka_partition INTEGER NOT NULL,
          kafka_offset ${d.bigint} NOT NULL,
          epoch ${d.bigint} NOT NULL,
          write_seq ${d.bigint} NOT NULL,
          applied_at ${d.bigint} NOT NULL,
          PRIMARY KEY (topic, kafka_partition, kafka_offset)
        )`,
        `CREATE TABLE atlas_typedefs (
          name TEXT PRIMARY KEY,
          category TEXT NOT NULL,
          guid TEXT,
          definition ${d.json} NOT NULL,
          create_time ${d.bigint} NOT NULL,
          write_epoch ${d.bigint} NOT NULL,
          write_seq ${d.bigint} NOT NULL,
          ord INTEGER NOT NULL
        )`,
      ],
    },
    {
      version: 2,
      name: "relationships; labels, custom and business attributes",
      statements: [
        `ALTER TABLE atlas_entities ADD COLUMN labels ${d.json} NOT NULL DEFAULT '[]'`,
        `ALTER TABLE atlas_entities ADD COLUMN custom_attributes ${d.json} NOT NULL DEFAULT '{}'`,
        `ALTER TABLE atlas_entities ADD COLUMN business_attributes ${d.json} NOT NULL DEFAULT '{}'`,
        `CREATE TABLE atlas_relationships (
          guid TEXT PRIMARY KEY,
          type_name TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'DELETED')),
          end1_guid TEXT NOT NULL,
          end2_guid TEXT NOT NULL,
          attributes ${d.json} NOT NULL,
          version INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          updated_by TEXT NOT NULL,
          create_time ${d.bigint} NOT NULL,
          update_time ${d.bigint} NOT NULL,
          write_epoch ${d.bigint} NOT NULL,
          write_seq ${d.bigint} NOT NULL,
          create_seq ${d.bigint} NOT NULL,
          create_ord INTEGER NOT NULL
        )`,
        `CREATE UNIQUE INDEX atlas_relationships_active ON atlas_relationships (type_name, end1_guid, end2_guid)
          WHERE status = 'ACTIVE'`,
        `CREATE INDEX atlas_relationships_end1 ON atlas_relationships (end1_guid, type_name)`,
        `CREATE INDEX atlas_relationships_end2 ON atlas_relationships (end2_guid, type_name)`,
      ],
    },
    {
      version: 3,
      name: "entity audit events, saved searches",
      statements: [
        // One row per audit event, written in the transaction of the change it records
        // (audit.ts); kept when the entity is purged, as Atlas keeps its audit.
        `CREATE TABLE atlas_entity_audit (
          entity_guid TEXT NOT NULL,
          type_name TEXT NOT NULL,
          write_seq ${d.bigint} NOT NULL,
          ord INTEGER NOT NULL,
          write_epoch ${d.bigint} NOT NULL,
          at ${d.bigint} NOT NULL,
          user_name TEXT NOT NULL,
          action TEXT NOT NULL,
          details TEXT NOT NULL,
          PRIMARY KEY (write_seq, ord)
        )`,
        `CREATE INDEX atlas_entity_audit_entity ON atlas_entity_audit (entity_guid, write_seq, ord)`,
        // Saved searches (saved-searches.ts): a name is unique per owner, as in Atlas.
        `CREATE TABLE atlas_saved_searches (
          guid TEXT PRIMARY KEY,
          owner_name TEXT NOT NULL,
          name TEXT NOT NULL,
          search_type TEXT NOT NULL,
          search_parameters TEXT,
          ui_parameters TEXT,
          create_time ${d.bigint} NOT NULL,
          update_time ${d.bigint} NOT NULL,
          write_epoch ${d.bigint} NOT NULL,
          write_seq ${d.bigint} NOT NULL
        )`,
        `CREATE UNIQUE INDEX atlas_saved_searches_owner_name ON atlas_saved_searches (owner_name, name)`,
      ],
    },
    {
      version: 4,
      name: "search indexes",
      statements: [
        // A search by type pages in creation order straight off this index (no sort).
        `CREATE INDEX atlas_entities_type_created ON atlas_entities (type_name, create_seq, create_ord)`,
        `CREATE INDEX atlas_entities_name ON atlas_entities (name)`,
        // startsWith / attribute search on name and qualifiedName: a range on these
        // (search-filter.ts prefixRange), code point order so that the range holds every match.
        `CREATE INDEX atlas_entities_name_lower ON atlas_entities ((lower(name)${d.bytewise}))`,
        `CREATE INDEX atlas_entities_qualified_name_lower ON atlas_entities ((lower(qualified_name)${d.bytewise}))`,
        `CREATE INDEX atlas_entities_create_time ON atlas_entities (create_time)`,
        `CREATE INDEX atlas_entities_update_time ON atlas_entities (update_time)`,
      ],
    },
    propagationMigration(d),
    {
      version: 6,
      name: "audit events by time",
      statements: [
        // GET v2/entity/bulk/headers: the entities whose classifications changed since a time.
        `CREATE INDEX atlas_entity_audit_at ON atlas_entity_audit (at, action)`,
      ],
    },
    {
      version: 7,
      name: "entity names indexed once",
      statements: [
        // Every create wrote each name into two indexes, (name) and (lower(name)), and
        // likewise qualifiedName. An exact name is found through its lower() index
        // (byLowerIndex), an ACTIVE one of a type through the unique index. A range or a sort
        // on the exact name reads the type's rows, as one on any other attribute does (a
        // sort on name never used its index: its nulls-last term keeps an index from
        // ordering). Two index entries fewer per create (docs/decisions.md, "One index per
        // entity name").
        `DROP INDEX IF EXISTS atlas_entities_qualified_name`,
        `DROP INDEX IF EXISTS atlas_entities_name`,
      ],
    },
  ];
}

/**
 * `column = value`, found through the index on lower(column) (migration 7): lower() of equal
 * strings is equal, so the first test loses no match, and the second keeps the exact one.
 * `value` is the SQL of a text value (a parameter), used twice.
 */
export function byLowerIndex(column: string, value: string, bytewise: string): string {
  return `lower(${column})${bytewise} = lower(${value})${bytewise} AND ${column} = ${value}`;
}

export function statements(d: Dialect): StoreSql {
  const types = d.inList("type_name", "types");
  const epoch = d.param("epoch", "bigint");
  const qualifiedName = byLowerIndex(
    "qualified_name",
    d.param("qualifiedName", "text"),
    d.bytewise,
  );
  const relationshipFilter = `(${d.param("types", "json")} IS NULL OR ${types})
      AND (${d.param("activeOnly", "int")} = 0 OR status = 'ACTIVE')`;
  return {
    createMigrationsTable: `CREATE TABLE IF NOT EXISTS atlas_schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${d.bigint} NOT NULL)`,
    selectMigrations: `SELECT version FROM atlas_schema_migrations ORDER BY version`,
    insertMigration: `INSERT INTO atlas_schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)`,

    claimWrite: `UPDATE atlas_meta SET write_seq = write_seq + ${d.param("count", "bigint")}, highest_epoch = ${d.greatest}(highest_epoch, ${epoch})
      WHERE id = 1 AND highest_epoch <= ${epoch} RETURNING write_seq, typedefs_version`,
    selectMeta: `SELECT highest_epoch, write_seq, typedefs_version FROM atlas_meta WHERE id = 1`,
    rebaseEpoch: `UPDATE atlas_meta SET write_seq = write_seq + 1, highest_epoch = 0
      WHERE id = 1 AND highest_epoch = ${d.param("from", "bigint")} RETURNING write_seq`,
    bumpTypedefsVersion: `UPDATE atlas_meta SET typedefs_version = typedefs_version + 1 WHERE id = 1`,
    insertWrite: `INSERT INTO atlas_writes (seq, epoch, operation, user_name, at, changed)
      VALUES (@seq, @epoch, @operation, @user, @at, @changed)`,
    selectWrites: `SELECT seq, epoch, operation, user_name, at, changed FROM atlas_writes
      WHERE seq > @afterSeq ORDER BY seq LIMIT @limit`,

    selectEntity: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities WHERE guid = @guid`,
    selectEntitiesOfTypes: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities WHERE ${types}
      AND (${d.param("excludeDeleted", "int")} = 0 OR status = 'ACTIVE')
      ORDER BY create_seq, create_ord LIMIT @limit OFFSET @offset`,
    selectEntities: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities WHERE ${d.inList("guid", "guids")}`,
    // The ACTIVE entity of a name: a probe of the unique index per type of the list.
    selectActiveByUnique: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
      WHERE qualified_name = @qualifiedName AND status = 'ACTIVE' AND ${types}
      ORDER BY create_seq, create_ord LIMIT 1`,
    // One type (an entity's own, a type without subtypes): no JSON list to expand, no sort.
    selectActiveByUniqueOfType: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
      WHERE qualified_name = @qualifiedName AND status = 'ACTIVE' AND type_name = @typeName`,
    selectActiveByUniques: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
      WHERE ${d.inList("qualified_name", "qualifiedNames")} AND status = 'ACTIVE' AND ${types}`,
    // ACTIVE or DELETED: not in the unique index of ACTIVE names.
    selectLatestByUnique: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
      WHERE ${qualifiedName} AND ${types}
      ORDER BY CASE status WHEN 'ACTIVE' THEN 0 ELSE 1 END, write_seq DESC LIMIT 1`,
    selectLatestByUniqueOfType: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
      WHERE ${qualifiedName} AND type_name = @typeName
      ORDER BY CASE status WHEN 'ACTIVE' THEN 0 ELSE 1 END, write_seq DESC LIMIT 1`,
    insertEntity: `INSERT INTO atlas_entities (${ENTITY_COLUMNS}, create_ord) VALUES (@guid, @typeName,
      @qualifiedName, @name, @status, @version, @isIncomplete, @attributes, @relationshipAttributes,
      @classifications, @createdBy, @updatedBy, @createTime, @updateTime, @writeEpoch, @writeSeq,
      @createSeq, @labels, @customAttributes, @businessAttributes, @createOrd)`,
    updateEntity: `UPDATE atlas_entities SET qualified_name = @qualifiedName, name = @name, status = @status,
      version = @version, is_incomplete = @isIncomplete, attributes = @attributes,
      relationship_attributes = @relationshipAttributes, classifications = @classifications,
      labels = @labels, custom_attributes = @customAttributes, business_attributes = @businessAttributes,
      updated_by = @updatedBy, update_time = @updateTime, write_epoch = @writeEpoch, write_seq = @writeSeq
      WHERE guid = @guid`,

    selectRelationship: `SELECT ${RELATIONSHIP_COLUMNS} FROM atlas_relationships WHERE guid = @guid`,
    selectRelationshipsByEnd1: `SELECT ${RELATIONSHIP_COLUMNS} FROM atlas_relationships
      WHERE ${d.inList("end1_guid", "guids")} AND ${relationshipFilter} ORDER BY create_seq, create_ord`,
    selectRelationshipsByEnd2: `SELECT ${RELATIONSHIP_COLUMNS} FROM atlas_relationships
      WHERE ${d.inList("end2_guid", "guids")} AND ${relationshipFilter} ORDER BY create_seq, create_ord`,
    insertRelationship: `INSERT INTO atlas_relationships (${RELATIONSHIP_COLUMNS}) VALUES (@guid, @typeName,
      @status, @end1Guid, @end2Guid, @attributes, @version, @createdBy, @updatedBy, @createTime,
      @updateTime, @writeEpoch, @writeSeq, @createSeq, @createOrd)`,
    updateRelationship: `UPDATE atlas_relationships SET status = @status, attributes = @attributes,
      version = @version, updated_by = @updatedBy, update_time = @updateTime,
      write_epoch = @writeEpoch, write_seq = @writeSeq WHERE guid = @guid`,

    selectHookOffset: `SELECT 1 AS hit FROM atlas_hook_offsets
      WHERE topic = @topic AND kafka_partition = @partition AND kafka_offset = ${d.param("offset", "bigint")}`,
    selectHookOffsetsBetween: `SELECT kafka_offset FROM atlas_hook_offsets
      WHERE topic = @topic AND kafka_partition = @partition
        AND kafka_offset BETWEEN ${d.param("from", "bigint")} AND ${d.param("to", "bigint")}`,
    insertHookOffset: `INSERT INTO atlas_hook_offsets (topic, kafka_partition, kafka_offset, epoch, write_seq, applied_at)
      VALUES (@topic, @partition, @offset, @epoch, @seq, @at)`,

    selectTypedefs: `SELECT category, definition FROM atlas_typedefs ORDER BY write_seq, ord`,
    insertTypedef: `INSERT INTO atlas_typedefs (name, category, guid, definition, create_time, write_epoch, write_seq, ord)
      VALUES (@name, @category, @guid, @definition, @createTime, @epoch, @seq, @ord)`,
    updateTypedef: `UPDATE atlas_typedefs SET definition = @definition WHERE name = @name`,
    deleteTypedef: `DELETE FROM atlas_typedefs WHERE name = @name`,
    // JSON columns are stored as JSON.stringify wrote them (TEXT / json, not jsonb), so a
    // `"typeName":"x"` pair has no spaces in it. Type deletes are rare: a scan is fine.
    selectTypeInUse: `SELECT 1 AS hit FROM atlas_entities WHERE type_name = @typeName
      OR CAST(classifications AS TEXT) LIKE @pattern ESCAPE '\\'
      OR CAST(attributes AS TEXT) LIKE @pattern ESCAPE '\\'
      OR CAST(relationship_attributes AS TEXT) LIKE @pattern ESCAPE '\\'
      OR CAST(attributes AS TEXT) LIKE @relPattern ESCAPE '\\'
      OR CAST(relationship_attributes AS TEXT) LIKE @relPattern ESCAPE '\\'
      OR CAST(business_attributes AS TEXT) LIKE @keyPattern ESCAPE '\\'
      UNION ALL SELECT 1 AS hit FROM atlas_relationships WHERE type_name = @typeName
      LIMIT 1`,

    propagation: propagationStatements(d),
  };
}
