/**
 * SQLite backend (better-sqlite3): its dialect (the SQL is in schema.ts) and its transactions.
 * Several server processes on one host share one file: WAL lets readers run beside the one
 * writer, and every write transaction starts with BEGIN IMMEDIATE, which takes the file's
 * write lock up front (waiting up to the busy timeout), so the fence check and the write are
 * one serialized step.
 */
import { closeSync, mkdirSync, openSync, readSync, realpathSync } from "node:fs";
import { endianness } from "node:os";
import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { setTimeout as sleep } from "node:timers/promises";
import { StoreBusyError, StoreConfigError } from "./errors.js";
import { migrations, statements, type Dialect } from "./schema.js";
import { AppendedRows, appendKind, type AppendKind } from "./sqlite-appended.js";
import {
  positionalParameters,
  type SqlBackend,
  type SqlParams,
  type SqlRow,
  type SqlRunner,
  type WriteOptions,
} from "./sql.js";
import type { StoreLogger } from "./types.js";

/** SQLite keeps JSON as text and lets any integer column hold 64 bits. */
export const SQLITE_DIALECT: Dialect = {
  bigint: "INTEGER",
  json: "TEXT",
  greatest: "MAX",
  param: (name) => `@${name}`,
  inList: (column, name) => `${column} IN (SELECT value FROM json_each(@${name}))`,
  bytewise: "",
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
  /** How long a write waits for another process's write lock. Default 10 000 ms. */
  busyTimeoutMs?: number;
  /** WAL frames past the last checkpoint that start the next one. Default 4,000; tests set less. */
  checkpointFrames?: number;
  /** Told when a checkpoint fails (the next commit past the mark tries again). */
  logger?: StoreLogger;
}

/**
 * The WAL is checkpointed by this backend, not by SQLite inside a COMMIT (docs/decisions.md,
 * "WAL checkpoints"). SQLite's automatic checkpoint runs in the COMMIT that crosses 1,000
 * frames, on the event loop, with two fsyncs in it (the WAL, then the database file): 16% of
 * the CPU of REST creates on a 200,000-entity store, and its stalls set their p99. Here, once
 * a commit leaves more than `checkpointFrames` frames past the last checkpoint:
 *  1. a read transaction on a third connection (the holder) pins the WAL as it stands: its
 *     snapshot's end bounds what the checkpoint copies, and while it is open no writer can
 *     rewind the WAL (a rewind needs every reader off it);
 *  2. the WAL is fsynced (the durable-write fsync, off the event loop): every frame the copy
 *     will move is on disk where it comes from;
 *  3. a second connection with `synchronous = OFF` runs `wal_checkpoint(PASSIVE)`: the copy
 *     into the database file, without fsyncs, on the event loop;
 *  4. the database file is fsynced, off the event loop, and only then the holder ends: a
 *     write after it may rewind the WAL over frames that are now on disk twice.
 * That is the order of SQLite's own checkpoint in NORMAL mode, with the fsyncs awaited instead
 * of blocking the event loop. It runs twice: first while writes go on (appending past the
 * pinned end: most of the copy and of the fsyncs' work, with no write waiting), then in the
 * lane between two of this process's transactions for the few frames written meanwhile — a
 * write rewinds the WAL only if it starts with every frame copied, which never happens while
 * writes go on. Fewer, larger checkpoints copy once a page that many commits rewrote. If the
 * database file's fsync fails, the holder stays open (the WAL grows, nothing is rewound) and
 * the next checkpoint retries it first.
 */
const CHECKPOINT_FRAMES = 4000;

/**
 * The write connection's page cache, in KiB. better-sqlite3 builds SQLite with 16 MB
 * (`SQLITE_DEFAULT_CACHE_SIZE=-16000`), which a store of a few hundred thousand entities fills:
 * ~15 MB of the active's RSS under hook load, and the malloc heap it sat in grew unevenly from
 * run to run (RSS 140–159 MB for the same build). The pages it no longer holds are a read from
 * the OS's page cache away. Measured in bench/ (figure 7, 5 December): RSS after 100,000 hook
 * messages 141 → 126 MB; hooks, REST creates and the store alone unchanged within the noise.
 */
export const PAGE_CACHE_KIB = 4096;

/**
 * SQLite's own busy handler waits synchronously: a write waiting there for another process's
 * lock (e.g. one frozen by SIGSTOP inside BEGIN IMMEDIATE) would block this process's event
 * loop — no ZooKeeper heartbeat, no status answer — for the whole wait. So it waits only this
 * long per attempt, and the attempts are spaced out asynchronously.
 */
