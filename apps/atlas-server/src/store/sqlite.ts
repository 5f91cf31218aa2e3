/**
 * SQLite backend (better-sqlite3): its dialect (the SQL is in schema.ts) and its transactions.
 * Several server processes on one host share one file: WAL lets readers run beside the one
 * writer, and every write transaction starts with BEGIN IMMEDIATE, which takes the file's
 * write lock up front (waiting up to the busy timeout), so the fence check and the write are
 * one serialized step.
 */
import { mkdirSync, realpathSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StoreConfigError } from "./errors.js";
import { migrations, statements, type Dialect } from "./schema.js";
import type { SqlBackend, SqlParams, SqlRow, SqlRunner, WriteOptions } from "./sql.js";

/** SQLite keeps JSON as text and lets any integer column hold 64 bits. */
export const SQLITE_DIALECT: Dialect = {
  bigint: "INTEGER",
  json: "TEXT",
  greatest: "MAX",
  param: (name) => `@${name}`,
  jsonList: (name) => `SELECT value FROM json_each(@${name})`,
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
  readonly sql = statements(SQLITE_DIALECT);
  readonly migrations = migrations(SQLITE_DIALECT);
  readonly #db: Database.Database;
  readonly #runner: SqlRunner;
  readonly #lane: Lane;
  readonly #walFile: string | undefined;
  #synchronous: "FULL" | "NORMAL" = "FULL";
  /** A write committed with synchronous = NORMAL has not been fsynced yet. */
  #unsynced = false;

  constructor(options: SqliteBackendOptions) {
    try {
      if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
      this.#db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 10_000 });
    } catch (error) {
      throw new StoreConfigError(
        `cannot open the SQLite store at ${options.path} (atlas.store.sqlite.path): ${(error as Error).message}`,
        { cause: error },
      );
    }
    const file = options.path === ":memory:" ? undefined : realpathSync(options.path);
    this.#lane = laneFor(file);
    this.#walFile = file === undefined ? undefined : `${file}-wal`;
    this.#db.pragma("journal_mode = WAL");
    // FULL: a commit is on disk when it returns (a REST write answered 200 is durable). Hook
    // messages may be written with NORMAL and made durable together by sync(), before their
    // Kafka offsets are committed (SPEC §8): an fsync per message was ~70% of the hook
    // pipeline's time (bench/, figure 5).
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

  write<T>(fn: (db: SqlRunner) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    return this.#transaction("BEGIN IMMEDIATE", fn, options.durable !== false);
  }

  /**
   * Fsyncs the WAL file: every frame written so far, by this connection's NORMAL commits
   * too, is then on disk (what FULL does at each commit). Checkpoints in NORMAL mode sync the
   * WAL before copying it into the database file and that file after, so what they moved is
   * durable as well. Ordered after the transactions queued before it.
   */
  sync(): Promise<void> {
    const next = this.#lane.queue.then(async () => {
      if (!this.#unsynced || this.#walFile === undefined) return;
      this.#unsynced = false;
      const handle = await open(this.#walFile, "r");
      try {
        await handle.sync();
      } catch (error) {
        this.#unsynced = true;
        throw error;
      } finally {
        await handle.close();
      }
    });
    this.#lane.queue = next.catch(() => undefined);
    return next;
  }

  exclusive<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction("BEGIN IMMEDIATE", fn, true);
  }

  /** `durable` is undefined for reads, which commit nothing. */
  #transaction<T>(begin: string, fn: (db: SqlRunner) => Promise<T>, durable?: boolean): Promise<T> {
    const next = this.#lane.queue.then(async () => {
      const synchronous = durable === false ? "NORMAL" : "FULL";
      if (durable !== undefined && this.#synchronous !== synchronous) {
        this.#db.pragma(`synchronous = ${synchronous}`);
        this.#synchronous = synchronous;
      }
      this.#db.exec(begin);
      try {
        const result = await fn(this.#runner);
        this.#db.exec("COMMIT");
        if (durable === false) this.#unsynced = true;
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
