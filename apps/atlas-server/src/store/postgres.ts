/**
 * PostgreSQL backend (pg Pool): all of its SQL and its transactions. Instances on several
 * hosts share one database. Writes run in READ COMMITTED and start by updating the single
 * meta row (claimWrite): that row lock serializes writers, and a fence() that commits while a
 * writer waits makes the writer's re-checked `highest_epoch <= epoch` false — so no write
 * of an older epoch commits after a newer epoch was fenced. Migrations hold an advisory lock.
 */
import pg from "pg";
import type { StoreLogger } from "./types.js";
import type { Migration, SqlBackend, SqlParams, SqlRow, SqlRunner, StoreSql } from "./sql.js";

const { Pool } = pg;

/** pg_advisory_xact_lock key of migrations ("atlas-ha" in ASCII, folded to a bigint). */
const MIGRATION_LOCK = 0x61746c6173_6861n.toString();

const ENTITY_COLUMNS = `guid, type_name, qualified_name, name, status, version, is_incomplete, attributes,
  relationship_attributes, classifications, created_by, updated_by, create_time, update_time,
  write_epoch, write_seq, create_seq`;

export const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "entities, typedefs, hook offsets, fencing",
    statements: [
      `CREATE TABLE atlas_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        highest_epoch BIGINT NOT NULL,
        write_seq BIGINT NOT NULL,
        typedefs_version BIGINT NOT NULL
      )`,
      `INSERT INTO atlas_meta (id, highest_epoch, write_seq, typedefs_version) VALUES (1, 0, 0, 0)
        ON CONFLICT DO NOTHING`,
      `CREATE TABLE atlas_writes (
        seq BIGINT PRIMARY KEY,
        epoch BIGINT NOT NULL,
        operation TEXT NOT NULL,
        user_name TEXT NOT NULL,
        at BIGINT NOT NULL,
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
        attributes JSON NOT NULL,
        relationship_attributes JSON NOT NULL,
        classifications JSON NOT NULL,
        created_by TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        create_time BIGINT NOT NULL,
        update_time BIGINT NOT NULL,
        write_epoch BIGINT NOT NULL,
        write_seq BIGINT NOT NULL,
        create_seq BIGINT NOT NULL,
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
        kafka_offset BIGINT NOT NULL,
        epoch BIGINT NOT NULL,
        write_seq BIGINT NOT NULL,
        applied_at BIGINT NOT NULL,
        PRIMARY KEY (topic, kafka_partition, kafka_offset)
      )`,
      `CREATE TABLE atlas_typedefs (
        name TEXT PRIMARY KEY,
        category TEXT NOT NULL,
        guid TEXT,
        definition JSON NOT NULL,
        create_time BIGINT NOT NULL,
        write_epoch BIGINT NOT NULL,
        write_seq BIGINT NOT NULL,
        ord BIGSERIAL
      )`,
    ],
  },
];

const TYPES_IN = "type_name IN (SELECT json_array_elements_text(@types::json))";