const BUSY_SLICE_MS = 20;
const MAX_CACHED_STATEMENTS = 500;
const BUSY_PAUSE_MS = 25;

/**
 * A statement with `@name` parameters prepared with anonymous `?` ones, and the names in
 * their order: better-sqlite3 binds an array by position, where an object costs a property
 * lookup per parameter (~2 µs more for an entity row's 21; 8% of a hook message's CPU).
 */
interface Positional extends AppendKind {
  statement: Database.Statement;
  /** The statement's positional text. */
  text: string;
  names: string[];
}

function valuesOf(names: readonly string[], params: SqlParams): unknown[] {
  const values = new Array<unknown>(names.length);
  for (let i = 0; i < names.length; i++) {
    const value = params[names[i]!];
    // As better-sqlite3 says of a named parameter the object lacks.
    if (value === undefined) throw new RangeError(`Missing named parameter "${names[i]}"`);
    values[i] = value;
  }
  return values;
}

/**
 * A file this backend fsyncs (the WAL, the database file), kept open between fsyncs (an open
 * and a close per fsync cost more main-thread time than the fsync's own call). It is the same
 * file for as long as the connection is open: SQLite deletes a WAL only when its last
 * connection closes, and truncates (never replaces) it otherwise. After a failed fsync it is
 * opened afresh.
 */
class KeptFile {
  readonly #path: string;
  #handle: FileHandle | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  async sync(): Promise<void> {
    try {
      this.#handle ??= await open(this.#path, "r");
      await this.#handle.sync();
    } catch (error) {
      const stale = this.#handle;
      this.#handle = undefined;
      await stale?.close().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}

/** The WAL index's header fields, in the byte order SQLite wrote them (the machine's). */
const readU32 =
  endianness() === "LE"
    ? (buffer: Buffer, at: number) => buffer.readUInt32LE(at)
    : (buffer: Buffer, at: number) => buffer.readUInt32BE(at);

export class SqliteBackend implements SqlBackend {
  readonly kind = "sqlite" as const;
  readonly sql = statements(SQLITE_DIALECT);
  readonly migrations = migrations(SQLITE_DIALECT);
  readonly #db: Database.Database;
  readonly #runner: SqlRunner;
  /** The current write's rows for the append-only logs, not yet inserted (sqlite-appended.ts). */
  readonly #appended: AppendedRows;
  readonly #lane: Lane;
  readonly #busyTimeoutMs: number;
  /** Write transactions committed by this backend so far, and how many of them are on disk. */
  #committed = 0;
  #synced = 0;
  /** The fsync in flight, if any, and the WAL file it syncs (open from the first one to close()). */
  #syncing: Promise<void> | undefined;
  /** The database file's real path (undefined: in memory), its WAL, the file itself. */
  readonly #file: string | undefined;
  readonly #wal: KeptFile | undefined;
  readonly #dbFile: KeptFile | undefined;
  readonly #checkpointFrames: number;
  readonly #logger: StoreLogger | undefined;
  /**
   * The checkpoint's connections (the copier and the holder), opened at the first checkpoint,
   * and the shared-memory file it reads the WAL's length from (its header read into `#header`).
   */
  #copier: Database.Database | undefined;
  #holder: Database.Database | undefined;
  #shm: number | undefined;
  readonly #header = Buffer.alloc(100);
  /** The checkpoint in progress, if any. */
  #checkpointing: Promise<void> | undefined;

