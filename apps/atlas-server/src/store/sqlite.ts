/**
 * SQLite backend (better-sqlite3): all of its SQL and its transactions. Several server
 * processes on one host share one file: WAL lets readers run beside the one writer, and every
 * write transaction starts with BEGIN IMMEDIATE, which takes the file's write lock up front
 * (waiting up to the busy timeout), so the fence check and the write are one serialized step.
 */
import { mkdirSync, realpathSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Migration, SqlBackend, SqlParams, SqlRow, SqlRunner, StoreSql } from "./sql.js";

const ENTITY_COLUMNS = `guid, type_name, qualified_name, name, status, version, is_incomplete, attributes,
  relationship_attributes, classifications, created_by, updated_by, create_time, update_time,
  write_epoch, write_seq, create_seq`;

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "entities, typedefs, hook offsets, fencing",
    statements: [
      `CREATE TABLE atlas_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        highest_epoch INTEGER NOT NULL,
        write_seq INTEGER NOT NULL,
        typedefs_version INTEGER NOT NULL
      )`,
      `INSERT INTO atlas_meta (id, highest_epoch, write_seq, typedefs_version) VALUES (1, 0, 0, 0)
        ON CONFLICT DO NOTHING`,
      `CREATE TABLE atlas_writes (
        seq INTEGER PRIMARY KEY,
        epoch INTEGER NOT NULL,
        operation TEXT NOT NULL,
        user_name TEXT NOT NULL,
        at INTEGER NOT NULL,
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
        attributes TEXT NOT NULL,
        relationship_attributes TEXT NOT NULL,
        classifications TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        write_epoch INTEGER NOT NULL,
        write_seq INTEGER NOT NULL,
        create_seq INTEGER NOT NULL,
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
        kafka_offset INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        write_seq INTEGER NOT NULL,
        applied_at INTEGER NOT NULL,
        PRIMARY KEY (topic, kafka_partition, kafka_offset)
      )`,
      `CREATE TABLE atlas_typedefs (
        name TEXT PRIMARY KEY,
        category TEXT NOT NULL,
        guid TEXT,
        definition TEXT NOT NULL,
        create_time INTEGER NOT NULL,
        write_epoch INTEGER NOT NULL,
        write_seq INTEGER NOT NULL
      )`,
    ],
  },
];

const TYPES_IN = "type_name IN (SELECT value FROM json_each(@types))";