export const POSTGRES_SQL: StoreSql = {
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS atlas_schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  selectMigrations: `SELECT version FROM atlas_schema_migrations ORDER BY version`,
  insertMigration: `INSERT INTO atlas_schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)`,

  claimWrite: `UPDATE atlas_meta SET write_seq = write_seq + 1, highest_epoch = GREATEST(highest_epoch, @epoch::bigint)
    WHERE id = 1 AND highest_epoch <= @epoch::bigint RETURNING write_seq, typedefs_version`,
  selectMeta: `SELECT highest_epoch, write_seq, typedefs_version FROM atlas_meta WHERE id = 1`,
  bumpTypedefsVersion: `UPDATE atlas_meta SET typedefs_version = typedefs_version + 1 WHERE id = 1`,
  insertWrite: `INSERT INTO atlas_writes (seq, epoch, operation, user_name, at, changed)
    VALUES (@seq, @epoch, @operation, @user, @at, @changed)`,
  selectWrites: `SELECT seq, epoch, operation, user_name, at, changed FROM atlas_writes
    WHERE seq > @afterSeq ORDER BY seq LIMIT @limit`,

  selectEntity: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities WHERE guid = @guid`,
  selectEntities: `SELECT ${ENTITY_COLUMNS} FROM atlas_entities
    WHERE guid IN (SELECT json_array_elements_text(@guids::json))`,
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
    WHERE (@types::json IS NULL OR ${TYPES_IN})
      AND (@pattern::text IS NULL OR lower(name) LIKE @pattern ESCAPE '\\' OR lower(qualified_name) LIKE @pattern ESCAPE '\\')
      AND (@excludeDeleted::int = 0 OR status = 'ACTIVE')
    ORDER BY create_seq, create_ord LIMIT @limit OFFSET @offset`,
  countEntities: `SELECT count(*) AS total FROM atlas_entities
    WHERE (@types::json IS NULL OR ${TYPES_IN})
      AND (@pattern::text IS NULL OR lower(name) LIKE @pattern ESCAPE '\\' OR lower(qualified_name) LIKE @pattern ESCAPE '\\')
      AND (@excludeDeleted::int = 0 OR status = 'ACTIVE')`,

  selectHookOffset: `SELECT 1 AS hit FROM atlas_hook_offsets
    WHERE topic = @topic AND kafka_partition = @partition AND kafka_offset = @offset::bigint`,
  insertHookOffset: `INSERT INTO atlas_hook_offsets (topic, kafka_partition, kafka_offset, epoch, write_seq, applied_at)
    VALUES (@topic, @partition, @offset, @epoch, @seq, @at)`,

  selectTypedefs: `SELECT category, definition FROM atlas_typedefs ORDER BY write_seq, ord`,
  insertTypedef: `INSERT INTO atlas_typedefs (name, category, guid, definition, create_time, write_epoch, write_seq)
    VALUES (@name, @category, @guid, @definition, @createTime, @epoch, @seq)`,
};

/** `@name` parameters → pg's `$n`, once per statement text. */
function positional(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, names };
}

export interface PostgresBackendOptions {
  url: string;
  poolSize?: number;
  queryTimeoutMs?: number;
  logger: StoreLogger;
}

export class PostgresBackend implements SqlBackend {
  readonly kind = "postgres" as const;
  readonly sql = POSTGRES_SQL;
  readonly migrations = POSTGRES_MIGRATIONS;
  readonly #pool: pg.Pool;
  readonly #statements = new Map<string, { text: string; names: string[] }>();

  constructor(options: PostgresBackendOptions) {
    this.#pool = new Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
    });
    // An idle client whose server went away emits here; without a listener it would crash the
    // process. The next query gets a fresh connection.
    this.#pool.on("error", (error) => options.logger.warn({ event: "store_pg_idle_client_error", error: error.message }));
  }

  #runner(client: pg.PoolClient): SqlRunner {
    const query = async (sql: string, params: SqlParams = {}): Promise<pg.QueryResult> => {
      let statement = this.#statements.get(sql);
      if (!statement) {
        statement = positional(sql);
        this.#statements.set(sql, statement);
      }
      return client.query(statement.text, statement.names.map((n) => params[n] ?? null));
    };
    return {
      all: async (sql, params) => (await query(sql, params)).rows as SqlRow[],
      run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
    };
  }

  async #transaction<T>(begin: string[], fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      for (const statement of begin) await client.query(statement);
      const result = await fn(this.#runner(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // The connection is unusable (server gone, timeout): drop it rather than pool it.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  read<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction(["BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"], fn);
  }

  write<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction(["BEGIN"], fn);
  }

  exclusive<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction(["BEGIN", `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`], fn);
  }

  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), 2_000);
      });
      const probe = this.#pool.query("SELECT 1 AS ok").then((r) => r.rowCount === 1);
      probe.catch(() => undefined);
      return await Promise.race([probe, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