  constructor(options: SqliteBackendOptions) {
    try {
      if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
      this.#db = new Database(options.path, { timeout: BUSY_SLICE_MS });
    } catch (error) {
      throw new StoreConfigError(
        `cannot open the SQLite store at ${options.path} (atlas.store.sqlite.path): ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    const file = options.path === ":memory:" ? undefined : realpathSync(options.path);
    this.#lane = laneFor(file);
    this.#file = file;
    this.#wal = file === undefined ? undefined : new KeptFile(`${file}-wal`);
    this.#dbFile = file === undefined ? undefined : new KeptFile(file);
    this.#checkpointFrames = options.checkpointFrames ?? CHECKPOINT_FRAMES;
    this.#logger = options.logger;
    this.#db.pragma("journal_mode = WAL");
    // This connection never checkpoints inside a COMMIT: #checkpoint does (see CHECKPOINT_FRAMES).
    if (file !== undefined) this.#db.pragma("wal_autocheckpoint = 0");
    // NORMAL: a commit writes the WAL without an fsync; a durable write then waits for an
    // fsync of the WAL file that this backend runs off the event loop and shares between every
    // commit made before it started (a group commit: concurrent REST writes share one fsync,
    // each answered only once it is done). Hook messages do not wait: the consumer calls
    // sync() before committing their Kafka offsets (docs/contracts/hooks.md). An fsync per
    // commit (FULL) blocked the event loop ~250 µs each and capped writes (docs/decisions.md).
    this.#db.pragma("synchronous = NORMAL");
    this.#db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    const statements = new Map<string, Positional>();
    const prepare = (sql: string): Positional => {
      let prepared = statements.get(sql);
      if (!prepared) {
        // Searches build their statement from the request's filter shape: keep the cache
        // bounded (the store's own statements are a few dozen and come back at once).
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        const { text, names } = positionalParameters(sql, () => "?");
        prepared = { statement: this.#db.prepare(text), text, names, ...appendKind(sql) };
        statements.set(sql, prepared);
      }
      return prepared;
    };
    const appended = new AppendedRows(this.#db);
    this.#appended = appended;
    /** The statement, with the appended rows it could see or change inserted first. */
    const ready = (prepared: Positional): Positional => {
      if (prepared.namesAppendOnly && appended.size > 0) appended.write();
      return prepared;
    };
    // Values go to better-sqlite3 as arguments, not as one array: it binds an array element by
    // element through V8's API, ~0.03 µs more per value (~0.5 µs for an entity row).
    this.#runner = {
      all: async (sql: string, params: SqlParams = {}) => {
        const { statement, names } = ready(prepare(sql));
        const values = valuesOf(names, params);
        return statement.reader
          ? (statement.all(...values) as SqlRow[])
          : (statement.run(...values), []);
      },
      run: async (sql: string, params: SqlParams = {}) => {
        // DDL changes the schema: do not cache those statements.
        if (/^\s*(CREATE|ALTER|DROP)\b/i.test(sql)) {
          if (appended.size > 0) appended.write();
          this.#db.exec(sql);
          return 0;
        }
        const { statement, names } = ready(prepare(sql));
        return statement.run(...valuesOf(names, params)).changes;
      },
      send: async (sql: string, params: SqlParams = {}) => {
        const prepared = prepare(sql);
        if (prepared.gathered && this.#db.inTransaction) {
          appended.add(sql, prepared.text, valuesOf(prepared.names, params));
          return;
        }
        ready(prepared).statement.run(...valuesOf(prepared.names, params));
      },
    };
  }

  read<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction("BEGIN", fn);
  }

  write<T>(fn: (db: SqlRunner) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    return this.#transaction("BEGIN IMMEDIATE", fn, options.durable !== false, options.lockWaitMs);
  }

  /**
   * Every commit so far on disk: an fsync of the WAL file — every frame written so far is then
   * on disk, which is what synchronous=FULL does at each commit. Checkpoints in NORMAL mode
   * sync the WAL before copying it into the database file and that file after, so what they
   * moved is durable as well. Not queued behind transactions: the fsync runs in libuv's
   * thread pool while the next transactions commit, and one fsync serves every commit made
   * before it started.
   */
  sync(): Promise<void> {
    return this.#durable(this.#committed);
  }

  async #durable(commits: number): Promise<void> {
    while (this.#synced < commits && this.#wal !== undefined) {
      this.#syncing ??= this.#fsync(this.#wal).finally(() => {
        this.#syncing = undefined;
      });
      await this.#syncing;
    }
  }

  /** The WAL's fsync (KeptFile): every commit made before it started is then on disk. */
  async #fsync(wal: KeptFile): Promise<void> {
    const upTo = this.#committed;
    await wal.sync();
    if (upTo > this.#synced) this.#synced = upTo;
  }

  exclusive<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction("BEGIN IMMEDIATE", fn, true);
  }

  /** `durable` is undefined for reads, which commit nothing. */
  #transaction<T>(
    begin: string,
    fn: (db: SqlRunner) => Promise<T>,
    durable?: boolean,
    lockWaitMs?: number,
  ): Promise<T> {
    const next = this.#lane.queue.then(async () => {
      await this.#begin(begin, lockWaitMs ?? this.#busyTimeoutMs);
      try {
        const result = await fn(this.#runner);
        if (this.#appended.size > 0) this.#appended.write();
        this.#db.exec("COMMIT");
        if (durable !== undefined) {
          this.#committed += 1;
          if (!this.#checkpointing && this.#walFramesPending() > this.#checkpointFrames) {
            this.#startCheckpoint();
          }
        }
        return { result, commits: this.#committed };
      } catch (error) {
        this.#appended.clear();
        if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
        throw error;
      }
    });
    this.#lane.queue = next.catch(() => undefined);
    // A durable write answers once its commit is on disk; the lane goes on meanwhile.
    return next.then(async ({ result, commits }) => {
      if (durable === true) await this.#durable(commits);
      return result;
    });
  }

  /**
   * WAL frames not yet copied into the database file, from the WAL index's header in the
   * `-shm` file (SQLite's documented format, walformat.html: `mxFrame` at byte 16 of the
   * first header copy, `nBackfill` at byte 96; native byte order). 0 when it cannot tell.
   */
  #walFramesPending(): number {
    if (this.#file === undefined) return 0;
    try {
      this.#shm ??= openSync(`${this.#file}-shm`, "r");
      const header = this.#header;
      if (readSync(this.#shm, header, 0, 100, 0) < 100) return 0;
      return Math.max(0, readU32(header, 16) - readU32(header, 96));
    } catch {
      return 0;
    }
  }

  #startCheckpoint(): void {
    this.#checkpointing = this.#checkpoint()
      .catch((error: unknown) => {
        this.#logger?.warn({
          event: "store_checkpoint_failed",
          backend: "sqlite",
          error: (error as Error).message,
          code: (error as { code?: string }).code,
        });
      })
      .finally(() => {
        this.#checkpointing = undefined;
      });
  }

  async #checkpoint(): Promise<void> {
    const file = this.#file!;
    if (!this.#db.open) return;
    this.#copier ??= this.#open(file, "OFF");
    this.#holder ??= this.#open(file, "NORMAL");
    // Most of the WAL, while writes go on past the pinned end.
    await this.#pinnedCopy();
    // The rest, in the lane: no write of ours in between, so the next one finds the whole WAL
    // in the database file and rewinds it (the writes wait for two short fsyncs).
    const turn = this.#lane.queue.then(() => this.#pinnedCopy());
    this.#lane.queue = turn.catch(() => undefined);
    await turn;
  }

  /** Steps 1–4 of the header comment (CHECKPOINT_FRAMES). */
  async #pinnedCopy(): Promise<void> {
    const [holder, copier] = [this.#holder!, this.#copier!];
    // A holder left open by a failed fsync: the copy it guards goes to disk first.
    if (holder.inTransaction) await this.#syncDatabaseFile();
    // 1. Pin the WAL as it stands (a read transaction takes its snapshot at its first read).
    holder.exec("BEGIN");
    holder.prepare("SELECT 1 FROM sqlite_schema LIMIT 1").get();
    try {
      // 2. Every frame committed so far on disk.
      await this.#durable(this.#committed);
      // 3. The copy, up to the holder's snapshot.
      copier.pragma("wal_checkpoint(PASSIVE)");
    } finally {
      // 4. Whatever was copied on disk, then the holder ends.
      await this.#syncDatabaseFile();
    }
  }

  #open(file: string, synchronous: "OFF" | "NORMAL"): Database.Database {
    const db = new Database(file, { fileMustExist: true, timeout: BUSY_SLICE_MS });
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma("wal_autocheckpoint = 0");
    db.pragma("cache_size = -64");
    return db;
  }