export const SQLITE_SQL: StoreSql = {
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS atlas_schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
  selectMigrations: `SELECT version FROM atlas_schema_migrations ORDER BY version`,
  insertMigration: `INSERT INTO atlas_schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)`,

  claimWrite: `UPDATE atlas_meta SET write_seq = write_seq + 1, highest_epoch = MAX(highest_epoch, @epoch)
    WHERE id = 1 AND highest_epoch <= @epoch RETURNING write_seq, typedefs_version`,
  selectMeta: `SELECT highest_epoch, write_seq, typedefs_version FROM atlas_meta WHERE id = 1`,
  bumpTypedefsVersion: `UPDATE atlas_meta SET typedefs_version = typedefs_version + 1 WHERE id = 1`,
  insertWrite: `INSERT INTO atlas_writes (seq, epoch, operation, user_name, at, changed)
    VALUES (@seq, @epoch, @operation, @user, @at, @changed)`,
  selectWrites: `SELECT seq, epoch, operation, user_name, at, changed FROM atlas_writes
    WHERE seq > @afterSeq ORDER BY seq LIMIT @limit`,

  selectEntity: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities WHERE guid = @guid`,
  selectEntities: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities WHERE guid IN (SELECT value FROM json_each(@guids))`,
  selectActiveByUnique: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
    WHERE qualified_name = @qualifiedName AND status = 'ACTIVE' AND ${TYPES_IN}
    ORDER BY create_seq, create_ord LIMIT 1`,
  selectLatestByUnique: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
    WHERE qualified_name = @qualifiedName AND ${TYPES_IN}
    ORDER BY CASE status WHEN 'ACTIVE' THEN 0 ELSE 1 END, write_seq DESC LIMIT 1`,
  insertEntity: `INSERT INTO atlas_entities (${ENTITY_COLUMNS}, create_ord) VALUES (@guid, @typeName,
    @qualifiedName, @name, @status, @version, @isIncomplete, @attributes, @relationshipAttributes,
    @classifications, @createdBy, @updatedBy, @createTime, @updateTime, @writeEpoch, @writeSeq,
    @createSeq, @createOrd)`,
  updateEntity: `UPDATE atlas_entities SET qualified_name = @qualifiedName, name = @name, status = @status,
    version = @version, is_incomplete = @isIncomplete, attributes = @attributes,
    relationship_attributes = @relationshipAttributes, classifications = @classifications,
    updated_by = @updatedBy, update_time = @updateTime, write_epoch = @writeEpoch, write_seq = @writeSeq
    WHERE guid = @guid`,
  searchEntities: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
    WHERE (@types IS NULL OR ${TYPES_IN})
      AND (@pattern IS NULL OR lower(name) LIKE @pattern ESCAPE '\\' OR lower(qualified_name) LIKE @pattern ESCAPE '\\')
      AND (@excludeDeleted = 0 OR status = 'ACTIVE')
    ORDER BY create_seq, create_ord LIMIT @limit OFFSET @offset`,
  countEntities: `SELECT count(*) AS total FROM atlas_entities
    WHERE (@types IS NULL OR ${TYPES_IN})
      AND (@pattern IS NULL OR lower(name) LIKE @pattern ESCAPE '\\' OR lower(qualified_name) LIKE @pattern ESCAPE '\\')
      AND (@excludeDeleted = 0 OR status = 'ACTIVE')`,

  selectHookOffset: `SELECT 1 AS hit FROM atlas_hook_offsets
    WHERE topic = @topic AND kafka_partition = @partition AND kafka_offset = @offset`,
  insertHookOffset: `INSERT INTO atlas_hook_offsets (topic, kafka_partition, kafka_offset, epoch, write_seq, applied_at)
    VALUES (@topic, @partition, @offset, @epoch, @seq, @at)`,

  selectTypedefs: `SELECT category, definition FROM atlas_typedefs ORDER BY write_seq, rowid`,
  insertTypedef: `INSERT INTO atlas_typedefs (name, category, guid, definition, create_time, write_epoch, write_seq)
    VALUES (@name, @category, @guid, @definition, @createTime, @epoch, @seq)`,
};

/**
 * Transactions on one database file from this process run one after another. The store's
 * logic is async, so a transaction spans several turns of the event loop; a second
 * connection of the same process that tried BEGIN IMMEDIATE meanwhile would wait in SQLite's
 * busy handler — synchronously, blocking the very thread that must finish the first one.
 * Other processes are not affected: their busy wait does not stop ours.
 */
interface Lane {
  queue: Promise<unknown>;
}

const lanes = new Map<string, Lane>();

function laneFor(file: string | undefined): Lane {
  if (file === undefined) return { queue: Promise.resolve() };
  let lane = lanes.get(file);
  if (!lane) {
    lane = { queue: Promise.resolve() };
    lanes.set(file, lane);
  }
  return lane;
}

export interface SqliteBackendOptions {
  path: string;
  busyTimeoutMs?: number;
}

export class SqliteBackend implements SqlBackend {
  readonly kind = "sqlite" as const;
  readonly sql = SQLITE_SQL;
  readonly migrations = SQLITE_MIGRATIONS;
  readonly #db: Database.Database;
  readonly #runner: SqlRunner;
  readonly #lane: Lane;

  constructor(options: SqliteBackendOptions) {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.#db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 10_000 });
    this.#lane = laneFor(options.path === ":memory:" ? undefined : realpathSync(options.path));
    this.#db.pragma("journal_mode = WAL");
    // FULL: a commit is on disk before the hook offset is committed to Kafka (SPEC §8).
    this.#db.pragma("synchronous = FULL");
    const statements = new Map<string, Database.Statement>();
    const prepare = (sql: string): Database.Statement => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = this.#db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    };
    this.#runner = {
      all: async (sql: string, params: SqlParams = {}) => {
        const statement = prepare(sql);
        return statement.reader ? (statement.all(params) as SqlRow[]) : (statement.run(params), []);
      },
      run: async (sql: string, params: SqlParams = {}) => {
        // DDL changes the schema: do not cache those statements.
        if (/^\s*(CREATE|ALTER|DROP)\b/i.test(sql)) {
          this.#db.exec(sql);
          return 0;
        }
        return prepare(sql).run(params).changes;
      },
    };
  }

  read<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction("BEGIN", fn);
  }

  write<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction("BEGIN IMMEDIATE", fn);
  }

  exclusive<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction("BEGIN IMMEDIATE", fn);
  }

  #transaction<T>(begin: string, fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    const next = this.#lane.queue.then(async () => {
      this.#db.exec(begin);
      try {
        const result = await fn(this.#runner);
        this.#db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
        throw error;
      }
    });
    this.#lane.queue = next.catch(() => undefined);
    return next;
  }

  async ping(): Promise<boolean> {
    try {
      return this.#db.open && this.#db.prepare("SELECT 1 AS ok").get() !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#lane.queue;
    if (this.#db.open) this.#db.close();
  }
}