  /** fsync of the database file; the holder ends once it succeeds. */
  async #syncDatabaseFile(): Promise<void> {
    await this.#dbFile!.sync();
    if (this.#holder?.inTransaction) this.#holder.exec("COMMIT");
  }

  /** BEGIN, retried asynchronously while another process holds the lock, up to `waitMs`. */
  async #begin(statement: string, waitMs: number): Promise<void> {
    const started = performance.now();
    for (;;) {
      try {
        this.#db.exec(statement);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
        const waited = performance.now() - started;
        if (waited >= waitMs) throw new StoreBusyError(Math.round(waited), error);
        await sleep(Math.min(BUSY_PAUSE_MS, Math.max(1, waitMs - waited)));
      }
    }
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
    await this.#checkpointing;
    await this.#syncing?.catch(() => undefined);
    // The checkpoint's connections first: the last one to close checkpoints (with fsyncs, as
    // this connection is NORMAL) and removes the WAL. A holder still open (its fsync failed)
    // rolls back: that close's checkpoint fsyncs what it copies.
    for (const db of [this.#holder, this.#copier]) if (db?.open) db.close();
    if (this.#db.open) this.#db.close();
    if (this.#shm !== undefined) closeSync(this.#shm);
    this.#shm = undefined;
    await this.#wal?.close();
    await this.#dbFile?.close();
  }
}
